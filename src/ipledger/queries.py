"""What investors and regulators read from the ledger."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from eth_typing import ChecksumAddress
from pydantic import BaseModel, ConfigDict
from web3 import Web3

from ipledger.evidence import TrailVerification, verify_entries
from ipledger.ledger import Ledger
from ipledger.types import LatestValuation


def evidence_trail(
    ledger: Ledger, patent_id: bytes, *, documents: Path | None = None
) -> TrailVerification:
    """A patent's evidence trail rebuilt from events and verified against the chain's
    head (and, given `documents`, each document's sha256 against its entry)."""
    head_hash, count = ledger.evidence.head(patent_id)
    entries = ledger.evidence.entries(patent_id)
    return verify_entries(
        entries, patent_id=patent_id, head_hash=head_hash, count=count, documents=documents
    )


class Holding(BaseModel):
    """One patent an investor holds revenue-rights tokens of."""

    model_config = ConfigDict(frozen=True)

    patent_id: bytes
    token: ChecksumAddress
    balance: int  # token base units
    total_supply: int
    claimable: int  # payment-token base units
    payment_token: ChecksumAddress
    valuation: LatestValuation | None  # the latest valid valuation, if any

    @property
    def share(self) -> Fraction:
        return Fraction(self.balance, self.total_supply)

    @property
    def implied_value(self) -> int | None:
        """balance / supply x the latest valid valuation, in the valuation's minor
        units, rounded down (exact integer arithmetic)."""
        if self.valuation is None:
            return None
        return self.balance * self.valuation.value // self.total_supply


class Holdings(BaseModel):
    model_config = ConfigDict(frozen=True)

    investor: ChecksumAddress
    holdings: list[Holding]


def holdings(ledger: Ledger, investor: str) -> Holdings:
    """Every patent `investor` holds tokens of, read token by token."""
    account = Web3.to_checksum_address(investor)
    found: list[Holding] = []
    for pid in ledger.patents.patent_ids():
        address = ledger.patents.token_of(pid)
        if address is None:
            continue
        token = ledger.token(address)
        balance = token.balance_of(account)
        if balance == 0:
            continue
        found.append(
            Holding(
                patent_id=pid,
                token=address,
                balance=balance,
                total_supply=token.total_supply(),
                claimable=token.claimable(account),
                payment_token=token.payment_token(),
                valuation=ledger.valuations.latest_valuation(pid),
            )
        )
    return Holdings(investor=account, holdings=found)
