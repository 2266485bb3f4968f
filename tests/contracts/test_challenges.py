"""Challenges: a holder of 1% of the patent's tokens, the lender of an open loan pledging
them, or the registrar disputes a valuation; it drops out of implied value and
collateral value until the accreditor decides: upheld revokes it for cause, dismissed
restores it. Bounded so that challenges cannot be used to grief."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ipledger.chain.revert import ContractRevertError
from ipledger.models import EvidenceKind
from ipledger.read.index_check import verify_index
from ipledger.read.indexed import IndexReader
from ipledger.read.queries import holdings, valuation_history
from tests.support.chain import advance, now
from tests.support.cli import Cli
from tests.support.indexing import indexer
from tests.support.loans import PLEDGED, loan_setup, open_loan
from tests.support.suite import YEAR, Market, SessionLedger, distribute
from tests.support.valuations import DAY, attest, make, signed

pytestmark = pytest.mark.chain
WHY = keccak(text="comparable licences were misread")
DECISION = keccak(text="the accreditor's decision")


def test_a_challenged_valuation_counts_nowhere_until_dismissed(
    market: Market, valuer: LocalAccount
) -> None:
    ledger, actors = market.ledger, market.actors
    distribute(market, [10_000])  # 1% of the supply: enough to challenge
    holder = actors.investors[0]
    report = attest(market, valuer)
    assert holdings(ledger, holder.address).holdings[0].implied_value is not None
    ledger.valuations.challenge(market.patent_id, report, WHY, sender=holder)
    assert ledger.valuations.latest_valuation(market.patent_id) is None
    assert holdings(ledger, holder.address).holdings[0].implied_value is None
    assert ledger.valuations.challenge_of(report) == (holder.address, False)
    [record] = valuation_history(ledger, market.patent_id)
    assert record.challenged
    ledger.valuations.resolve_challenge(
        market.patent_id, report, upheld=False, decision_hash=DECISION, sender=actors.admin
    )
    assert ledger.valuations.latest_valuation(market.patent_id).report_id == report  # type: ignore[union-attr]
    assert ledger.valuations.challenge_of(report) == (None, True)
    trail = ledger.evidence.entries(market.patent_id)
    assert [(e.kind, e.content_hash) for e in trail[-2:]] == [
        (EvidenceKind.OTHER, WHY),
        (EvidenceKind.OTHER, DECISION),
    ]
    # Dismissed once: the holder cannot hold it up again; the registrar still can.
    with pytest.raises(ContractRevertError.named("ValuationNotChallenger")):
        ledger.valuations.challenge(market.patent_id, report, WHY, sender=holder)
    ledger.valuations.challenge(market.patent_id, report, WHY, sender=actors.admin)


def test_an_upheld_challenge_revokes_the_valuation_for_cause(
    market: Market, valuer: LocalAccount
) -> None:
    ledger, admin = market.ledger, market.actors.admin
    report = attest(market, valuer)
    ledger.valuations.challenge(market.patent_id, report, WHY, sender=admin)  # the registrar
    receipt = ledger.valuations.resolve_challenge(
        market.patent_id, report, upheld=True, decision_hash=DECISION, sender=admin
    )
    assert ledger.valuations.is_revoked(report)
    [revoked] = ledger.valuations.events(receipt, "ValuationRevokedForCause")
    assert revoked["args"]["evidenceHash"] == DECISION
    [resolved] = ledger.valuations.events(receipt, "ChallengeResolved")
    assert resolved["args"]["upheld"] is True
    with pytest.raises(ContractRevertError.named("ValuationNotChallenged")):
        ledger.valuations.resolve_challenge(
            market.patent_id, report, upheld=False, decision_hash=DECISION, sender=admin
        )


def test_only_those_it_affects_may_challenge(market: Market, valuer: LocalAccount) -> None:
    ledger, actors = market.ledger, market.actors
    distribute(market, [9_999])  # just under 1%
    report = attest(market, valuer)
    for who in (actors.outsider, actors.investors[0]):
        with pytest.raises(ContractRevertError.named("ValuationNotChallenger")):
            ledger.valuations.challenge(market.patent_id, report, WHY, sender=who)
    # A "loan book" that is not the registry's pledge custodian proves nothing.
    with pytest.raises(ContractRevertError.named("ValuationNotChallenger")):
        ledger.valuations.challenge(
            market.patent_id,
            report,
            WHY,
            loan_book=actors.outsider.address,
            loan_id=1,
            sender=actors.investors[0],
        )
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")):
        ledger.valuations.resolve_challenge(
            market.patent_id, report, upheld=True, decision_hash=DECISION, sender=actors.outsider
        )
    with pytest.raises(ContractRevertError.named("ValuationWrongPatent")):
        ledger.valuations.challenge(keccak(text="another patent"), report, WHY, sender=actors.admin)
    # An expired valuation counts nowhere: it cannot be challenged, under any patent (a
    # dead entry proves no membership, so it would let a trail be written to at will).
    advance(ledger.w3, YEAR + DAY)
    for patent in (market.patent_id, keccak(text="another patent")):
        with pytest.raises(ContractRevertError.named("ValuationWrongPatent")):
            ledger.valuations.challenge(patent, report, WHY, sender=actors.admin)


def test_the_lender_of_a_pledge_challenges_and_collateral_drops_out(market: Market) -> None:
    setup = loan_setup(market)
    ledger = market.ledger
    loan_id = open_loan(setup, PLEDGED)
    assert ledger.loans.health(loan_id).collateral_value > 0
    latest = ledger.valuations.latest_valuation(market.patent_id)
    assert latest is not None
    ledger.valuations.challenge(
        market.patent_id,
        latest.report_id,
        WHY,
        loan_book=ledger.addresses.loan_book,
        loan_id=loan_id,
        sender=setup.lender,
    )
    assert ledger.loans.health(loan_id).collateral_value == 0  # no valuation counts now
    ledger.valuations.resolve_challenge(
        market.patent_id,
        latest.report_id,
        upheld=False,
        decision_hash=DECISION,
        sender=market.actors.admin,
    )
    assert ledger.loans.health(loan_id).collateral_value > 0
    # Someone else naming that loan is not its lender: the loan proves nothing for it.
    other = make(market, setup.valuer, 5, valuation_date=latest.valuation_date - DAY)
    ledger.valuations.attest(other, signed(market, setup.valuer, other), sender=market.actors.admin)
    with pytest.raises(ContractRevertError.named("ValuationNotChallenger")):
        ledger.valuations.challenge(
            market.patent_id,
            other.report_id,
            WHY,
            loan_book=ledger.addresses.loan_book,
            loan_id=loan_id,
            sender=market.actors.investors[3],
        )


def test_challenges_are_bounded(market: Market, valuer: LocalAccount) -> None:
    ledger, actors = market.ledger, market.actors
    distribute(market, [20_000])
    holder = actors.investors[0]
    t = now(ledger.w3)
    reports = [attest(market, valuer, n, valuation_date=t - n * DAY) for n in range(1, 5)]
    ledger.valuations.challenge(market.patent_id, reports[0], WHY, sender=holder)
    with pytest.raises(ContractRevertError.named("ValuationAlreadyChallenged")):
        ledger.valuations.challenge(market.patent_id, reports[0], WHY, sender=actors.admin)
    ledger.valuations.challenge(market.patent_id, reports[1], WHY, sender=holder)
    ledger.valuations.challenge(market.patent_id, reports[2], WHY, sender=holder)
    with pytest.raises(ContractRevertError.named("ValuationTooManyChallenges")):
        ledger.valuations.challenge(market.patent_id, reports[3], WHY, sender=holder)
    # The fourth still counts: challenges hold up only what they name.
    assert ledger.valuations.latest_valuation(market.patent_id).report_id == reports[3]  # type: ignore[union-attr]
    ledger.valuations.resolve_challenge(
        market.patent_id, reports[0], upheld=True, decision_hash=DECISION, sender=actors.admin
    )
    ledger.valuations.challenge(market.patent_id, reports[3], WHY, sender=holder)  # room again


def test_the_index_leaves_out_a_challenged_valuation(
    market: Market, valuer: LocalAccount, session_ledger: SessionLedger, tmp_path: Path
) -> None:
    report = attest(market, valuer)
    market.ledger.valuations.challenge(market.patent_id, report, WHY, sender=market.actors.admin)
    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    ix.sync()
    with IndexReader.open(ix.engine) as reader:
        at = reader.block_time(reader.indexed_block()) or 0
        assert reader.latest_valuation("0x" + market.patent_id.hex(), at) is None
        assert verify_index(reader, market.ledger).ok


def test_challenge_and_resolve_from_the_cli(
    market: Market, valuer: LocalAccount, cli: Cli, tmp_path: Path
) -> None:
    report = attest(market, valuer)
    why, decision = tmp_path / "why.txt", tmp_path / "decision.txt"
    why.write_text("the comparables were misread")
    decision.write_text("dismissed")
    said = cli.json(
        "valuation",
        "challenge",
        "HK 30012345",
        "HKTIS-2026-0001",
        "--valuer",
        valuer.address,
        "--evidence",
        str(why),
        "--account",
        "0",
    )
    assert (said["reportId"], said["challenged"]) == ("0x" + report.hex(), True)
    assert said["evidenceHash"] == "0x" + hashlib.sha256(why.read_bytes()).hexdigest()
    listed = cli.json("valuations", "HK 30012345")
    assert listed[0]["challenged"] is True
    done = cli.json(
        "valuation",
        "resolve",
        "HK 30012345",
        "0x" + report.hex(),
        "--dismissed",
        "--decision",
        str(decision),
        "--account",
        "0",
    )
    assert done["upheld"] is False
    assert cli.json("valuations", "HK 30012345")[0]["challenged"] is False
    line = cli.error(
        "valuation",
        "resolve",
        "HK 30012345",
        "0x" + report.hex(),
        "--upheld",
        "--decision",
        str(decision),
        "--account",
        "0",
    )
    assert "ValuationNotChallenged" in line
