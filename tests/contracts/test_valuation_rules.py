"""The registry's rules against abuse: the subsidy cap by chain year, validity and age
bounds, report ids bound to their valuer, bounded walks over a patent's list, withdrawal
and revocation for cause."""

from __future__ import annotations

import datetime as dt

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ipledger.errors import ContractRevertError
from ipledger.models import EvidenceKind
from tests.support.chain import advance, now
from tests.support.suite import YEAR, Market
from tests.support.valuations import (
    DAY,
    OTHER_KEY,
    make,
    signed,
    valuer_sender,
    year_of,
)


def test_subsidy_cap_is_100_per_calendar_year(market: Market, valuer: LocalAccount) -> None:
    valuations = [make(market, valuer, i) for i in range(101)]
    items = [(v, signed(market, valuer, v)) for v in valuations]
    for start in (0, 50):
        _, skipped = market.ledger.valuations.attest_batch(
            items[start : start + 50], sender=market.actors.admin
        )
        assert skipped == []
    year = year_of(market.ledger.w3)
    assert market.ledger.valuations.subsidised_in(year) == 100
    with pytest.raises(ContractRevertError.named("ValuationSubsidyCapReached")) as info:
        market.ledger.valuations.attest(*items[100], sender=market.actors.admin)
    assert (info.value.arguments["year"], info.value.arguments["cap"]) == (year, 100)
    unsubsidised = make(market, valuer, 101, subsidised=False)
    market.ledger.valuations.attest(
        unsubsidised, signed(market, valuer, unsubsidised), sender=market.actors.admin
    )
    # The next calendar year (by chain time) has room again.
    next_year = dt.datetime(year + 1, 1, 2, tzinfo=dt.UTC).timestamp()
    advance(market.ledger.w3, int(next_year) - now(market.ledger.w3))
    market.ledger.valuations.set_valuer(
        valuer.address,
        name="HKTIS",
        jurisdiction="HK",
        accredited_until=2**40,
        sender=market.actors.admin,
    )
    fresh = make(market, valuer, 102)
    market.ledger.valuations.attest(
        fresh, signed(market, valuer, fresh), sender=market.actors.admin
    )
    assert market.ledger.valuations.subsidised_in(year + 1) == 1


def test_backdating_cannot_move_a_valuation_into_a_year_with_room(
    market: Market, valuer: LocalAccount
) -> None:
    valuations = market.ledger.valuations
    valuations._send("setSubsidyCap", 1, sender=market.actors.admin)
    first = make(market, valuer, 1)
    valuations.attest(first, signed(market, valuer, first), sender=market.actors.admin)
    # Signed as of last year (within MAX_AGE): it still counts against this year's cap.
    t = now(market.ledger.w3)
    last_year = dt.datetime(year_of(market.ledger.w3) - 1, 12, 31, tzinfo=dt.UTC).timestamp()
    backdated = make(market, valuer, 2, valuation_date=int(last_year), valid_until=t + YEAR)
    with pytest.raises(ContractRevertError.named("ValuationSubsidyCapReached")) as info:
        valuations.attest(backdated, signed(market, valuer, backdated), sender=market.actors.admin)
    assert info.value.arguments["year"] == year_of(market.ledger.w3)
    assert valuations.subsidised_in(year_of(market.ledger.w3) - 1) == 0


def test_revoking_within_the_year_returns_the_subsidy_slot(
    market: Market, valuer: LocalAccount
) -> None:
    valuations = market.ledger.valuations
    valuations._send("setSubsidyCap", 1, sender=market.actors.admin)
    first, second = make(market, valuer, 1), make(market, valuer, 2)
    valuations.attest(first, signed(market, valuer, first), sender=market.actors.admin)
    year = year_of(market.ledger.w3)
    assert valuations.subsidised_in(year) == 1
    valuations.revoke(first.report_id, "issued in error", sender=valuer_sender(market, valuer))
    assert valuations.subsidised_in(year) == 0
    valuations.attest(second, signed(market, valuer, second), sender=market.actors.admin)
    assert valuations.subsidised_in(year) == 1


def test_valuation_valid_for_less_than_30_days_is_refused(
    market: Market, valuer: LocalAccount
) -> None:
    """It could only use up a subsidy slot: it is no basis for credit."""
    t = now(market.ledger.w3)
    short = make(market, valuer, valid_until=t + 29 * DAY)
    with pytest.raises(ContractRevertError.named("ValuationExpired")):
        market.ledger.valuations.attest(
            short, signed(market, valuer, short), sender=market.actors.admin
        )
    enough = make(market, valuer, 2, valid_until=t + 31 * DAY)
    market.ledger.valuations.attest(
        enough, signed(market, valuer, enough), sender=market.actors.admin
    )
    assert market.ledger.valuations._call("MIN_VALIDITY") == 30 * DAY


def test_report_id_belongs_to_its_valuer(market: Market, valuer: LocalAccount) -> None:
    """Another accredited valuer cannot take (and so block) this valuer's report id."""
    other: LocalAccount = Account.from_key(OTHER_KEY)
    market.ledger.valuations.set_valuer(
        other.address,
        name="CN centre",
        jurisdiction="CN",
        accredited_until=2**40,
        sender=market.actors.admin,
    )
    mine = make(market, valuer)
    squat = make(market, other, report_id=mine.report_id)
    with pytest.raises(ContractRevertError.named("ValuationReportIdNotValuers")) as info:
        market.ledger.valuations.attest(
            squat, signed(market, other, squat), sender=market.actors.admin
        )
    assert info.value.arguments == {"reportId": mine.report_id, "valuer": other.address}
    market.ledger.valuations.attest(mine, signed(market, valuer, mine), sender=market.actors.admin)
    assert market.ledger.valuations.is_attested(mine.report_id)


def test_late_valuation_walks_a_bounded_number_of_steps(
    market: Market, valuer: LocalAccount
) -> None:
    valuations = market.ledger.valuations
    t = now(market.ledger.w3)
    later = [make(market, valuer, i, valuation_date=t - 1000 + 10 * i) for i in range(1, 10)]
    valuations.attest_batch(
        [(v, signed(market, valuer, v)) for v in later], sender=market.actors.admin
    )
    behind_all = make(market, valuer, 20, valuation_date=t - 1000)
    with pytest.raises(ContractRevertError.named("ValuationSuperseded")):
        valuations.attest(
            behind_all, signed(market, valuer, behind_all), sender=market.actors.admin
        )
    behind_eight = make(market, valuer, 21, valuation_date=t - 1000 + 15)
    valuations.attest(
        behind_eight, signed(market, valuer, behind_eight), sender=market.actors.admin
    )
    assert valuations.latest_valuation(market.patent_id).report_id == later[-1].report_id  # type: ignore[union-attr]


def test_dead_entries_do_not_block_late_valuations_and_are_unlinked(
    market: Market, valuer: LocalAccount
) -> None:
    """Padding a patent with valuations and revoking them (which even returns their
    subsidy slots) must not make other valuers' late reports Superseded."""
    valuations = market.ledger.valuations
    t = now(market.ledger.w3)
    padding = [make(market, valuer, i, valuation_date=t - 100 + i) for i in range(1, 12)]
    valuations.attest_batch(
        [(v, signed(market, valuer, v)) for v in padding], sender=market.actors.admin
    )
    as_valuer = valuer_sender(market, valuer)
    for v in padding:
        valuations.revoke(v.report_id, "padding", sender=as_valuer)
    late = make(market, valuer, 50, valuation_date=t - 1000)
    receipt = valuations.attest(late, signed(market, valuer, late), sender=market.actors.admin)
    assert valuations.latest_valuation(market.patent_id).report_id == late.report_id  # type: ignore[union-attr]
    # The dead entries it passed were unlinked: the next late one walks nothing.
    later = make(market, valuer, 51, valuation_date=t - 2000)
    second = valuations.attest(later, signed(market, valuer, later), sender=market.actors.admin)
    assert second["gasUsed"] < receipt["gasUsed"] - 11 * 2000


def test_latest_and_inserts_look_at_most_max_walk_entries(
    market: Market, valuer: LocalAccount
) -> None:
    valuations = market.ledger.valuations
    t = now(market.ledger.w3)
    kept = make(market, valuer, 1, valuation_date=t - 5000, valid_until=t + YEAR)
    valuations.attest(kept, signed(market, valuer, kept), sender=market.actors.admin)
    short = [
        make(market, valuer, 100 + i, valuation_date=t - 4000 + i, valid_until=t + 31 * DAY)
        for i in range(65)
    ]
    for start in (0, 33):
        valuations.attest_batch(
            [(v, signed(market, valuer, v)) for v in short[start : start + 33]],
            sender=market.actors.admin,
        )
    advance(market.ledger.w3, 32 * DAY)  # all 65 expire: dead, above the one that counts
    assert valuations._call("MAX_WALK") == 64
    assert valuations.latest_valuation(market.patent_id) is None  # bounded, not a revert
    late = make(market, valuer, 300, valuation_date=t - 6000)
    with pytest.raises(ContractRevertError.named("ValuationSuperseded")):
        valuations.attest(late, signed(market, valuer, late), sender=market.actors.admin)
    receipt = valuations._send("prune", market.patent_id, 100, sender=market.actors.outsider)
    [event] = valuations.events(receipt, "ValuationsPruned")
    assert event["args"]["removed"] == 65
    assert valuations.latest_valuation(market.patent_id).report_id == kept.report_id  # type: ignore[union-attr]
    valuations.attest(late, signed(market, valuer, late), sender=market.actors.admin)


def test_withdrawn_valuers_valuations_stop_counting_lapsed_ones_do_not(
    market: Market, valuer: LocalAccount
) -> None:
    valuations = market.ledger.valuations
    t = now(market.ledger.w3)
    v = make(market, valuer, valid_until=t + 2 * YEAR)
    valuations.attest(v, signed(market, valuer, v), sender=market.actors.admin)
    advance(market.ledger.w3, YEAR + 10)  # the accreditation lapsed in time
    assert valuations.latest_valuation(market.patent_id).report_id == v.report_id  # type: ignore[union-attr]
    valuations.remove_valuer(valuer.address, sender=market.actors.admin)  # for cause
    assert valuations.is_withdrawn(valuer.address)
    assert valuations.latest_valuation(market.patent_id) is None
    with pytest.raises(ContractRevertError.named("ValuationValuerWithdrawn")):
        valuations.set_valuer(
            valuer.address,
            name="again",
            jurisdiction="HK",
            accredited_until=2**40,
            sender=market.actors.admin,
        )


def test_accreditor_revokes_for_cause_with_evidence(market: Market, valuer: LocalAccount) -> None:
    from tests.support.suite import open_market

    valuations = market.ledger.valuations
    v = make(market, valuer)
    valuations.attest(v, signed(market, valuer, v), sender=market.actors.admin)
    decision = keccak(text="accreditation panel decision 2026-17")
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")):
        valuations.revoke_for_cause(
            market.patent_id, v.report_id, "leaked key", decision, sender=market.actors.outsider
        )
    other = open_market(market.ledger, market.actors, number="30054321")
    with pytest.raises(ContractRevertError.named("ValuationWrongPatent")):
        valuations.revoke_for_cause(
            other.patent_id, v.report_id, "leaked key", decision, sender=market.actors.admin
        )
    receipt = valuations.revoke_for_cause(
        market.patent_id, v.report_id, "leaked key", decision, sender=market.actors.admin
    )
    assert valuations.is_revoked(v.report_id)
    assert valuations.latest_valuation(market.patent_id) is None
    [event] = valuations.events(receipt, "ValuationRevokedForCause")
    assert event["args"]["evidenceHash"] == decision
    entries = market.ledger.evidence.entries(market.patent_id)
    assert (entries[-1].kind, entries[-1].content_hash) == (EvidenceKind.OTHER, decision)


def test_revocation_for_cause_still_works_once_the_entry_was_pruned(
    market: Market, valuer: LocalAccount
) -> None:
    valuations = market.ledger.valuations
    v = make(market, valuer)
    valuations.attest(v, signed(market, valuer, v), sender=market.actors.admin)
    valuations.remove_valuer(valuer.address, sender=market.actors.admin)  # now dead
    valuations._send("prune", market.patent_id, 10, sender=market.actors.outsider)
    decision = keccak(text="panel decision")
    valuations.revoke_for_cause(
        market.patent_id, v.report_id, "leaked key", decision, sender=market.actors.admin
    )
    assert valuations.is_revoked(v.report_id)
    assert market.ledger.evidence.entries(market.patent_id)[-1].content_hash == decision


def test_subsidy_cap_is_set_by_the_admin_only(market: Market, valuer: LocalAccount) -> None:
    valuations = market.ledger.valuations
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")):
        valuations._send("setSubsidyCap", 0, sender=market.actors.outsider)
    receipt = valuations._send("setSubsidyCap", 0, sender=market.actors.admin)
    assert valuations.events(receipt, "SubsidyCapSet")[0]["args"]["cap"] == 0
    v = make(market, valuer)
    with pytest.raises(ContractRevertError.named("ValuationSubsidyCapReached")):
        valuations.attest(v, signed(market, valuer, v), sender=market.actors.admin)
    unsubsidised = make(market, valuer, 2, subsidised=False)
    valuations.attest(
        unsubsidised, signed(market, valuer, unsubsidised), sender=market.actors.admin
    )
