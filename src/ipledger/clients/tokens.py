"""Client of one patent's RevenueRightsToken."""

from __future__ import annotations

from eth_typing import ChecksumAddress
from web3.types import EventData, TxReceipt

from ipledger.chain.tx import Sender
from ipledger.clients.base import ContractClient
from ipledger.models import parse_address
from ipledger.models.reads import RevenueTotals


class RevenueRightsTokenClient(ContractClient):
    def balance_of(self, account: str) -> int:
        return int(self._call("balanceOf", parse_address(account)))

    def total_supply(self) -> int:
        return int(self._call("totalSupply"))

    def deposit_events(self, *, from_block: int | None = None) -> list[EventData]:
        """Every `RevenueDeposited` event of this token, in chain order."""
        start = self.first_block if from_block is None else from_block
        logs = self.contract.events.RevenueDeposited().get_logs(from_block=start)
        return sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))

    def transfer(self, to: str, amount: int, *, sender: Sender) -> TxReceipt:
        return self._send("transfer", parse_address(to), amount, sender=sender)

    def approve(self, spender: str, amount: int, *, sender: Sender) -> TxReceipt:
        return self._send("approve", parse_address(spender), amount, sender=sender)

    def allowance(self, owner: str, spender: str) -> int:
        return int(self._call("allowance", parse_address(owner), parse_address(spender)))

    def deposit_revenue(self, amount: int, report_hash: bytes, *, sender: Sender) -> TxReceipt:
        return self._send("depositRevenue", amount, report_hash, sender=sender)

    def claimable(self, account: str) -> int:
        return int(self._call("claimableRevenue", parse_address(account)))

    def claim(self, *, sender: Sender) -> tuple[int, TxReceipt]:
        receipt = self._send("claimRevenue", sender=sender)
        events = self.events(receipt, "RevenueClaimed")
        return (int(events[0]["args"]["amount"]) if events else 0), receipt

    def pause(self, *, sender: Sender) -> TxReceipt:
        return self._send("pause", sender=sender)

    def unpause(self, *, sender: Sender) -> TxReceipt:
        return self._send("unpause", sender=sender)

    def set_frozen(self, account: str, frozen: bool, *, sender: Sender) -> TxReceipt:
        return self._send("setFrozen", parse_address(account), frozen, sender=sender)

    def forced_transfer(
        self, source: str, to: str, amount: int, *, evidence_hash: bytes, sender: Sender
    ) -> TxReceipt:
        return self._send(
            "forcedTransfer",
            parse_address(source),
            parse_address(to),
            amount,
            evidence_hash,
            sender=sender,
        )

    def recover_account(
        self, source: str, to: str, *, evidence_hash: bytes, sender: Sender
    ) -> TxReceipt:
        """Move all of `source`'s tokens and unclaimed revenue to `to` (agent)."""
        return self._send(
            "recoverAccount", parse_address(source), parse_address(to), evidence_hash, sender=sender
        )

    def patent_id(self) -> bytes:
        return bytes(self._call("patentId"))

    def payment_token(self) -> ChecksumAddress:
        address: ChecksumAddress = self._call("paymentToken")
        return address

    def paused(self) -> bool:
        return bool(self._call("paused"))

    def is_frozen(self, account: str) -> bool:
        return bool(self._call("isFrozen", parse_address(account)))

    def totals(self) -> RevenueTotals:
        deposited, held, deposits = self._call("revenueTotals")
        return RevenueTotals(deposited=deposited, held=held, deposits=deposits)
