"""Operators' verbs from the command line, on either backend: each changes what it
names (read back through the clients), answers `--json` with decimal-string amounts,
and refuses with one line naming the problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils.crypto import keccak

from ipledger.models import EvidenceKind, Role, Status
from tests.support.chain import now
from tests.support.cli import Cli
from tests.support.suite import TOKEN, YEAR, Actors, Market, open_market
from tests.support.valuations import make_valuation, signed

pytestmark = pytest.mark.chain
PATENT = "HK 30012345"


@pytest.fixture
def market(cli: Cli, actors: Actors) -> Market:
    return open_market(cli.ledger, actors)


def _doc(tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_text(f"{name}: the signed original")
    return str(path)


def test_holders_transfer_and_approve_in_whole_tokens(cli: Cli, market: Market) -> None:
    issuer, (alice, bob, *_rest) = market.actors.issuer, market.actors.investors
    sent = cli.json("transfer", PATENT, "--to", alice.address, "--amount", "1.5", "--account", "2")
    assert sent["amount"] == "1500000000000000000"
    assert market.token.balance_of(alice.address) == 3 * TOKEN // 2
    allowed = cli.json(
        "approve", PATENT, "--spender", bob.address, "--amount", "2", "--account", "2"
    )
    assert allowed["allowance"] == str(2 * TOKEN)
    assert market.token.allowance(issuer.address, bob.address) == 2 * TOKEN
    outsider = market.actors.outsider.address
    line = cli.error("transfer", PATENT, "--to", outsider, "--amount", "1", "--account", "2")
    assert f"RevenueRightsNotEligible(account={outsider})" in line
    line = cli.error("transfer", PATENT, "--to", alice.address, "--amount", "0.0000000000000000001")
    assert "at most 18 decimal places" in line


def test_the_agent_pauses_freezes_and_forces_a_transfer(
    cli: Cli, market: Market, tmp_path: Path
) -> None:
    issuer, alice = market.actors.issuer, market.actors.investors[0]
    assert cli.json("pause", PATENT, "--account", "1")["paused"] is True
    assert market.token.paused()
    line = cli.error("transfer", PATENT, "--to", alice.address, "--amount", "1", "--account", "2")
    assert "RevenueRightsPaused()" in line
    assert cli.json("unpause", PATENT, "--account", "1")["paused"] is False
    assert cli.json("freeze", PATENT, alice.address, "--account", "1")["frozen"] is True
    assert market.token.is_frozen(alice.address)
    cli.json("unfreeze", PATENT, alice.address, "--account", "1")
    assert not market.token.is_frozen(alice.address)
    order = _doc(tmp_path, "court-order.pdf")
    forced = cli.json(
        "forced-transfer", PATENT, "--from", issuer.address, "--to", alice.address,
        "--amount", "10", "--evidence", order, "--account", "1",
    )  # fmt: skip
    assert market.token.balance_of(alice.address) == 10 * TOKEN
    [entry] = [
        e
        for e in market.ledger.evidence.entries(market.patent_id)
        if e.kind == EvidenceKind.COURT_ORDER
    ]
    assert "0x" + entry.content_hash.hex() == forced["evidenceHash"]
    line = cli.error("pause", PATENT, "--account", "3")  # an investor is no agent
    assert "AccessControlUnauthorizedAccount" in line


def test_the_registrar_records_status_and_owner(cli: Cli, market: Market) -> None:
    bob = market.actors.investors[1].address
    assert cli.json("patent", "set-owner", PATENT, bob)["owner"] == bob
    assert market.ledger.patents.patent(market.patent_id).owner == bob
    assert cli.json("patent", "set-status", PATENT, "lapsed")["status"] == "lapsed"
    assert market.ledger.patents.patent(market.patent_id).status == Status.LAPSED
    zero = "0x" + "00" * 20
    assert "PatentInvalidOwner" in cli.error("patent", "set-owner", PATENT, zero)
    assert "not registered" in cli.error("patent", "set-status", "HK 30099999", "granted")


def test_accreditation_and_revocation(
    cli: Cli, market: Market, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    valuer = Account.from_key(keccak(text="cli valuer"))
    until = now(market.ledger.w3) + YEAR
    accredited = cli.json(
        "valuer", "accredit", valuer.address, "--name", "V", "--until", str(until)
    )
    assert accredited["accreditedUntil"] == until
    assert market.ledger.valuations.accredited_until(valuer.address) == until
    t = now(market.ledger.w3)
    first, second = (
        make_valuation(valuer=valuer.address, patent_id=market.patent_id, now=t, n=n)
        for n in (1, 2)
    )
    for v in (first, second):
        market.ledger.valuations.attest(v, signed(market, valuer, v), sender=market.actors.admin)
    # The valuer revokes its own report by its own id, signing with its keystore.
    keystore = tmp_path / "valuer.json"
    keystore.write_text(json.dumps(Account.encrypt(valuer.key, "pw", iterations=1024)))
    monkeypatch.setenv("IPLEDGER_KEYSTORE_PASSWORD", "pw")
    admin = market.actors.admin.address
    market.ledger.w3.eth.send_transaction({"from": admin, "to": valuer.address, "value": 10**18})
    mine = ["--reason", "superseded", "--keystore", str(keystore)]
    revoked = cli.json("valuation", "revoke", "HKTIS-2026-0001", *mine)
    assert revoked["reportId"] == "0x" + first.report_id.hex()
    assert market.ledger.valuations.is_revoked(first.report_id)
    assert "is not attested" in cli.error("valuation", "revoke", "HKTIS-2026-0009", *mine)
    finding = _doc(tmp_path, "finding.pdf")
    cause = ["--reason", "conflict of interest", "--evidence", finding, "--valuer", valuer.address]
    cli.json("valuation", "revoke-for-cause", PATENT, "HKTIS-2026-0002", *cause)
    assert market.ledger.valuations.is_revoked(second.report_id)
    assert cli.json("valuer", "withdraw", valuer.address)["withdrawn"] is True
    assert market.ledger.valuations.is_withdrawn(valuer.address)
    again = ["valuer", "accredit", valuer.address, "--name", "V", "--until", str(until)]
    assert "ValuationValuerWithdrawn" in cli.error(*again)


def test_roles_are_granted_and_revoked_by_name(cli: Cli, market: Market) -> None:
    alice = market.actors.investors[0].address
    granted = cli.json("role", "grant", "token-agent", alice)
    assert granted == {
        "role": "token-agent",
        "contract": "PatentRegistry",
        "account": alice,
        "granted": True,
    }
    assert market.ledger.patents.has_role(Role.TOKEN_AGENT, alice)
    cli.json("role", "grant", "compliance", alice)
    assert market.ledger.investors.has_role(Role.COMPLIANCE, alice)
    cli.json("role", "revoke", "token-agent", alice)
    assert not market.ledger.patents.has_role(Role.TOKEN_AGENT, alice)
    line = cli.error("role", "grant", "registrar", alice, "--account", "3")
    assert "AccessControlUnauthorizedAccount" in line
    assert cli("role", "grant", "king", alice).exit_code == 2  # not a role: a usage error


@pytest.mark.parametrize(
    ("typed", "units"),
    [
        ("1", TOKEN),
        ("0.5", TOKEN // 2),
        ("12345678901.123456789012345678", 12345678901123456789012345678),  # not rounded
        ("0.000000000000000001", 1),
    ],
)
def test_token_amounts_are_exact(typed: str, units: int) -> None:
    from ipledger.cli.common import token_units

    assert token_units(typed) == units


@pytest.mark.parametrize(
    "typed",
    ["0", "-1", "1e3", "1_000", "sNaN", "NaN", "1e999999", "\u0661", "0.0000000000000000001", ""],
)
def test_token_amounts_that_are_not_are_one_line(cli: Cli, market: Market, typed: str) -> None:
    alice = market.actors.investors[0].address
    line = cli.error("transfer", PATENT, "--to", alice, "--amount", typed, "--account", "2")
    assert "must be" in line


def test_base_unit_amounts_must_be_positive_and_ids_well_formed(cli: Cli, market: Market) -> None:
    line = cli.error("deposit", PATENT, "--amount", "0", "--report", __file__, "--account", "2")
    assert "amount 0 must be more than 0" in line
    bad_id = "0x" + "zz" * 32
    line = cli.error("valuation", "revoke", bad_id, "--reason", "r")
    assert f"report id '{bad_id}' is not 0x + 64 hex digits" in line
    line = cli.error(
        "valuation", "revoke-for-cause", PATENT, "MY-1", "--reason", "r", "--evidence", __file__
    )
    assert "name its --valuer, or give its 0x id" in line
