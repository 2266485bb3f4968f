"""The valuation mirror: report files -> validated -> signed -> sent -> confirmed, once.

Each step commits its outcome to the outbox before the next step's side effect; the
raw transaction is stored before it is broadcast. On start the mirror reconciles the
outbox with the chain (receipts by stored hash, `isAttested`) before sending anything
new, so a crash or an outage at any point is resumed without a duplicate or a loss.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from eth_account.signers.local import LocalAccount
from eth_utils.exceptions import ValidationError
from web3 import Web3
from web3.exceptions import Web3Exception
from web3.types import TxParams

from ipledger.chain.eip712 import sign_valuation
from ipledger.chain.tx import broadcast, build, ether, gas_money_error, sign
from ipledger.clients.ledger import Ledger
from ipledger.errors import ContractRevertError, InsufficientFundsError
from ipledger.mirror.common import (
    CRASH_ENV,
    TRANSIENT,
    MirrorError,
    RunSummary,
    checkpoint,
    signed_items,
    valuation_of,
)
from ipledger.mirror.intake import Intake
from ipledger.mirror.outbox import Outbox, Row
from ipledger.mirror.settle import Settlement

__all__ = ["CRASH_ENV", "DEFAULT_LOCK_DIR", "LOCK_DIR_ENV", "Mirror", "MirrorError", "RunSummary"]

LOCK_DIR_ENV = "IPLEDGER_LOCK_DIR"
DEFAULT_LOCK_DIR = Path.home() / ".ipledger" / "locks"
ITEM_GAS = 230_000  # per attestation: the worst case measured (~168k) plus a margin
BATCH_BASE_GAS = 60_000


class Mirror(Intake, Settlement):
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
        try:
            outbox.bind(chain_id, ledger.valuations.address)
        except Exception:
            self._lock.close()
            raise

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
                    valuation = valuation_of(r)
                    signed.append((r.report_id, sign_valuation(self.valuer, domain, valuation)))
                except Exception as exc:  # the per-row error boundary
                    # One row that cannot be signed never holds up the others.
                    self.outbox.set_state([r.report_id], "rejected", reason=f"cannot sign: {exc}")
            if signed:
                self.outbox.set_signed(signed)
        checkpoint("after_sign")

    def _check_gas_money(self, tx: TxParams, reports: int) -> None:
        """Refuse, before anything is recorded as sent, a batch the relayer cannot pay for."""
        price = int(cast(int, tx.get("maxFeePerGas", tx.get("gasPrice", 0))))
        need = int(tx["gas"]) * price
        balance = self.w3.eth.get_balance(self.relayer.address)
        if balance < need:
            raise InsufficientFundsError(
                f"the mirror's relayer {self.relayer.address} holds {ether(balance)}; "
                f"sending {reports} valuation(s) needs up to {ether(need)} of gas money: "
                "fund it and run the mirror again (nothing was sent; the reports stay signed)"
            )

    def send_pending(self, summary: RunSummary) -> None:
        # Attested on chain but not yet matched to what was signed: never sent again.
        signed = [r for r in self.outbox.rows("signed") if r.report_id not in self._unverified]
        # Oldest valuation first: each then goes to the head of its patent's list (no walk).
        together = sorted(
            (r for r in signed if not r.solo), key=lambda r: valuation_of(r).valuation_date
        )
        batches = [
            together[i : i + self.batch_size] for i in range(0, len(together), self.batch_size)
        ]
        batches += [[r] for r in signed if r.solo]  # their batch reverted: one by one
        for batch in batches:
            self._send_batch(batch)
            summary.sent += len(batch)

    def _batch_tx(self, batch: list[Row], nonce: int) -> TxParams:
        call = self.ledger.valuations.batch_call(signed_items(batch))
        # Explicit gas for batches: an attestation costs at most ~170k (the first of a
        # patent, with its evidence entry); estimating a 100-item batch would execute it
        # several times. A report sent alone (its batch reverted) gets what the node
        # estimates, with a margin: a long walk past dead entries must not sink it twice.
        gas: int | None = BATCH_BASE_GAS + ITEM_GAS * len(batch)
        if len(batch) == 1:
            gas = None
        context = f"attestBatch of {len(batch)}"
        address, decoder = self.relayer.address, self.ledger.decoder
        try:
            tx = build(call, address, decoder=decoder, context=context, gas=gas, nonce=nonce)
        except ContractRevertError:
            # It would revert: sent anyway with the batch gas, so the mined failure settles
            # it (the replay names why) instead of being retried for ever.
            tx = build(
                call,
                address,
                decoder=decoder,
                context=context,
                gas=BATCH_BASE_GAS + ITEM_GAS,
                nonce=nonce,
            )
        if gas is None:
            tx["gas"] = max(int(tx["gas"]), BATCH_BASE_GAS + ITEM_GAS)
        return tx

    def _send_batch(self, batch: list[Row]) -> None:
        nonce = max(
            self.w3.eth.get_transaction_count(self.relayer.address, "pending"),
            self.outbox.next_nonce(self.relayer.address) + 1,
        )
        try:
            tx = self._batch_tx(batch, nonce)
        except (Web3Exception, ValueError, ValidationError) as exc:
            unfunded = gas_money_error(self.w3, self.relayer.address, exc)
            if unfunded is None:
                raise
            raise unfunded from None
        self._check_gas_money(tx, len(batch))
        signed = sign(self.w3, self.relayer, tx)
        self.outbox.record_tx(
            tx_hash=signed.tx_hash,
            nonce=signed.nonce,
            raw=signed.raw,
            report_ids=[r.report_id for r in batch],
            sender=self.relayer.address,
        )
        try:
            broadcast(self.w3, signed.raw)
        except (Web3Exception, ValueError, ValidationError) as exc:
            unfunded = gas_money_error(self.w3, self.relayer.address, exc, tx)
            if unfunded is None:
                raise  # it may have reached the node: it stays sent, and is settled
            self.outbox.unsend(signed.tx_hash)  # refused: it never reached the node
            raise unfunded from None
        self.log(f"sent {len(batch)} valuations in {signed.tx_hash}")
        checkpoint("after_send")
