"""A tokenised patent with listed investors, on the session ledger (reverted per test)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ipledger.clients import RevenueRightsTokenClient
from ipledger.clients.base import ContractClient
from ipledger.deploy import deploy_artifact
from ipledger.ledger import Ledger
from ipledger.types import Field, Status
from tests.chaintools import now
from tests.conftest import HKD, TOKEN, YEAR, Actors

SUPPLY = 1_000_000 * TOKEN
VALUER_KEY = keccak(text="accredited valuer, HKSTP valuation centre")


@dataclass(frozen=True)
class Market:
    ledger: Ledger
    actors: Actors
    patent_id: bytes
    token: RevenueRightsTokenClient
    payment: ContractClient


def open_market(
    ledger: Ledger, actors: Actors, *, payment_contract: str = "TestHKD", number: str = "30012345"
) -> Market:
    """Register and tokenise a patent paying in `payment_contract`; list the investors;
    fund the issuer with 10M of the payment token and approve the revenue token."""
    w3 = ledger.w3
    if payment_contract == "TestHKD":
        payment_address = ledger.addresses.payment_token
        mint_args: tuple[object, ...] = ()
    else:
        payment_address, _ = deploy_artifact(
            w3=w3, artifact=ledger.artifacts[payment_contract], sender=actors.admin
        )
        mint_args = ()
    payment = ledger.client(payment_contract, payment_address)
    pid = ledger.patents.register_patent(
        jurisdiction="HK",
        publication_number=number,
        owner=actors.issuer.address,
        field=Field.MECHANICAL,
        status=Status.GRANTED,
        expiry=now(w3) + 15 * YEAR,
        metadata_hash=b"\x01" * 32,
        sender=actors.admin,
    )
    address, _ = ledger.patents.tokenize(
        pid,
        name=f"HK {number} revenue rights",
        symbol=f"RR{number}",
        supply=SUPPLY,
        initial_holder=actors.issuer.address,
        payment_token=payment_address,
        sender=actors.admin,
    )
    for investor in actors.investors:
        ledger.investors.set_investor(
            investor.address, jurisdiction="HK", expiry=now(w3) + 5 * YEAR, sender=actors.admin
        )
    payment._send("mint", actors.issuer.address, 10_000_000 * HKD, *mint_args, sender=actors.admin)
    payment._send("approve", address, 2**256 - 1, sender=actors.issuer)
    return Market(ledger, actors, pid, ledger.token(address), payment)


@pytest.fixture
def market(ledger: Ledger, actors: Actors) -> Market:
    return open_market(ledger, actors)


@pytest.fixture
def valuer(market: Market) -> LocalAccount:
    account: LocalAccount = Account.from_key(VALUER_KEY)
    market.ledger.valuations.set_valuer(
        account.address,
        name="HK Technology & Innovation Support Centre",
        jurisdiction="HK",
        accredited_until=now(market.ledger.w3) + YEAR,
        sender=market.actors.admin,
    )
    return account
