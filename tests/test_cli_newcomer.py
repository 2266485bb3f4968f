"""What a newcomer sees (issue #18): patents by their references, amounts in the units
people mean, ISO dates, tables that keep every figure whole at 80 columns, and help
that does not ask for `--json true`. Run in-process, as a user would type them."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from eth_account import Account
from typer.testing import CliRunner

from ipledger.chain.keys import PASSWORD_ENV, load_keystore
from ipledger.cli import app
from ipledger.cli.render import chain_words, printable
from tests.support.chain import now
from tests.support.cli import Cli
from tests.support.suite import HKD, TOKEN, Actors, Market, open_market

pytestmark = pytest.mark.chain
PATENT = "HK 30012345"


@pytest.fixture
def market(cli: Cli, actors: Actors) -> Market:
    return open_market(cli.ledger, actors)


def _unboxed(output: str) -> str:
    """Click's boxed usage error as one line of text."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


def _report(tmp_path: Path) -> str:
    path = tmp_path / "2026-Q4.txt"
    path.write_text("licence revenue report, Q4 2026")
    return str(path)


def test_deposit_takes_the_payment_tokens_own_units(
    cli: Cli, market: Market, tmp_path: Path
) -> None:
    before = market.token.totals().deposited
    done = cli(
        "deposit", PATENT, "--amount", "1500.25", "--report", _report(tmp_path), "--account", "2"
    )
    assert done.exit_code == 0, done.output
    assert "deposited tHKD 1,500.25 into HK 30012345" in done.output
    assert market.token.totals().deposited == before + 1_500_250_000  # 6 decimals
    exact = cli.json(
        "deposit",
        PATENT,
        "--amount",
        "7",
        "--base-units",
        "--report",
        _report(tmp_path),
        "--account",
        "2",
    )
    assert exact["amount"] == "7"  # JSON keeps base units
    assert market.token.totals().deposited == before + 1_500_250_007
    line = cli.error(
        "deposit", PATENT, "--amount", "0.0000001", "--report", __file__, "--account", "2"
    )
    assert "at most 6 decimal places" in line
    line = cli.error("deposit", PATENT, "--amount", "-5", "--report", __file__, "--account", "2")
    assert "amount '-5' must be a number like 500000" in line
    line = cli.error("deposit", PATENT, "--amount", "0", "--report", __file__, "--account", "2")
    assert "must be more than 0" in line


def test_claim_says_how_much_in_the_currency(cli: Cli, market: Market, tmp_path: Path) -> None:
    alice = market.actors.investors[0]
    market.token.transfer(
        alice.address, market.token.total_supply() // 4, sender=market.actors.issuer
    )
    cli("deposit", PATENT, "--amount", "1000", "--report", _report(tmp_path), "--account", "2")
    index = cli.ledger.w3.eth.accounts.index(alice.address)
    done = cli("claim", PATENT, "--account", str(index))
    assert done.exit_code == 0, done.output
    assert "claimed tHKD 250.00 from HK 30012345" in done.output


def test_dates_are_typed_and_shown_in_iso(cli: Cli, market: Market, tmp_path: Path) -> None:
    doc = tmp_path / "grant.txt"
    doc.write_text("grant certificate")
    owner = market.actors.issuer.address
    made = cli.json(
        "register",
        "HK 30055555",
        "--owner",
        owner,
        "--field",
        "electrical",
        "--expiry",
        "2045-06-30",
        "--metadata",
        str(doc),
    )
    expiry = int(dt.datetime(2045, 6, 30, tzinfo=dt.UTC).timestamp())
    assert cli.ledger.patents.patent(bytes.fromhex(made["patentId"][2:])).expiry == expiry
    shown = cli("patent", "show", "HK 30055555")
    assert shown.exit_code == 0, shown.output
    assert "2045-06-30" in shown.output
    assert str(expiry) not in shown.output  # unix seconds only in JSON
    assert cli.json("patent", "show", "HK 30055555")["expiry"] == expiry
    listed = cli("set-investor", owner, "--jurisdiction", "HK", "--expiry", "2027-12-31")
    assert "until 2027-12-31" in listed.output
    refused = cli("set-investor", owner, "--jurisdiction", "HK", "--expiry", "31/12/2027")
    assert refused.exit_code == 2  # a usage error, as click gives for any bad value
    assert "is not an ISO 8601 date like" in _unboxed(refused.output)


def test_patent_show_reads_as_a_statement(cli: Cli, market: Market, tmp_path: Path) -> None:
    cli("deposit", PATENT, "--amount", "500000", "--report", _report(tmp_path), "--account", "2")
    shown = cli("patent", "show", PATENT).output
    assert re.search(r"revenue deposited[\s│]+tHKD 500,000\.00", shown)
    assert re.search(r"supply[\s│]+1,000,000 tokens", shown)
    assert re.search(r"reference[\s│]+HK 30012345", shown)
    assert "{" not in shown  # no Python dict
    data = cli.json("patent", "show", PATENT)
    assert data["reference"] == PATENT
    assert (data["paymentSymbol"], data["paymentDecimals"]) == ("tHKD", 6)
    assert data["revenueDeposited"] == str(500_000 * HKD)


def test_holdings_name_patents_and_say_when_there_are_none(cli: Cli, market: Market) -> None:
    issuer = market.actors.issuer.address
    found = cli.json("holdings", issuer)["holdings"]
    assert [(h["reference"], h["paymentSymbol"], h["paymentDecimals"]) for h in found] == [
        (PATENT, "tHKD", 6)
    ]
    assert PATENT in cli("holdings", issuer).output
    nobody = market.actors.outsider.address
    said = " ".join(cli("holdings", nobody).output.split())  # wrapped at 80 columns
    assert said == f"no holdings: {nobody} holds no revenue-rights tokens"


def test_evidence_kinds_are_typed_as_the_trail_shows_them(
    cli: Cli, market: Market, tmp_path: Path
) -> None:
    doc = _report(tmp_path)
    for spelling in ("revenue report", "revenue-report", "REVENUE_REPORT"):
        cli.json("append-evidence", PATENT, "--kind", spelling, "--document", doc)
    kinds = [e.kind.name for e in cli.ledger.evidence.entries(market.patent_id)]
    assert kinds[-3:] == ["REVENUE_REPORT"] * 3
    refused = cli("append-evidence", PATENT, "--kind", "invoice", "--document", doc)
    assert refused.exit_code == 2
    assert "'invoice' is not an evidence kind (one of: filing, grant" in _unboxed(refused.output)


def test_help_shows_flags_without_a_value() -> None:
    shown = CliRunner().invoke(app, ["holdings", "--help"], env={"COLUMNS": "100"}).output
    assert re.search(r"--json\s+Print machine-readable JSON", shown)
    assert "<bool>" not in shown


def test_an_account_without_gas_money_is_named_with_the_amount(
    cli: Cli, market: Market, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = Account.create()
    keystore = tmp_path / "holder.json"
    keystore.write_text(json.dumps(Account.encrypt(key.key, "pw", iterations=1024)))
    monkeypatch.setenv(PASSWORD_ENV, "pw")
    admin = market.actors.admin
    cli.ledger.investors.set_investor(
        key.address, jurisdiction="HK", expiry=now(cli.ledger.w3) + 10**7, sender=admin
    )
    market.token.transfer(key.address, 10 * TOKEN, sender=market.actors.issuer)
    issuer = market.actors.issuer.address
    line = cli.error(
        "transfer", PATENT, "--to", issuer, "--amount", "1", "--keystore", str(keystore)
    )
    assert f"account {key.address} cannot pay for gas: it holds 0 ETH (0 wei)" in line
    assert "send it gas money" in line
    assert market.token.balance_of(key.address) == 10 * TOKEN


def test_account_new_makes_a_keystore_only_its_owner_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "correct horse")
    keystore = tmp_path / "keys" / "bank.json"
    made = json.loads(
        CliRunner().invoke(app, ["account", "new", "--keystore", str(keystore), "--json"]).output
    )
    assert keystore.stat().st_mode & 0o777 == 0o600
    assert load_keystore(keystore).address == made["address"]
    again = CliRunner().invoke(app, ["account", "new", "--keystore", str(keystore)])
    assert again.exit_code == 1
    assert "exists: a keystore is never overwritten" in again.output
    assert load_keystore(keystore).address == made["address"]


def test_account_list_numbers_a_dev_nodes_accounts(cli: Cli) -> None:
    w3 = cli.ledger.w3
    endpoint = getattr(w3.provider, "endpoint_uri", None)
    args = ["account", "list", "--json", *(["--rpc", str(endpoint)] if endpoint else [])]
    listed = json.loads(CliRunner().invoke(app, args).output)
    if endpoint:  # the embedded chain is a new one per process: only a node's can be compared
        assert [a["address"] for a in listed["accounts"]] == w3.eth.accounts
    assert listed["accounts"][0]["index"] == 0
    assert int(listed["accounts"][0]["balance"]) > 0


def test_account_fund_sends_gas_money_and_test_hkd(cli: Cli, market: Market) -> None:
    fresh = Account.create().address
    sent = cli.json("account", "fund", fresh, "--eth", "0.5", "--test-hkd", "1000.5")
    assert (sent["eth"], sent["testHkd"]) == (str(10**18 // 2), "1000500000")
    assert cli.ledger.w3.eth.get_balance(fresh) == 10**18 // 2
    assert cli.ledger.erc20(cli.ledger.addresses.payment_token).balance_of(fresh) == 1_000_500_000
    line = cli.error("account", "fund", fresh)
    assert "say what to send: --eth and/or --test-hkd" in line


def test_chain_ids_are_said_in_words() -> None:
    assert chain_words(131277322940537) == (
        "the embedded test chain (eth-tester in this process; chain id 131277322940537)"
    )
    assert chain_words(31337) == "a local anvil dev chain (chain id 31337)"
    assert chain_words(1) == "chain id 1"


def test_text_from_the_chain_is_shown_with_its_control_characters_escaped() -> None:
    assert printable("HKTIS-2026-0001") == "HKTIS-2026-0001"
    assert printable("HKTIS\x1b[31m-1\u200d") == "HKTIS\\x1b[31m-1\\u200d"
