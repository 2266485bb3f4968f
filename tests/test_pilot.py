from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from web3 import Web3

from ipledger.api.pages.preview import preview
from ipledger.chain.node import start_anvil
from ipledger.chain.tx import NodeAccount
from ipledger.cli import app
from ipledger.clients.ledger import Ledger
from ipledger.deploy.attach import open_suite
from ipledger.index.store import database_url, open_engine
from ipledger.models import Field, LoanState, report_id_of
from ipledger.pilot.data import PilotResult
from ipledger.pilot.run import pilot_json, run_pilot
from ipledger.project import Project
from ipledger.toolchain.artifacts import Artifact
from tests.support.project import scratch_project
from tests.support.suite import HKD, TOKEN


def _attested(ledger: Ledger) -> list[Any]:
    """Every attestation of the suite, in one query (the embedded chain scans each block)."""
    event = ledger.valuations.contract.events.ValuationAttested
    return list(event.get_logs(from_block=ledger.first_block))


def bank_address(result: PilotResult) -> str:
    return result.investors["Harbour Bank (IP-backed lending desk)"]


@pytest.fixture
def pilot_project(project: Project, tmp_path: Path) -> Project:
    """The real contracts and pilot data, with deployments written to a temp folder."""
    return scratch_project(project, tmp_path, examples=True)


@pytest.mark.slow
def test_pilot_runs_end_to_end(
    w3: Web3, artifacts: dict[str, Artifact], pilot_project: Project, tmp_path: Path
) -> None:
    data = pilot_project.root / "examples" / "pilot"
    steps: list[str] = []
    index = open_engine(database_url(str(tmp_path / "index.sqlite"), tmp_path))
    result = run_pilot(
        w3=w3,
        project=pilot_project,
        artifacts=artifacts,
        data_dir=data,
        step=steps.append,
        index=index,
    )
    assert result.deployment == pilot_project.deployments_dir / f"{w3.eth.chain_id}.json"
    assert result.deployment.is_file()
    assert len(result.patents) == 4
    assert "investors claim their revenue" in steps
    by_name = {name: h for h, name in zip(result.holdings, result.investors, strict=True)}
    [bank] = by_name["Harbour Bank (IP-backed lending desk)"].holdings
    assert bank.balance == 200_000 * TOKEN
    assert bank.claimable == 252_000 * HKD  # 20% of HKD 1,260,000 licence revenue
    assert bank.valuation is not None
    assert bank.implied_value == 370_000_000  # 20% of HKD 18,500,000.00, in cents
    assert all(x.claimable == 0 for x in by_name["Victoria Peak Family Office"].holdings)
    assert result.trail is not None
    assert result.trail.ok
    assert result.trail.documents_checked == 3
    # The bank's loan to the SME: opened, swept, called after the revocation, cured.
    [loan] = result.loans
    assert (loan.state, loan.healthy) == (LoanState.ACTIVE, True)
    assert loan.pledged == {"HK 30012345": 300_000 * TOKEN, "HK 30023456": 500_000 * TOKEN}
    assert loan.principal_outstanding < 2_300_000 * HKD - 500_000 * HKD  # sweep and cure
    assert any(s.startswith("Harbour Bank (IP-backed lending desk) calls loan 1") for s in steps)
    sme = {h.patent_id: h for h in by_name["Pearl River Robotics & Materials Ltd"].holdings}
    assert sme[result.patents["HK 30012345"]].pledged == 300_000 * TOKEN
    assert sme[result.patents["HK 30012345"]].balance == 150_000 * TOKEN  # 450,000 less the pledge
    # The valuations went through the mirror: sent by its own relayer key, in one batch,
    # and the examples folder was not touched (the mirror worked on a copy).
    ledger, _ = open_suite(pilot_project, w3)
    events = _attested(ledger)
    senders = {w3.eth.get_transaction(e["transactionHash"])["from"] for e in events}
    assert len(events) == 5  # four by the HK valuer, one by the mainland valuer
    assert len({e["transactionHash"] for e in events}) == 2  # one batch each
    assert senders.isdisjoint(w3.eth.accounts)
    assert not (data / "valuations" / "quarantine").exists()
    # The mainland valuation counts in CN at once, and in HK since the HK valuer's recognition.
    mainland = report_id_of("0x61FEFbF3c75A0180C0591E92dd82B4076a21038E", "SZIPV-2026-0001")
    cn_patent = result.patents["CN ZL202310123456.7"]
    assert ledger.recognition.latest_valuation_in(cn_patent, "HK").report_id == mainland  # type: ignore[union-attr]
    assert ledger.recognition.recognition(mainland, "HK")["recogniser"] == (  # type: ignore[index]
        "0x554C3bA2F52fA5adb7cA4506166c4A5E71853DFa"
    )
    qianhai = {h.patent_id: h for h in by_name["Qianhai Tech Capital (GBA)"].holdings}
    assert qianhai[cn_patent].valuation.currency == "CNY"  # type: ignore[union-attr]
    assert any(
        s.startswith("HK Technology and Innovation Support Centre recognises") for s in steps
    )
    # What `demo --json` prints (its CLI path runs on a node in test_cli_ops).
    summary = pilot_json(result)
    assert summary["chainId"] == w3.eth.chain_id
    assert str(summary["deployment"]).endswith(f"deployments/{w3.eth.chain_id}.json")
    assert len(summary["investors"]) == 6  # the bank, 4 investors, the SME
    [loan_json] = summary["loans"]
    assert (loan_json["state"], loan_json["healthy"]) == ("active", True)
    assert all(p.startswith("0x") and len(p) == 66 for p in summary["patents"])
    assert summary["evidenceVerified"] is True
    # The supervisor's view, from the index the pilot built and checked.
    seen = summary["supervision"]
    assert seen["verified"] is True
    assert seen["indexedBlock"] == w3.eth.block_number
    assert len(seen["registers"]) == 4
    bank_row = next(
        h for h in seen["registers"][0]["holders"] if h["holder"] == bank_address(result)
    )
    assert bank_row["balance"] == str(200_000 * TOKEN)
    assert seen["crossBorder"] >= 1  # a mainland investor holds a Hong Kong patent's tokens
    assert (seen["subsidy"]["used"], seen["risk"]["loans"]["byState"]) == (2, {"active": 1})
    # A holder's challenge, dismissed: on the trail, and the valuation counts again.
    assert "Kowloon Pension Trust challenges valuation HKTIS-2026-0003 of HK 30034567" in steps
    challenged = report_id_of("0x554C3bA2F52fA5adb7cA4506166c4A5E71853DFa", "HKTIS-2026-0003")
    assert ledger.valuations.challenge_of(challenged) == (None, True)
    latest = ledger.valuations.latest_valuation(result.patents["HK 30034567"])
    assert latest is not None
    assert latest.report_id == challenged
    # The accreditor's revaluation policy is set; the revoked patent's valuation is due.
    assert ledger.valuations.max_age(Field.CHEMICAL) == 545 * 86400
    assert [(r["reference"], r["status"]) for r in summary["valuationsDue"]] == [
        ("HK 30023456", "none")
    ]
    json.dumps(summary)  # plain JSON all the way down
    # The pages `ipledger serve --index` would show of the run, as `make run` lists them.
    pages = {p.title: p for p in preview(ledger, index, patent="HK 30012345",
                                         investor=bank_address(result))}  # fmt: skip
    assert list(pages) == ["Patents", "HK 30012345", "Investor", "Supervisor"]
    assert all(0 < p.bytes < 100_000 for p in pages.values())
    again = run_pilot(w3=w3, project=pilot_project, artifacts=artifacts, data_dir=data)
    assert again.already_ran
    assert again.deployed == []


@pytest.mark.slow
def test_an_interrupted_pilot_is_completed_by_the_next_run(
    w3: Web3,
    artifacts: dict[str, Artifact],
    pilot_project: Project,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C lands after some transaction (here the 30th, mid-way through the sales),
    then again just after the bank's offer; each next run does only what is missing."""
    data = pilot_project.root / "examples" / "pilot"
    sent = 0
    real_send = NodeAccount.send

    def send_then_interrupt(self: NodeAccount, w3_: Web3, tx: Any) -> Any:
        nonlocal sent
        tx_hash = real_send(self, w3_, tx)
        sent += 1
        if sent == 30:
            raise KeyboardInterrupt
        return tx_hash

    monkeypatch.setattr(NodeAccount, "send", send_then_interrupt)
    run = functools.partial(
        run_pilot, w3=w3, project=pilot_project, artifacts=artifacts, data_dir=data
    )
    with pytest.raises(KeyboardInterrupt):
        run()
    monkeypatch.undo()

    def interrupt_at_accept(text: str) -> None:
        if "accepts" in text:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(step=interrupt_at_accept)
    ledger, _ = open_suite(pilot_project, w3)
    assert LoanState(ledger.loans.loan(1)["state"]) is LoanState.OFFERED
    steps: list[str] = []
    result = run(step=steps.append)
    assert not result.already_ran
    assert not any("buys" in s or "registering" in s for s in steps)  # done before
    by_name = {name: h for h, name in zip(result.holdings, result.investors, strict=True)}
    [bank] = by_name["Harbour Bank (IP-backed lending desk)"].holdings
    assert (bank.balance, bank.claimable) == (200_000 * TOKEN, 252_000 * HKD)
    [loan] = result.loans
    assert (loan.loan_id, loan.state, loan.healthy) == (1, LoanState.ACTIVE, True)
    assert result.trail is not None
    assert result.trail.ok
    assert ledger.loans.loan_count() == 1  # the offer was taken up, not made again
    assert len(_attested(ledger)) == 5  # each valuation attested once
    assert run().already_ran


def test_demo_table_output(pilot_project: Project) -> None:
    # On a node: the embedded chain's pilot is test_pilot_runs_end_to_end's (and 5x slower).
    with start_anvil(node_modules=pilot_project.node_modules) as node:
        result = CliRunner().invoke(
            app,
            ["demo", "--project", str(pilot_project.root), "--rpc", node.url],
            env={"COLUMNS": "80"},
        )
    assert result.exit_code == 0, result.output
    assert "Harbour Bank" in result.output
    # At 80 columns every figure is whole (the holdings stack rather than cut).
    assert "HKD 18,500,000.00" in result.output
    assert "tHKD 252,000.00" in result.output
    assert not re.search(r"[,.][0-9]*…", result.output)  # hashes are shortened, never figures
    assert "stake value" in result.output
    assert "on a local anvil dev chain (chain id 31337)" in result.output
    assert "pledged" in result.output
    assert "verified" in result.output
    assert "Loans against pledged revenue rights" in result.output
    assert "Supervisor's view, from the index at block" in result.output
    assert "(matches the chain)" in result.output
