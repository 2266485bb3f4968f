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
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from web3 import Web3
from web3.exceptions import TransactionNotFound, Web3Exception, Web3RPCError

from ipledger.chain.eip712 import sign_valuation
from ipledger.chain.tx import broadcast, build, replay_revert, sign
from ipledger.clients.ledger import Ledger
from ipledger.errors import ContractRevertError, IpledgerError
from ipledger.mirror.checks import ChainChecks
from ipledger.mirror.outbox import Outbox, Row
from ipledger.mirror.quarantine import Quarantine
from ipledger.mirror.reports import ReportError, load_report, read_report_bytes
from ipledger.models import Valuation

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
    "ReportIdNotValuers",
    "Expired",
    "TooOld",
    "Superseded",
]  # IValuationRegistry.Rejection, by value
LOCK_DIR_ENV = "IPLEDGER_LOCK_DIR"
DEFAULT_LOCK_DIR = Path.home() / ".ipledger" / "locks"
ITEM_GAS = 230_000  # per attestation: the worst case measured (~168k) plus a margin
BATCH_BASE_GAS = 60_000
CRASH_ENV = "IPLEDGER_MIRROR_CRASH_AT"  # fault injection for the crash-safety harness
# Failures that mean "the node is away for now", not "the request is wrong".
TRANSIENT = (
    ConnectionError,
    TimeoutError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    Web3RPCError,  # a node's own error answer: rate limited (-32005), header not found...
)


class MirrorError(IpledgerError):
    """The mirror cannot run as configured."""


class ReportConflictError(ReportError):
    """A report reuses the id of one already taken in, with other content."""


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
        lock_dir: Path | None = None,
        from_block: int = 0,
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
        self.from_block = from_block  # the registry's deployment block: logs start there
        self._unverified: set[str] = set()  # attested, event not found yet: not to be sent
        if self.w3.eth.chain_id != chain_id:
            raise MirrorError(
                f"the node is chain {self.w3.eth.chain_id}, but the mirror is configured for "
                f"chain {chain_id}: refusing to sign or send"
            )
        self._lock = self._acquire_lock(lock_dir or DEFAULT_LOCK_DIR, chain_id)

    def _acquire_lock(self, lock_dir: Path, chain_id: int) -> Any:
        """One mirror per valuer key and chain on this machine, wherever its outbox is:
        two would sign and send the same reports from two outboxes."""
        lock_dir.mkdir(parents=True, exist_ok=True)
        path = lock_dir / f"mirror-{chain_id}-{self.valuer.address}.lock"
        handle = path.open("a")
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
        """Validate every new report file; record the valid ones (one commit per pass).
        Each entry is handled inside its own error boundary: no file can stop a pass."""
        known = self.outbox.known()
        left = self.outbox.left_in_place()
        checks = ChainChecks(self.ledger, self.valuer.address)
        accepted: list[dict[str, Any]] = []
        with Quarantine(source) as quarantine:
            with os.scandir(source) as entries:
                names = sorted(e.name for e in entries if e.name.endswith(".json"))
            for name in names:
                path = source / name
                try:
                    if _safe(name) != name:
                        raise ReportError(path, "file", "its name is not UTF-8")
                    row = self._take_in(path, known, checks)
                except FileNotFoundError:
                    continue  # vanished between listing and reading
                except (*TRANSIENT, Web3Exception):
                    raise  # the node's fault, not the file's: the pass is retried or stops
                except Exception as exc:  # the per-file error boundary
                    reason = str(exc) if isinstance(exc, ReportError) else f"{name}: {exc}"
                    if isinstance(exc, ReportConflictError):
                        summary.conflicts.append(reason)
                    self._quarantine(path, quarantine, reason, summary, left)
                    continue
                if row is not None:
                    known[row["report_id"]] = (row["content_hash"], "validated")
                    accepted.append(row)
        if accepted:
            self.outbox.insert_many(accepted)

    def _take_in(
        self, path: Path, known: dict[str, tuple[str, str]], checks: ChainChecks
    ) -> dict[str, Any] | None:
        """The outbox row of a new valid report; None for one already taken in."""
        raw = read_report_bytes(path)
        content_hash = hashlib.sha256(raw).hexdigest()
        if known.get(path.stem, ("", ""))[0] == content_hash:
            return None  # this very file was taken in before
        report = load_report(path, raw)
        checks.check(path, report)
        if report.report_id in known:
            previous_hash, state = known[report.report_id]
            if previous_hash != content_hash:
                raise ReportConflictError(
                    path,
                    "reportId",
                    f"{report.report_id} was already taken ({state}) with different "
                    "content: not re-sent",
                )
            return None
        return {
            "report_id": report.report_id,
            "content_hash": content_hash,
            "path": str(path),
            "valuation": report.to_valuation(),
        }

    def _quarantine(
        self,
        path: Path,
        quarantine: Quarantine,
        reason: str,
        summary: RunSummary,
        left: set[tuple[str, str | None]],
    ) -> None:
        try:
            content_hash: str | None = hashlib.sha256(read_report_bytes(path)).hexdigest()
        except (ReportError, OSError):
            content_hash = None
        reason = _safe(reason)  # a file name's undecodable bytes, escaped
        if (_safe(path.name), content_hash) in left:
            return  # recorded on an earlier pass, and could not be moved then either
        try:
            where = quarantine.move(path.name, reason)
        except OSError as exc:  # whatever the folder does, the pass goes on
            where = f"left in place: {exc.strerror}"
        moved = not where.startswith("left in place")
        self.outbox.quarantine(
            file=_safe(path.name),
            moved_to=where if moved else None,
            content_hash=content_hash,
            reason=reason if moved else f"{reason} ({where})",
        )
        summary.quarantined[_safe(path.name)] = reason
        self.log(f"quarantined {_safe(path.name)}: {reason}")

    # ---- sign and send -----------------------------------------------------------------

    def sign_pending(self) -> None:
        """Sign every validated report; the signatures are committed (together) before
        anything is sent."""
        rows = self.outbox.rows("validated")
        if rows:
            domain = self.ledger.valuations.domain()
            signed: list[tuple[str, bytes]] = []
            for r in rows:
                try:
                    valuation = _valuation(r)
                    signed.append((r.report_id, sign_valuation(self.valuer, domain, valuation)))
                except Exception as exc:  # the per-row error boundary
                    # One row that cannot be signed never holds up the others.
                    self.outbox.set_state([r.report_id], "rejected", reason=f"cannot sign: {exc}")
            if signed:
                self.outbox.set_signed(signed)
        _checkpoint("after_sign")

    def send_pending(self, summary: RunSummary) -> None:
        # Attested on chain but not yet matched to what was signed: never sent again.
        signed = [r for r in self.outbox.rows("signed") if r.report_id not in self._unverified]
        # Oldest valuation first: each then goes to the head of its patent's list (no walk).
        together = sorted(
            (r for r in signed if not r.solo), key=lambda r: _valuation(r).valuation_date
        )
        batches = [
            together[i : i + self.batch_size] for i in range(0, len(together), self.batch_size)
        ]
        batches += [[r] for r in signed if r.solo]  # their batch reverted: one by one
        for batch in batches:
            self._send_batch(batch)
            summary.sent += len(batch)

    def _send_batch(self, batch: list[Row]) -> None:
        nonce = max(
            self.w3.eth.get_transaction_count(self.relayer.address, "pending"),
            self.outbox.next_nonce() + 1,
        )
        call = self.ledger.valuations.batch_call(_signed_items(batch))
        # Explicit gas for batches: an attestation costs at most ~170k (the first of a
        # patent, with its evidence entry); estimating a 100-item batch would execute it
        # several times. A report sent alone (its batch reverted) gets what the node
        # estimates, with a margin: a long walk past dead entries must not sink it twice.
        gas: int | None = BATCH_BASE_GAS + ITEM_GAS * len(batch)
        if len(batch) == 1:
            gas = None
        context = f"attestBatch of {len(batch)}"
        try:
            tx = build(
                call,
                self.relayer.address,
                decoder=self.ledger.decoder,
                context=context,
                gas=gas,
                nonce=nonce,
            )
        except ContractRevertError:
            # It would revert: sent anyway with the batch gas, so the mined failure settles
            # it (the replay names why) instead of being retried for ever.
            tx = build(
                call,
                self.relayer.address,
                decoder=self.ledger.decoder,
                context=context,
                gas=BATCH_BASE_GAS + ITEM_GAS,
                nonce=nonce,
            )
        if gas is None:
            tx["gas"] = max(int(tx["gas"]), BATCH_BASE_GAS + ITEM_GAS)
        signed = sign(self.w3, self.relayer, tx)
        self.outbox.record_tx(
            tx_hash=signed.tx_hash,
            nonce=signed.nonce,
            raw=signed.raw,
            report_ids=[r.report_id for r in batch],
        )
        broadcast(self.w3, signed.raw)
        self.log(f"sent {len(batch)} valuations in {signed.tx_hash}")
        _checkpoint("after_send")

    # ---- reconcile ---------------------------------------------------------------------

    def reconcile(self, summary: RunSummary) -> None:
        """Bring sent transactions to a final state, from receipts and the registry."""
        self.outbox.release_stranded()  # reports of a finished transaction, if any
        self._unverified = set()
        latest = self.w3.eth.block_number
        for tx_hash, nonce, raw in self.outbox.txs("sent"):
            _checkpoint("before_receipt")
            receipt = self._receipt(tx_hash)
            if receipt is None and self._nonce_taken(nonce):
                receipt = self._receipt(tx_hash)  # mined just now, after all?
                if receipt is None:
                    self._replaced(tx_hash, nonce)
                    continue
            if receipt is None:
                broadcast(self.w3, raw)  # dropped (a restart, an outage, a reorg): send again
                continue
            if latest - receipt["blockNumber"] + 1 < self.confirmations:
                continue
            _checkpoint("after_receipt")
            self._settle(tx_hash, receipt, summary)
        # Signed reports whose attestation is already on chain (a crash after sending
        # from another run, or another relayer) are confirmed, not sent again, when the
        # chain holds what this outbox signed.
        verdicts: dict[str, tuple[str, str | None]] = {}
        for row in self.outbox.rows("signed"):
            if self.ledger.valuations.is_attested(_report_id(row)):
                verdict = self._judge(row)
                if verdict is None:
                    self._unverified.add(row.report_id)
                else:
                    verdicts[row.report_id] = verdict
        if verdicts:
            self.outbox.set_verdicts(verdicts)
            self._record_verdicts(verdicts, summary)

    def _receipt(self, tx_hash: str) -> Any:
        try:
            return self.w3.eth.get_transaction_receipt(HexStr(tx_hash))
        except TransactionNotFound:
            return None

    def _nonce_taken(self, nonce: int) -> bool:
        """Whether a mined transaction of the relayer's already used `nonce`."""
        return int(self.w3.eth.get_transaction_count(self.relayer.address, "latest")) > nonce

    def _replaced(self, tx_hash: str, nonce: int) -> None:
        """Another transaction took this one's nonce, so it can never be mined: its
        reports go back to `signed` (in the same commit), to be re-sent at a fresh nonce;
        those the other transaction attested are confirmed by the check that follows."""
        rows = self.outbox.reports_of(tx_hash)
        self.outbox.finish_tx(tx_hash, "replaced", retry=[r.report_id for r in rows])
        self.log(f"nonce {nonce} of {tx_hash} was taken by another transaction: re-sending")

    def _judge(self, row: Row) -> tuple[str, str | None] | None:
        """For a report whose id is attested on chain: ("confirmed", None) when the chain
        holds exactly what this outbox signed, ("conflict", why) when it holds something
        else, None when the attestation's event cannot be found yet (try again later)."""
        event = self.ledger.valuations.attested_event(_report_id(row), from_block=self.from_block)
        if event is None:
            self.log(f"{row.report_id}: attested, but its event is not found yet")
            return None
        if _same_valuation(event["args"], _valuation(row)):
            return ("confirmed", None)
        where = f"block {event['blockNumber']}"
        return (
            "conflict",
            f"report id is attested on chain ({where}) with other content than was signed",
        )

    def _record_verdicts(
        self, verdicts: dict[str, tuple[str, str | None]], summary: RunSummary
    ) -> None:
        for report_id, (state, reason) in verdicts.items():
            if state == "confirmed":
                summary.confirmed += 1
            elif state == "conflict":
                summary.conflicts.append(f"{report_id}: {reason}")
            else:
                summary.failed += 1

    def _revert_reason(self, rows: list[Row], receipt: Any) -> str:
        """Why a batch reverted: the same call replayed on the state before its block,
        decoded into the named error (the reports are failed with it, not retried)."""
        call = self.ledger.valuations.batch_call(_signed_items(rows))
        error = replay_revert(
            call,
            self.relayer.address,
            receipt["blockNumber"],
            decoder=self.ledger.decoder,
            context="",
        )
        if error is None:
            return "reverted (out of gas or a reason the replay could not reproduce)"
        return f"reverted: {error}"

    def _settle(self, tx_hash: str, receipt: Any, summary: RunSummary) -> None:
        """A mined transaction's outcome: every read first, then the transaction and all
        its reports in one commit (a crash or an outage between them would strand them)."""
        rows = self.outbox.reports_of(tx_hash)
        block = {
            "block_number": receipt["blockNumber"],
            "block_hash": receipt["blockHash"].to_0x_hex(),
        }
        if receipt["status"] != 1 and len(rows) > 1:
            # One report can sink a batch (out of gas, a reverting contract valuer): the
            # batch is retried one report per transaction, so the innocent ones go through.
            ids = [r.report_id for r in rows]
            self.outbox.finish_tx(tx_hash, "failed", retry=ids, solo=True, **block)
            self.log(f"batch {tx_hash} reverted: retrying its {len(rows)} reports one by one")
            return
        skipped = {
            e["args"]["reportId"]: REJECTIONS[e["args"]["reason"]]
            for e in self.ledger.valuations.events(receipt, "AttestationSkipped")
        }
        reverted = None if receipt["status"] == 1 else self._revert_reason(rows, receipt)
        verdicts: dict[str, tuple[str, str | None]] = {}
        later: list[str] = []  # attested earlier, event not found yet: back to signed
        for row in rows:
            reason = skipped.get(_report_id(row)) if reverted is None else reverted
            if reason is None:  # attested by this very transaction
                verdicts[row.report_id] = ("confirmed", None)
            elif reason == "AlreadyAttested":  # by an earlier send of ours, or not ours
                verdict = self._judge(row)
                if verdict is None:
                    later.append(row.report_id)
                else:
                    verdicts[row.report_id] = verdict
            else:
                verdicts[row.report_id] = ("rejected", reason)
        self.outbox.finish_tx(tx_hash, "mined", verdicts=verdicts, retry=later, **block)
        self._record_verdicts(verdicts, summary)


def _signed_items(rows: list[Row]) -> list[tuple[Valuation, bytes]]:
    return [(_valuation(r), r.signature or b"") for r in rows]


def _safe(text: str) -> str:
    """`text` as valid UTF-8: a file name's undecodable bytes become escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _valuation(row: Row) -> Valuation:
    if row.valuation is None:
        raise MirrorError(f"outbox row {row.report_id} holds no valuation")
    return row.valuation


def _report_id(row: Row) -> bytes:
    return _valuation(row).report_id


def _same_valuation(args: Any, v: Valuation) -> bool:
    """Whether a `ValuationAttested` event records exactly the valuation `v`."""
    return (
        args["patentId"] == v.patent_id
        and args["valuer"] == v.valuer
        and args["value"] == v.value
        and args["currency"] == v.currency.encode("ascii")
        and args["valuationDate"] == v.valuation_date
        and args["validUntil"] == v.valid_until
        and args["method"] == int(v.method)
        and args["standard"] == v.standard
        and list(args["scores"])
        == [v.citation_network, v.commercial_application, v.technology_maturity, v.market_potential]
        and args["reportHash"] == v.report_hash
        and args["subsidised"] == v.subsidised
    )
