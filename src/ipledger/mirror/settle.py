"""Settling what the mirror sent: receipts, replaced nonces, reverted batches, and
reports the chain already holds (confirmed only when it holds what was signed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from eth_utils.exceptions import ValidationError
from web3 import Web3
from web3.exceptions import TransactionNotFound, Web3Exception

from ipledger.chain.tx import broadcast, gas_money_error, replay_revert
from ipledger.clients.ledger import Ledger
from ipledger.mirror.common import (
    RunSummary,
    checkpoint,
    report_id_of_row,
    same_basis,
    same_valuation,
    signed_items,
    valuation_of,
)
from ipledger.mirror.outbox import Outbox, Row

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
    "LabelMismatch",
]  # IValuationRegistry.Rejection, by value


class Settlement:
    """Mixed into `Mirror`: the attributes below are the mirror's."""

    w3: Web3
    ledger: Ledger
    outbox: Outbox
    relayer: LocalAccount
    confirmations: int
    from_block: int
    log: Callable[[str], None]
    _unverified: set[str]

    def reconcile(self, summary: RunSummary) -> None:
        """Bring sent transactions to a final state, from receipts and the registry."""
        self.outbox.release_stranded()  # reports of a finished transaction, if any
        self._unverified = set()
        latest = self.w3.eth.block_number
        for tx_hash, nonce, raw in self.outbox.txs("sent"):
            checkpoint("before_receipt")
            receipt = self._receipt(tx_hash)
            if receipt is None and self._nonce_taken(nonce):
                receipt = self._receipt(tx_hash)  # mined just now, after all?
                if receipt is None:
                    self._replaced(tx_hash, nonce)
                    continue
            if receipt is None:  # dropped (a restart, an outage, a reorg): send again
                self._rebroadcast(tx_hash, raw)
                continue
            if latest - receipt["blockNumber"] + 1 < self.confirmations:
                continue
            checkpoint("after_receipt")
            self._settle(tx_hash, receipt, summary)
        # Signed reports whose attestation is already on chain (a crash after sending
        # from another run, or another relayer) are confirmed, not sent again, when the
        # chain holds what this outbox signed.
        verdicts: dict[str, tuple[str, str | None]] = {}
        for row in self.outbox.rows("signed"):
            if self.ledger.valuations.is_attested(report_id_of_row(row)):
                verdict = self._judge(row)
                if verdict is None:
                    self._unverified.add(row.report_id)
                else:
                    verdicts[row.report_id] = verdict
        if verdicts:
            self.outbox.set_verdicts(verdicts)
            self._record_verdicts(verdicts, summary)

    def _rebroadcast(self, tx_hash: str, raw: bytes) -> None:
        """Send a dropped transaction again; one the node refuses for want of gas money
        never reached it: forgotten, its reports signed again, and the error raised."""
        try:
            broadcast(self.w3, raw)
        except (Web3Exception, ValueError, ValidationError) as exc:
            unfunded = gas_money_error(self.w3, self.relayer.address, exc)
            if unfunded is None:
                raise
            self.outbox.unsend(tx_hash)
            raise unfunded from None

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
        event = self.ledger.valuations.attested_event(
            report_id_of_row(row), from_block=self.from_block
        )
        basis = self.ledger.valuations.basis_event(
            report_id_of_row(row), from_block=self.from_block
        )
        if event is None or basis is None:
            self.log(f"{row.report_id}: attested, but its event is not found yet")
            return None
        signed = valuation_of(row)
        if same_valuation(event["args"], signed) and same_basis(basis["args"], signed):
            return ("confirmed", None)
        where = f"block {event['blockNumber']}"
        return (
            "conflict",
            f"report id is attested on chain ({where}) with other content than was signed",
        )

    def _record_verdicts(
        self, verdicts: dict[str, tuple[str, str | None]], summary: RunSummary
    ) -> None:
        """Each outcome is logged and counted for this run; conflicts are told in full."""
        for report_id, (state, reason) in verdicts.items():
            summary.settled[state] = summary.settled.get(state, 0) + 1
            self.log(f"{report_id}: {state}" + (f" ({reason})" if reason else ""))
        summary.conflicts += [
            f"{report_id}: {reason}"
            for report_id, (state, reason) in verdicts.items()
            if state == "conflict"
        ]

    def _revert_reason(self, rows: list[Row], receipt: Any) -> str:
        """Why a batch reverted: the same call replayed on the state before its block,
        decoded into the named error (the reports are failed with it, not retried)."""
        call = self.ledger.valuations.batch_call(signed_items(rows))
        error = replay_revert(
            call,
            self.relayer.address,
            receipt["blockNumber"],
            decoder=self.ledger.decoder,
            context="",
        )
        if error is None:
            return "reverted (out of gas or a reason the replay could not reproduce)"
        return str(error)  # "reverted with TheError(arguments)"

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
            reason = skipped.get(report_id_of_row(row)) if reverted is None else reverted
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
