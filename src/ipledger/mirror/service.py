"""The valuation mirror: report files -> validated -> signed -> sent -> confirmed, once.

Each step commits its outcome to the outbox before the next step's side effect; the
raw transaction is stored before it is broadcast. On start the mirror reconciles the
outbox with the chain (receipts by stored hash, `isAttested`) before sending anything
new, so a crash or an outage at any point is resumed without a duplicate or a loss.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import requests
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3Exception
from web3.types import Nonce, TxParams

from ipledger.eip712 import sign_valuation
from ipledger.errors import IpledgerError
from ipledger.ledger import Ledger
from ipledger.mirror.checks import ChainChecks
from ipledger.mirror.outbox import Outbox, Row, valuation_from_json, valuation_to_json
from ipledger.mirror.reports import ReportError, load_report

REJECTIONS = [
    "None",
    "UnaccreditedValuer",
    "UnknownPatent",
    "AlreadyAttested",
    "InvalidSignature",
    "InvalidDates",
    "DateInFuture",
    "InvalidField",
    "SubsidyCapReached",
]  # IValuationRegistry.Rejection, by value
GO_AND_CHECK = (
    "already known",
    "nonce too low",
    "replacement transaction underpriced",
    "replacement underpriced",
    "known transaction",
)
ITEM_GAS = 230_000  # per attestation: the worst case measured (~168k) plus a margin
BATCH_BASE_GAS = 60_000
CRASH_ENV = "IPLEDGER_MIRROR_CRASH_AT"  # fault injection for the crash-safety harness
# Failures that mean "the node is away for now", not "the request is wrong".
TRANSIENT = (
    ConnectionError,
    TimeoutError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
)


class MirrorError(IpledgerError):
    """The mirror cannot run as configured."""


@dataclass
class RunSummary:
    quarantined: dict[str, str] = field(default_factory=dict)  # file -> reason
    conflicts: list[str] = field(default_factory=list)
    sent: int = 0
    confirmed: int = 0
    failed: int = 0

    def as_json(self, counts: dict[str, int]) -> dict[str, Any]:
        return {
            "confirmed": counts.get("confirmed", 0),
            "quarantined": counts.get("quarantined", 0),
            "failed": counts.get("rejected", 0),
            "conflicts": self.conflicts,
            "sentThisRun": self.sent,
            "quarantineReasons": self.quarantined,
            "pending": sum(counts.get(s, 0) for s in ("validated", "signed", "sent")),
        }


def _checkpoint(name: str) -> None:
    """A step boundary. The crash harness names one to SIGKILL this process there."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class Mirror:
    def __init__(
        self,
        *,
        ledger: Ledger,
        outbox: Outbox,
        valuer: LocalAccount,
        relayer: LocalAccount,
        chain_id: int,
        confirmations: int = 1,
        batch_size: int = 50,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.ledger = ledger
        self.w3: Web3 = ledger.w3
        self.outbox = outbox
        self.valuer = valuer
        self.relayer = relayer
        self.confirmations = confirmations
        self.batch_size = batch_size
        self.log = log
        if self.w3.eth.chain_id != chain_id:
            raise MirrorError(
                f"the node is chain {self.w3.eth.chain_id}, but the mirror is configured for "
                f"chain {chain_id}: refusing to sign or send"
            )
        self._lock = self._acquire_lock()

    def _acquire_lock(self) -> Any:
        path = self.outbox.path.with_name(f"{self.outbox.path.name}.{self.valuer.address}.lock")
        handle = path.open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise MirrorError(
                f"another mirror is submitting for valuer {self.valuer.address} ({path})"
            ) from None
        return handle

    def close(self) -> None:
        self._lock.close()

    # ---- one pass ----------------------------------------------------------------------

    def run_once(self, source: Path) -> RunSummary:
        """Reconcile, ingest what is new in `source`, sign, send, confirm."""
        summary = RunSummary()
        self.reconcile(summary)
        self.ingest(source, summary)
        self.sign_pending()
        self.send_pending(summary)
        self.reconcile(summary)
        return summary

    def run_until_settled(self, source: Path, *, timeout: float = 120.0) -> RunSummary:
        """Passes until nothing is pending; a transient RPC failure (the node away, a
        dropped connection) is retried with backoff, resuming from the outbox."""
        summary = RunSummary()
        deadline = time.monotonic() + timeout
        backoff = 0.2
        first = True
        while time.monotonic() < deadline:
            try:
                if first:
                    summary = self.run_once(source)
                    first = False
                else:
                    self.reconcile(summary)
                    self.sign_pending()
                    self.send_pending(summary)
                backoff = 0.2
            except TRANSIENT as exc:
                self.log(f"node unavailable ({type(exc).__name__}); retrying in {backoff:.1f}s")
                time.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if not self.outbox.rows("validated", "signed", "sent"):
                break
            time.sleep(0.2)
        return summary

    # ---- ingest ------------------------------------------------------------------------

    def ingest(self, source: Path, summary: RunSummary) -> None:
        """Validate every new report file; record the valid ones (one commit per pass)."""
        known = self.outbox.known()
        checks = ChainChecks(self.ledger, self.valuer.address)
        accepted: list[dict[str, Any]] = []
        for path in sorted(source.glob("*.json")):
            content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
            if known.get(path.stem, ("", ""))[0] == content_hash:
                continue  # this very file was taken in before
            try:
                report = load_report(path)
                checks.check(path, report)
            except ReportError as exc:
                self._quarantine(path, str(exc), summary)
                accepted.append(
                    {
                        "report_id": path.stem,
                        "content_hash": content_hash,
                        "path": str(path),
                        "state": "quarantined",
                        "reason": str(exc),
                    }
                )
                continue
            if report.report_id in known:
                previous_hash, state = known[report.report_id]
                if previous_hash != content_hash:
                    reason = (
                        f"{path.name}: report id {report.report_id} was already taken "
                        f"({state}) with different content: not re-sent"
                    )
                    summary.conflicts.append(reason)
                    self._quarantine(path, reason, summary)
                continue
            known[report.report_id] = (content_hash, "validated")
            accepted.append(
                {
                    "report_id": report.report_id,
                    "content_hash": content_hash,
                    "path": str(path),
                    "state": "validated",
                    "valuation": valuation_to_json(report.to_valuation()),
                }
            )
        if accepted:
            self.outbox.insert_many(accepted)

    def _quarantine(self, path: Path, reason: str, summary: RunSummary) -> None:
        folder = path.parent / "quarantine"
        folder.mkdir(exist_ok=True)
        (folder / f"{path.name}.reason.txt").write_text(reason + "\n")
        shutil.move(str(path), folder / path.name)
        summary.quarantined[path.name] = reason
        self.log(f"quarantined {path.name}: {reason}")

    # ---- sign and send -----------------------------------------------------------------

    def sign_pending(self) -> None:
        """Sign every validated report; the signatures are committed (together) before
        anything is sent."""
        rows = self.outbox.rows("validated")
        if rows:
            domain = self.ledger.valuations.domain()
            self.outbox.set_signed(
                [
                    (
                        r.report_id,
                        sign_valuation(self.valuer, domain, valuation_from_json(r.valuation or {})),
                    )
                    for r in rows
                ]
            )
        _checkpoint("after_sign")

    def send_pending(self, summary: RunSummary) -> None:
        signed = self.outbox.rows("signed")
        for start in range(0, len(signed), self.batch_size):
            batch = signed[start : start + self.batch_size]
            self._send_batch(batch)
            summary.sent += len(batch)

    def _send_batch(self, batch: list[Row]) -> None:
        valuations = [valuation_from_json(r.valuation or {}) for r in batch]
        signatures = [r.signature or b"" for r in batch]
        nonce = max(
            self.w3.eth.get_transaction_count(self.relayer.address, "pending"),
            self.outbox.next_nonce() + 1,
        )
        call = self.ledger.valuations.contract.functions.attestBatch(
            [v.as_tuple() for v in valuations], signatures
        )
        # Explicit gas: an attestation costs at most ~170k (the first of a patent, with its
        # evidence entry); estimating a 100-item batch would execute it several times.
        gas = BATCH_BASE_GAS + ITEM_GAS * len(batch)
        tx = call.build_transaction(
            cast(TxParams, {"from": self.relayer.address, "nonce": Nonce(nonce), "gas": gas})
        )
        signed = self.relayer.sign_transaction(cast(dict[str, Any], tx))
        tx_hash = signed.hash.to_0x_hex()
        self.outbox.record_tx(
            tx_hash=tx_hash,
            nonce=nonce,
            raw=bytes(signed.raw_transaction),
            report_ids=[r.report_id for r in batch],
        )
        self._broadcast(bytes(signed.raw_transaction))
        self.log(f"sent {len(batch)} valuations in {tx_hash}")
        _checkpoint("after_send")

    def _broadcast(self, raw: bytes) -> None:
        try:
            self.w3.eth.send_raw_transaction(raw)
        except (Web3Exception, ValueError) as exc:
            if any(phrase in str(exc).lower() for phrase in GO_AND_CHECK):
                return  # the node has it, or it was mined: reconciliation will see
            raise

    # ---- reconcile ---------------------------------------------------------------------

    def reconcile(self, summary: RunSummary) -> None:
        """Bring sent transactions to a final state, from receipts and the registry."""
        _checkpoint("before_receipt")
        latest = self.w3.eth.block_number
        for tx_hash, _nonce, raw in self.outbox.txs("sent"):
            try:
                receipt = self.w3.eth.get_transaction_receipt(HexStr(tx_hash))
            except TransactionNotFound:
                receipt = None
            if receipt is None:
                self._broadcast(raw)  # dropped (a restart, an outage, a reorg): send again
                continue
            if latest - receipt["blockNumber"] + 1 < self.confirmations:
                continue
            _checkpoint("after_receipt")
            self._settle(tx_hash, receipt, summary)
        # Signed reports whose attestation is already on chain (a crash after sending
        # from another run, or another relayer) are confirmed, not sent again.
        for row in self.outbox.rows("signed"):
            if self.ledger.valuations.is_attested(bytes.fromhex(row.valuation["report_id"])):  # type: ignore[index]
                self.outbox.set_state([row.report_id], "confirmed", tx_hash=row.tx_hash)

    def _revert_reason(self, rows: list[Row], receipt: Any) -> str:
        """Why a batch reverted: the same call replayed on the state before its block,
        decoded into the named error (the reports are failed with it, not retried)."""
        call = self.ledger.valuations.contract.functions.attestBatch(
            [valuation_from_json(r.valuation or {}).as_tuple() for r in rows],
            [r.signature or b"" for r in rows],
        )
        try:
            call.call({"from": self.relayer.address}, block_identifier=receipt["blockNumber"] - 1)
        except ContractLogicError as exc:
            return f"reverted: {self.ledger.decoder.from_exception(exc)}"
        return "reverted (out of gas or a reason the replay could not reproduce)"

    def _settle(self, tx_hash: str, receipt: Any, summary: RunSummary) -> None:
        rows = self.outbox.reports_of(tx_hash)
        skipped = {
            e["args"]["reportId"]: REJECTIONS[e["args"]["reason"]]
            for e in self.ledger.valuations.events(receipt, "AttestationSkipped")
        }
        confirmed, rejected = [], {}
        reverted = None if receipt["status"] == 1 else self._revert_reason(rows, receipt)
        for row in rows:
            rid = bytes.fromhex(row.valuation["report_id"])  # type: ignore[index]
            reason = skipped.get(rid) if reverted is None else reverted
            if reason is None:
                confirmed.append(row.report_id)  # attested by this very transaction
            elif reason == "AlreadyAttested" and self.ledger.valuations.is_attested(rid):
                confirmed.append(row.report_id)  # on chain once, by an earlier send
            else:
                rejected[row.report_id] = reason
        self.outbox.set_tx(
            tx_hash,
            "mined",
            block_number=receipt["blockNumber"],
            block_hash=receipt["blockHash"].to_0x_hex(),
        )
        if confirmed:
            self.outbox.set_state(confirmed, "confirmed", tx_hash=tx_hash)
            summary.confirmed += len(confirmed)
        for report_id, reason in rejected.items():
            self.outbox.set_state([report_id], "rejected", reason=reason, tx_hash=tx_hash)
            summary.failed += 1
