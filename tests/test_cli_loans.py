"""The loan verbs from the command line, on either backend: a bank offers, the borrower
accepts, `loan show --json` carries the public fields as decimal strings, the bank
calls after a revocation, the borrower cures by repaying, and bad input is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipledger.models import LoanState
from tests.support.chain import advance
from tests.support.cli import Cli
from tests.support.loans import COLLATERAL, PLEDGED, LoanSetup, loan_setup
from tests.support.suite import HKD, Actors, open_market
from tests.support.valuations import make, signed

pytestmark = pytest.mark.chain
PATENT = "HK 30012345"
BORROWER, LENDER, BUYER = "3", "4", "5"  # investors[0], [1], [2] of the session's accounts


@pytest.fixture
def s(cli: Cli, actors: Actors) -> LoanSetup:
    return loan_setup(open_market(cli.ledger, actors))


def _doc(tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_text(f"{name}: the signed original")
    return str(path)


def _offer(cli: Cli, s: LoanSetup, tmp_path: Path, principal: str = "300000") -> int:
    offered = cli.json(
        "loan", "offer", "--borrower", s.borrower.address, "--pledge", f"{PATENT}=100000",
        "--principal", principal, "--maturity", "2099-12-31",
        "--agreement", _doc(tmp_path, "agreement.pdf"), "--account", LENDER,
    )  # fmt: skip
    assert offered["principal"] == str(int(principal) * HKD)
    return int(offered["loanId"])


def test_offer_accept_show_and_list(cli: Cli, s: LoanSetup, tmp_path: Path) -> None:
    loan_id = _offer(cli, s, tmp_path)
    opened = cli.json("loan", "accept", str(loan_id), "--account", BORROWER)
    assert opened["state"] == "active"
    shown = cli.json("loan", "show", str(loan_id))
    for field in ("loanId", "state", "borrower", "lender", "pledged", "principal", "debt",
                  "collateralValue", "ltvBps", "liquidationLtvBps", "callDeadline"):  # fmt: skip
        assert field in shown
    assert shown["pledged"] == {PATENT: str(PLEDGED)}
    assert shown["collateralValue"] == str(COLLATERAL)
    assert shown["callDeadline"] is None
    assert isinstance(shown["debt"], str)
    assert int(shown["debt"]) >= 300_000 * HKD
    [holding] = cli.json("holdings", s.borrower.address)["holdings"]
    assert (holding["balance"], holding["pledged"]) == (str(PLEDGED), str(PLEDGED))
    listed = cli.json("loans", "--borrower", s.borrower.address)["loans"]
    assert [x["loanId"] for x in listed] == [loan_id]
    assert cli.json("loans", "--lender", s.buyer.address)["loans"] == []
    table = cli("loans")
    assert table.exit_code == 0
    assert "healthy" in table.output


def test_call_after_revocation_then_cure_by_repaying(
    cli: Cli, s: LoanSetup, tmp_path: Path
) -> None:
    loan_id = _offer(cli, s, tmp_path)
    cli.json("loan", "accept", str(loan_id), "--account", BORROWER)
    notice = _doc(tmp_path, "notice.pdf")
    assert "LoanHealthy" in cli.error(
        "loan", "call", str(loan_id), "--notice", notice, "--account", LENDER
    )
    # A lower revaluation: half the value, LTV 96%.
    lower = make(s.market, s.valuer, n=2, value=6_250_000_00)
    s.market.ledger.valuations.attest(
        lower, signed(s.market, s.valuer, lower), sender=s.market.actors.admin
    )
    called = cli.json("loan", "call", str(loan_id), "--notice", notice, "--account", LENDER)
    assert called["state"] == "called"
    assert called["callDeadline"] is not None
    cured = cli.json("loan", "cure", str(loan_id), "--repay", "100000", "--account", BORROWER)
    assert cured["state"] == "active"
    assert LoanState(s.market.ledger.loans.loan(loan_id)["state"]) is LoanState.ACTIVE
    withdrawn = cli.json("loan", "withdraw", "--account", LENDER)
    assert int(withdrawn["amount"]) >= 100_000 * HKD


def test_bad_input_is_one_line(cli: Cli, s: LoanSetup, tmp_path: Path) -> None:
    assert "no loan 99" in cli.error("loan", "show", "99")
    line = cli.error(
        "loan", "offer", "--borrower", s.borrower.address, "--pledge", "HK 30012345",
        "--principal", "1", "--maturity", "2099-12-31",
        "--agreement", _doc(tmp_path, "a.pdf"), "--account", LENDER,
    )  # fmt: skip
    assert "PATENT=TOKENS" in line
    line = cli.error(
        "loan", "offer", "--borrower", s.borrower.address, "--pledge", f"{PATENT}=1",
        "--principal", "1", "--maturity", "31/12/2099",
        "--agreement", _doc(tmp_path, "b.pdf"), "--account", LENDER,
    )  # fmt: skip
    assert "is not an ISO 8601 date" in line
    line = cli.error(
        "loan", "offer", "--borrower", s.borrower.address, "--pledge", f"{PATENT}=1",
        "--principal", "1", "--maturity", "2099-12-31",
        "--agreement", _doc(tmp_path, "c.pdf"), "--account", BORROWER,
    )  # fmt: skip
    assert "AccessControlUnauthorizedAccount" in line


def test_a_bidder_buys_a_called_loan_and_an_offer_is_cancelled(
    cli: Cli, s: LoanSetup, tmp_path: Path
) -> None:
    loan_id = _offer(cli, s, tmp_path)
    cli.json("loan", "accept", str(loan_id), "--account", BORROWER)
    lower = make(s.market, s.valuer, n=2, value=6_250_000_00)
    s.market.ledger.valuations.attest(
        lower, signed(s.market, s.valuer, lower), sender=s.market.actors.admin
    )
    notice = _doc(tmp_path, "notice.pdf")
    cli.json("loan", "call", str(loan_id), "--notice", notice, "--account", LENDER)
    bid = cli.json("loan", "bid", str(loan_id), "--price", "250000", "--account", BUYER)
    assert bid["price"] == str(250_000 * HKD)
    line = cli.error(
        "loan", "enforce", str(loan_id), "--notice", notice, "--buyer", s.buyer.address,
        "--price", "250000", "--account", LENDER,
    )  # fmt: skip
    assert "LoanRemediationRunning" in line
    advance(s.market.ledger.w3, 31 * 86400)
    enforced = cli.json(
        "loan", "enforce", str(loan_id), "--notice", notice, "--buyer", s.buyer.address,
        "--price", "250000", "--account", LENDER,
    )  # fmt: skip
    assert enforced["recovered"] == str(250_000 * HKD)
    assert int(enforced["shortfall"]) > 50_000 * HKD  # the debt with interest, less the price
    assert cli.json("loan", "show", str(loan_id))["state"] == "enforced"
    assert s.market.token.balance_of(s.buyer.address) == PLEDGED
    # An offer the borrower declines never opens.
    second = _offer(cli, s, tmp_path)
    cli.json("loan", "cancel", str(second), "--account", BORROWER)
    assert cli.json("loan", "show", str(second))["state"] == "cancelled"
    assert "LoanWrongState" in cli.error("loan", "accept", str(second), "--account", BORROWER)
    assert "--buyer and --price go together" in cli.error(
        "loan", "enforce", str(loan_id), "--notice", notice, "--price", "1", "--account", LENDER
    )
