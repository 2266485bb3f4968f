"""Client of the LoanBook: loans against pledged revenue rights."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from web3.types import TxReceipt

from ipledger.chain.tx import Sender
from ipledger.clients.base import ContractClient
from ipledger.models import LoanHealth, LoanTerms, parse_address

PAGE = 200  # loan ids per `loansOf` call


class LoanBookClient(ContractClient):
    # ---- the lifecycle ---------------------------------------------------------------

    def offer(
        self, terms: LoanTerms, pledges: Sequence[tuple[bytes, int]], *, sender: Sender
    ) -> tuple[int, TxReceipt]:
        receipt = self._send("offer", terms.as_tuple(), list(pledges), sender=sender)
        [event] = self.events(receipt, "LoanOffered")
        return int(event["args"]["loanId"]), receipt

    def accept(self, loan_id: int, *, sender: Sender) -> TxReceipt:
        return self._send("accept", loan_id, sender=sender)

    def cancel(self, loan_id: int, *, sender: Sender) -> TxReceipt:
        return self._send("cancel", loan_id, sender=sender)

    def repay(self, loan_id: int, amount: int, *, sender: Sender) -> tuple[int, TxReceipt]:
        """Pays up to `amount` (0 only sweeps the pledges' revenue); what it paid."""
        receipt = self._send("repay", loan_id, amount, sender=sender)
        paid = sum(
            int(e["args"]["interest"]) + int(e["args"]["principal"])
            for e in self.events(receipt, "Repaid")
        )
        return paid, receipt

    def pledge_more(self, loan_id: int, pid: bytes, amount: int, *, sender: Sender) -> TxReceipt:
        return self._send("pledgeMore", loan_id, pid, amount, sender=sender)

    def call_loan(self, loan_id: int, notice_hash: bytes, *, sender: Sender) -> TxReceipt:
        return self._send("callLoan", loan_id, notice_hash, sender=sender)

    def cure(self, loan_id: int, *, sender: Sender) -> TxReceipt:
        return self._send("cure", loan_id, sender=sender)

    def bid(self, loan_id: int, price: int, *, sender: Sender) -> TxReceipt:
        return self._send("bid", loan_id, price, sender=sender)

    def enforce(
        self, loan_id: int, to: str, price: int, notice_hash: bytes, *, sender: Sender
    ) -> TxReceipt:
        return self._send("enforce", loan_id, parse_address(to), price, notice_hash, sender=sender)

    def withdraw(self, asset: str, *, sender: Sender) -> tuple[int, TxReceipt]:
        receipt = self._send("withdraw", parse_address(asset), sender=sender)
        [event] = self.events(receipt, "Withdrawn")
        return int(event["args"]["amount"]), receipt

    def set_guarantee(self, fund: str, share_bps: int, *, sender: Sender) -> TxReceipt:
        return self._send("setGuarantee", parse_address(fund), share_bps, sender=sender)

    def reclaim(self, token: str, *, sender: Sender) -> TxReceipt:
        return self._send("reclaim", parse_address(token), sender=sender)

    # ---- reads -----------------------------------------------------------------------

    def loan(self, loan_id: int) -> dict[str, Any]:
        """`loan(loanId)` as a dict of its ABI names."""
        names = [
            o["name"]
            for o in self.contract.get_function_by_name("loan").abi["outputs"][0]["components"]
        ]
        return dict(zip(names, self._call("loan", loan_id), strict=True))

    def health(self, loan_id: int) -> LoanHealth:
        return _health(self._call("health", loan_id))

    def health_of(self, loan_ids: Sequence[int]) -> list[LoanHealth]:
        return [_health(h) for h in self._call("healthOf", list(loan_ids))]

    def was_called(self, loan_id: int) -> bool:
        """Whether `loan_id` was ever called (a `LoanCalled` event), cured or not."""
        event = self.contract.events.LoanCalled
        logs = event.get_logs(from_block=self.first_block, argument_filters={"loanId": loan_id})
        return bool(logs)

    def loan_count(self) -> int:
        return int(self._call("loanCount"))

    def loans_of(self, account: str, *, as_lender: bool) -> list[int]:
        ids: list[int] = []
        while True:
            page, total = self._call("loansOf", parse_address(account), as_lender, len(ids), PAGE)
            ids += [int(i) for i in page]
            if len(ids) >= total or not page:
                return ids

    def pledged_of(self, borrower: str, pid: bytes) -> int:
        return int(self._call("pledgedOf", parse_address(borrower), pid))

    def held(self, borrower: str, token: str) -> int:
        return int(self._call("held", parse_address(borrower), parse_address(token)))

    def bid_of(self, loan_id: int, buyer: str) -> int:
        return int(self._call("bidOf", loan_id, parse_address(buyer)))

    def owed(self, account: str, asset: str) -> int:
        return int(self._call("owed", parse_address(account), parse_address(asset)))


def _health(raw: Sequence[Any]) -> LoanHealth:
    value, debt, ltv, healthy = raw
    return LoanHealth(collateral_value=value, debt=debt, ltv_bps=ltv, healthy=healthy)
