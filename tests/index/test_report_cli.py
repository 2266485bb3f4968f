"""`ipledger index` and `ipledger report` as a supervisor runs them: JSON and CSV, the
audit bundle and its check, and the index's own check against the chain."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import Result
from eth_account import Account
from eth_account.messages import encode_defunct
from typer.testing import CliRunner
from web3 import Web3

from ipledger.chain.keys import PASSWORD_ENV
from ipledger.cli import app
from tests.support.cli import Cli
from tests.support.indexing import busy_market
from tests.support.suite import SessionLedger

pytestmark = pytest.mark.chain


def verify(folder: Path, *args: str) -> Result:
    """`ipledger report verify`: it needs no project, chain or index, only the folder."""
    return CliRunner().invoke(app, ["report", "verify", str(folder), *args])


@pytest.fixture
def indexed(cli: Cli, index_copy: Path) -> tuple[Cli, str]:
    """The busy market's index (the test's own copy), and the CLI."""
    return cli, str(index_copy)


def test_index_verb_indexes_the_chain_and_says_how_far(
    cli: Cli, session_ledger: SessionLedger, tmp_path: Path
) -> None:
    busy_market(session_ledger)
    db = str(tmp_path / "index.sqlite")
    out = cli.json("index", "--db", db)
    assert (out["lag"], out["toBlock"], out["rolledBackTo"]) == (
        0,
        session_ledger.ledger.w3.eth.block_number,
        None,
    )
    assert out["events"] > 40
    again = cli("index", "--db", db)
    assert again.exit_code == 0
    assert again.stdout.startswith(f"indexed to block {out['toBlock']} (0 new events")


def test_register_json_and_csv_match_the_chain(
    indexed: tuple[Cli, str], session_ledger: SessionLedger, w3: Web3
) -> None:
    cli, db = indexed
    reg = cli.json("report", "register", "HK 30012345", "--db", db)
    token = session_ledger.ledger.token(reg["token"])
    assert reg["reference"] == "HK 30012345"
    assert {h["holder"]: int(h["balance"]) for h in reg["holders"]} == {
        h["holder"]: token.balance_of(h["holder"]) for h in reg["holders"]
    }
    book = [h for h in reg["holders"] if h["custodian"]]
    assert [h["holder"] for h in book] == [session_ledger.ledger.addresses.loan_book]
    borrower = session_ledger.actors.investors[0].address
    assert [int(h["pledged"]) for h in reg["holders"] if h["holder"] == borrower] == [10**23]
    frozen = [h["holder"] for h in reg["holders"] if h["frozen"]]
    assert frozen == [session_ledger.actors.investors[2].address]
    result = cli("report", "register", "HK 30012345", "--db", db, "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["balance"] for r in rows] == [h["balance"] for h in reg["holders"]]


def test_register_at_a_past_block_is_the_balances_then(
    indexed: tuple[Cli, str], session_ledger: SessionLedger, w3: Web3
) -> None:
    cli, db = indexed
    first = cli.json("report", "register", "HK 30012345", "--db", db)
    token = session_ledger.ledger.token(first["token"])
    past = first["block"] - 6
    then = cli.json("report", "register", "HK 30012345", "--db", db, "--block", str(past))
    assert then["block"] == past
    for h in then["holders"]:
        at = token.contract.functions.balanceOf(h["holder"]).call(block_identifier=past)
        assert int(h["balance"]) == at
    assert then["holders"] != first["holders"]
    error = cli.error("report", "register", "HK 30012345", "--db", db, "--block", str(10**9))
    assert error == (
        f"error: block {10**9} is past the index (it has reached block {first['block']}): "
        "run `ipledger index` first"
    )


def test_statements_and_distribution(
    indexed: tuple[Cli, str], session_ledger: SessionLedger
) -> None:
    cli, db = indexed
    investor = session_ledger.actors.investors[1].address
    own = cli.json("report", "statements", investor, "--db", db)
    assert [line["seq"] for line in own["lines"]] == [1, 2]
    assert own["claimed"] == own["lines"][0]["entitled"]  # it claimed after the first deposit
    deposit = cli.json(
        "report", "statements", "--patent", "HK 30012345", "--deposit", "1", "--db", db
    )
    assert deposit["amount"] == str(1_000 * 10**6 + 7)
    parts = {e["holder"]: int(e["entitled"]) for e in deposit["entitlements"]}
    assert parts[investor] == int(own["lines"][0]["entitled"])
    # Every holder's floor: what is left over is under one unit per holder.
    assert 0 <= int(deposit["amount"]) - sum(parts.values()) < len(parts)
    error = cli.error(
        "report", "statements", "--patent", "HK 30012345", "--deposit", "9", "--db", db
    )
    assert error.endswith("has 2 deposits in the index; no deposit 9")


def test_flows_name_each_kind_and_both_jurisdictions(
    indexed: tuple[Cli, str], session_ledger: SessionLedger
) -> None:
    cli, db = indexed
    flows = cli.json("report", "flows", "--db", db)
    kinds = [f["kind"] for f in flows]
    assert kinds[0] == "issue"
    assert {"transfer", "freeze", "forced", "pledge"} <= set(kinds)
    freeze = next(f for f in flows if f["kind"] == "freeze")
    assert freeze["to"] == session_ledger.actors.investors[2].address
    assert freeze["amount"] == str(150 * 10**18)  # 100 bought, 50 received, then frozen
    forced = next(f for f in flows if f["kind"] == "forced")
    assert forced["from"] == session_ledger.actors.investors[2].address
    assert (forced["fromJurisdiction"], forced["toJurisdiction"]) == ("HK", "HK")
    assert cli.json("report", "flows", "--db", db, "--cross-border") == []


def test_risk_and_subsidy(indexed: tuple[Cli, str]) -> None:
    cli, db = indexed
    risk = cli.json("report", "risk", "--db", db)
    (patent,) = risk["concentration"]
    assert patent["holders"] == 5  # issuer and four investors: the pledge counts as its borrower's
    assert 0 < patent["hhi"] <= 10_000
    first, second = risk["valuations"]
    assert first["valueChange"] is None
    assert (second["revoked"], second["valueChange"]) == (True, str(9_000_000_00 - 12_500_000_00))
    assert second["scoreChanges"] == [0, 0, 0, 0]
    assert risk["loans"]["byState"] == {"active": 1}
    subsidy = cli.json("report", "subsidy", "--db", db)
    # Both were subsidised; the revoked one gave its slot back within its year.
    assert (subsidy["cap"], subsidy["used"]) == ("100", 1)  # a uint256: a decimal string
    assert subsidy["valuations"] == [first["reportId"]]


def test_export_bundle_verifies_and_names_an_altered_file(
    indexed: tuple[Cli, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, db = indexed
    out = tmp_path / "bundle"
    key = Account.create()  # the supervisor's own key, in a keystore
    keystore = tmp_path / "exporter.json"
    keystore.write_text(json.dumps(Account.encrypt(key.key, "pw", iterations=2)))
    monkeypatch.setenv(PASSWORD_ENV, "pw")
    manifest = cli.json(
        "report", "export", "--out", str(out), "--db", db, "--keystore", str(keystore)
    )
    exporter = key.address
    assert manifest["exporter"] == exporter
    assert "unclaimed.json" in manifest["files"]
    check = json.loads(verify(out, "--signer", exporter, "--json").stdout)
    assert (check["ok"], check["signer"], check["altered"]) == (True, exporter, [])
    register = next(
        name for name in manifest["files"] if name.endswith(".csv") and "register/" in name
    )
    path = out / register
    path.write_text(path.read_text().replace("HK", "CN", 1))
    (out / "extra.txt").write_text("planted")
    result = verify(out, "--json")
    assert result.exit_code == 1
    check = json.loads(result.stdout)
    assert (check["ok"], check["altered"], check["unlisted"]) == (False, [register], ["extra.txt"])
    assert verify(out).exit_code == 1
    again = cli.error(
        "report", "export", "--out", str(out), "--db", db, "--keystore", str(keystore)
    )
    assert again.endswith("is not empty: export into a new folder")
    other = Account.create()
    assert "not intact" in verify(out, "--signer", other.address).stdout.lower()
    # Re-signed by another key after a change: the manifest still names the exporter.
    path.write_text(path.read_text().replace("CN", "HK", 1))
    (out / "extra.txt").unlink()
    forged = other.sign_message(encode_defunct((out / "manifest.json").read_bytes())).signature
    (out / "manifest.sig").write_text("0x" + bytes(forged).hex())
    check = json.loads(verify(out, "--json").stdout)
    assert (check["ok"], check["signer"], check["exporter"]) == (False, other.address, exporter)
    (out / "manifest.sig").write_text("0x1234")  # not a signature at all
    assert json.loads(verify(out, "--json").stdout)["signer"] is None


def test_a_manifest_naming_files_outside_its_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("outside")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    for name in ("../secret.txt", "/etc/hostname", "register/../../secret.txt"):
        (bundle / "manifest.json").write_text(json.dumps({"files": {name: "00"}}))
        result = verify(bundle)
        assert result.exit_code == 1
        assert result.output.strip().splitlines() == [
            f"error: {bundle / 'manifest.json'}: file name {name!r} points outside the bundle"
        ]


def test_index_verify_names_each_corrupted_row(
    indexed: tuple[Cli, str], session_ledger: SessionLedger
) -> None:
    cli, db = indexed
    assert cli.json("index", "verify", "--db", db)["differences"] == []
    with sqlite3.connect(db) as conn:  # a tampered copy, as an outsider might leave it
        conn.execute(
            "UPDATE balances SET balance = '1' WHERE rowid = (SELECT max(rowid) FROM balances)"
        )
        conn.execute("DELETE FROM events WHERE event = 'ValuationRevoked'")
        conn.execute(
            "DELETE FROM events WHERE event = 'EvidenceAppended' AND rowid = "
            "(SELECT max(rowid) FROM events WHERE event = 'EvidenceAppended')"
        )
        conn.execute("UPDATE events SET event = 'LoanCalled' WHERE event = 'LoanOpened'")
    result = cli("index", "verify", "--db", db, "--json")
    assert result.exit_code == 1
    kinds = {d["kind"] for d in json.loads(result.stdout)["differences"]}
    assert kinds == {"supply", "balance", "claimable", "evidence", "valuation", "loan"}
    text = cli("index", "verify", "--db", db)
    assert "loan: loan 1 state: index called, chain active" in text.stdout


def test_reports_without_an_index_say_so(cli: Cli, tmp_path: Path) -> None:
    db = str(tmp_path / "empty.sqlite")
    assert (
        cli.error("report", "risk", "--db", db)
        == "error: the index is empty: run `ipledger index` first"
    )


def test_holdings_from_the_index_equal_the_lens_and_say_the_lag(
    indexed: tuple[Cli, str], session_ledger: SessionLedger
) -> None:
    cli, db = indexed
    for investor in (a.address for a in session_ledger.actors.investors):
        lens = cli.json("holdings", investor)
        index = cli.json("holdings", investor, "--db", db)
        assert (index.pop("indexedBlock"), index.pop("lag")) == (
            session_ledger.ledger.w3.eth.block_number,
            0,
        )
        assert "indexedBlock" not in lens  # the lens's shape as it always was
        assert index == lens
    behind = cli("holdings", session_ledger.actors.investors[0].address, "--db", db)
    assert "blocks behind the head" in behind.stdout


def test_a_damaged_index_is_one_line(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "damaged.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")  # but no other table
        conn.execute("""INSERT INTO meta VALUES ('cursor', '{"block": 5, "hash": "0x00"}')""")
    error = cli.error("report", "flows", "--db", str(db))
    assert error == "error: the index database refused: no such table: tokens"
