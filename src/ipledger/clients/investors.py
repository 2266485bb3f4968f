"""Client of the InvestorRegistry."""

from __future__ import annotations

from web3.types import TxReceipt

from ipledger.chain.tx import Sender
from ipledger.clients.base import AccessControlled
from ipledger.models import InvestorRecord, jurisdiction_bytes, parse_address


class InvestorRegistryClient(AccessControlled):
    def set_investor(
        self, account: str, *, jurisdiction: str, expiry: int, sender: Sender
    ) -> TxReceipt:
        return self._send(
            "setInvestor",
            parse_address(account),
            jurisdiction_bytes(jurisdiction),
            expiry,
            sender=sender,
        )

    def remove_investor(self, account: str, *, sender: Sender) -> TxReceipt:
        return self._send("removeInvestor", parse_address(account), sender=sender)

    def is_eligible(self, account: str) -> bool:
        return bool(self._call("isEligible", parse_address(account)))

    def investor(self, account: str) -> InvestorRecord:
        checksum = parse_address(account)
        jurisdiction, expiry, updated_at = self._call("investor", checksum)
        return InvestorRecord(
            account=checksum,
            jurisdiction=jurisdiction.decode("ascii"),
            expiry=expiry,
            updated_at=updated_at,
        )
