"""The ledger's contract suite as the chain tests find it: one account per role, and a
market (a tokenised patent with listed investors)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from web3 import Web3

from ipledger.chain.tx import NodeAccount, Sender
from ipledger.clients import RevenueRightsTokenClient
from ipledger.clients.base import ContractClient
from ipledger.clients.ledger import Ledger
from ipledger.deploy.records import Deployment
from ipledger.deploy.suite import deploy, deploy_artifact
from ipledger.models import Field, Role, Status
from ipledger.toolchain.artifacts import Artifact
from tests.support.chain import now

YEAR = 365 * 24 * 3600
HKD = 10**6  # TestHKD has 6 decimals
TOKEN = 10**18  # revenue-rights tokens have 18 decimals


@dataclass(frozen=True)
class Actors:
    admin: NodeAccount  # default admin, registrar, compliance
    agent: NodeAccount  # token agent: pause, freeze, forced transfer
    issuer: NodeAccount  # patent owner, initial holder, revenue depositor
    investors: tuple[NodeAccount, ...]
    outsider: NodeAccount  # holds no role and is not listed


@dataclass(frozen=True)
class SessionLedger:
    ledger: Ledger
    actors: Actors
    deployment: Deployment  # its record, for the CLI


def deploy_session_suite(w3: Web3, artifacts: Mapping[str, Artifact]) -> SessionLedger:
    """The suite with one account per role, as every chain test finds it."""
    accounts = [NodeAccount(a) for a in w3.eth.accounts]
    actors = Actors(
        admin=accounts[0],
        agent=accounts[1],
        issuer=accounts[2],
        investors=tuple(accounts[3:7]),
        outsider=accounts[7],
    )
    deployment = deploy(
        w3=w3,
        artifacts=artifacts,
        admin=actors.admin,
        operators={
            Role.TOKEN_AGENT: actors.agent.address,
            Role.REVENUE_DEPOSITOR: actors.issuer.address,
        },
    ).deployment
    ledger = Ledger.attach(w3=w3, artifacts=artifacts, addresses=deployment.addresses())
    return SessionLedger(ledger, actors, deployment)


def register(
    ledger: Ledger,
    admin: Sender,
    number: str,
    *,
    jurisdiction: str = "HK",
    owner: str | None = None,
    field: Field = Field.MECHANICAL,
) -> bytes:
    """Register a granted patent (term ending in 2**40 seconds) as `admin`; its id."""
    return ledger.patents.register_patent(
        jurisdiction=jurisdiction,
        publication_number=number,
        owner=owner or admin.address,
        field=field,
        status=Status.GRANTED,
        expiry=2**40,
        metadata_hash=b"\x01" * 32,
        sender=admin,
    )


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


def accredit_valuer(
    market: Market,
    key: bytes = VALUER_KEY,
    *,
    name: str = "HK Technology & Innovation Support Centre",
    jurisdiction: str = "HK",
) -> LocalAccount:
    """An accredited valuer (the market's own fixed key unless `key`), for a year."""
    account: LocalAccount = Account.from_key(key)
    market.ledger.valuations.set_valuer(
        account.address,
        name=name,
        jurisdiction=jurisdiction,
        accredited_until=now(market.ledger.w3) + YEAR,
        sender=market.actors.admin,
    )
    return account


def distribute(m: Market, shares: list[int]) -> None:
    """Issuer sells `shares[i]` whole tokens to investor i."""
    for investor, share in zip(m.actors.investors, shares, strict=False):
        m.token.transfer(investor.address, share * TOKEN, sender=m.actors.issuer)
