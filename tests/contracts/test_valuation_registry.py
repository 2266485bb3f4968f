from __future__ import annotations

import datetime as dt

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ipledger.deploy import deploy_artifact
from ipledger.eip712 import Domain, sign_revocation, sign_valuation, valuation_message
from ipledger.errors import ContractRevertError
from ipledger.types import EvidenceKind, Method, Role, Valuation, patent_id, report_id_of
from tests.chaintools import advance, now
from tests.conftest import YEAR
from tests.contracts.conftest import Market

DAY = 86400
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
VALUER_KEY = keccak(text="accredited valuer, HKSTP valuation centre")
OTHER_KEY = keccak(text="another accredited valuer")


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


def make(m: Market, signer: LocalAccount, n: int = 1, **overrides: object) -> Valuation:
    t = now(m.ledger.w3)
    fields: dict[str, object] = {
        "patent_id": m.patent_id,
        "valuer": signer.address,
        "value": 12_500_000_00,
        "currency": "HKD",
        "valuation_date": t - 86400,
        "valid_until": t + YEAR,
        "method": Method.INCOME,
        "standard": "GB/T 42748-2023",
        "citation_network": 72,
        "commercial_application": 81,
        "technology_maturity": 64,
        "market_potential": 77,
        "report_hash": keccak(text=f"report {n}"),
        "subsidised": True,
    }
    fields.update(overrides)
    fields.setdefault("report_id", report_id_of(str(fields["valuer"]), f"HKTIS-2026-{n:04d}"))
    return Valuation(**fields)  # type: ignore[arg-type]


def signed(m: Market, valuer: LocalAccount, valuation: Valuation) -> bytes:
    return sign_valuation(valuer, m.ledger.valuations.domain(), valuation)


def test_attest_records_latest_and_appends_evidence(market: Market, valuer: LocalAccount) -> None:
    v = make(market, valuer)
    receipt = market.ledger.valuations.attest(
        v, signed(market, valuer, v), sender=market.actors.outsider
    )
    assert market.ledger.valuations.is_attested(v.report_id)
    latest = market.ledger.valuations.latest_valuation(market.patent_id)
    assert latest is not None
    assert (latest.report_id, latest.value, latest.currency, latest.valuer) == (
        v.report_id,
        v.value,
        "HKD",
        valuer.address,
    )
    [event] = market.ledger.valuations.events(receipt, "ValuationAttested")
    assert event["args"]["standard"] == "GB/T 42748-2023"
    assert event["args"]["scores"] == [72, 81, 64, 77]
    [entry] = market.ledger.evidence.entries(market.patent_id)
    assert (entry.kind, entry.content_hash, entry.submitter) == (
        EvidenceKind.VALUATION,
        v.report_hash,
        market.ledger.addresses.valuation_registry,
    )


def test_python_digest_matches_contract(market: Market, valuer: LocalAccount) -> None:
    v = make(market, valuer)
    domain = market.ledger.valuations.domain()
    assert domain.chain_id == market.ledger.w3.eth.chain_id
    assert domain.verifying_contract == market.ledger.addresses.valuation_registry
    message = valuation_message(domain, v)
    digest = keccak(b"\x19" + message.version + message.header + message.body)
    assert market.ledger.valuations.hash_valuation(v) == digest


def test_same_signature_never_counts_twice(market: Market, valuer: LocalAccount) -> None:
    v = make(market, valuer)
    signature = signed(market, valuer, v)
    market.ledger.valuations.attest(v, signature, sender=market.actors.outsider)
    with pytest.raises(ContractRevertError.named("ValuationAlreadyAttested")) as info:
        market.ledger.valuations.attest(v, signature, sender=market.actors.admin)
    assert info.value.arguments == {"reportId": v.report_id}


@pytest.mark.parametrize(
    "change",
    [
        {"report_id": "own id: HKTIS-2026-9999"},
        {"value": 1},
        {"currency": "USD"},
        {"valuation_date": "a second earlier"},
        {"valid_until": 2**40},
        {"method": Method.COST},
        {"standard": "ISO 10668"},
        {"citation_network": 1},
        {"commercial_application": 1},
        {"technology_maturity": 1},
        {"market_potential": 1},
        {"report_hash": keccak(text="other report")},
        {"subsidised": False},
    ],
)
def test_any_field_changed_after_signing_is_rejected(
    market: Market, valuer: LocalAccount, change: dict[str, object]
) -> None:
    v = make(market, valuer)
    signature = signed(market, valuer, v)
    if "report_id" in change:  # another of the valuer's own ids
        change = {"report_id": report_id_of(valuer.address, str(change["report_id"]))}
    if "valuation_date" in change:  # still within MAX_AGE, so only the signature fails
        change = {"valuation_date": v.valuation_date - 1}
    with pytest.raises(ContractRevertError.named("ValuationInvalidSignature")):
        market.ledger.valuations.attest(
            v.model_copy(update=change), signature, sender=market.actors.admin
        )


def test_patent_changed_after_signing_is_rejected(market: Market, valuer: LocalAccount) -> None:
    from tests.contracts.conftest import open_market

    other = open_market(market.ledger, market.actors, number="30054321")
    v = make(market, valuer)
    signature = signed(market, valuer, v)
    with pytest.raises(ContractRevertError.named("ValuationInvalidSignature")):
        market.ledger.valuations.attest(
            v.model_copy(update={"patent_id": other.patent_id}),
            signature,
            sender=market.actors.admin,
        )


def test_signature_by_another_accredited_valuer_is_rejected(
    market: Market, valuer: LocalAccount
) -> None:
    other: LocalAccount = Account.from_key(OTHER_KEY)
    market.ledger.valuations.set_valuer(
        other.address,
        name="CN centre",
        jurisdiction="CN",
        accredited_until=2**40,
        sender=market.actors.admin,
    )
    v = make(market, valuer)
    with pytest.raises(ContractRevertError.named("ValuationInvalidSignature")) as info:
        market.ledger.valuations.attest(v, signed(market, other, v), sender=market.actors.admin)
    assert info.value.arguments["valuer"] == valuer.address


@pytest.mark.parametrize("target", ["chain", "contract"])
def test_signature_for_another_domain_is_rejected(
    market: Market, valuer: LocalAccount, target: str
) -> None:
    v = make(market, valuer)
    domain = market.ledger.valuations.domain()
    if target == "chain":
        domain = domain.model_copy(update={"chain_id": domain.chain_id + 1})
    else:
        domain = domain.model_copy(
            update={"verifying_contract": market.ledger.addresses.patent_registry}
        )
    with pytest.raises(ContractRevertError.named("ValuationInvalidSignature")):
        market.ledger.valuations.attest(
            v, sign_valuation(valuer, domain, v), sender=market.actors.admin
        )


def test_high_s_and_malformed_signatures_are_rejected(market: Market, valuer: LocalAccount) -> None:
    v = make(market, valuer)
    signature = signed(market, valuer, v)
    r, s, parity = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    malleable = r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - parity])  # 27 <-> 28
    for bad in (malleable, signature[:64], signature + b"\x00", b"\x01" * 65):
        with pytest.raises(ContractRevertError.named("ValuationInvalidSignature")):
            market.ledger.valuations.attest(v, bad, sender=market.actors.admin)
    market.ledger.valuations.attest(v, signature, sender=market.actors.admin)


def test_unaccredited_and_lapsed_valuers_are_rejected(market: Market, valuer: LocalAccount) -> None:
    stranger: LocalAccount = Account.from_key(OTHER_KEY)
    v = make(market, stranger)
    with pytest.raises(ContractRevertError.named("ValuationUnaccreditedValuer")) as info:
        market.ledger.valuations.attest(v, signed(market, stranger, v), sender=market.actors.admin)
    assert info.value.arguments == {"reportId": v.report_id, "valuer": stranger.address}
    advance(market.ledger.w3, YEAR + 10)  # the valuer's accreditation lapsed
    mine = make(market, valuer, 2)
    signature = signed(market, valuer, mine)
    with pytest.raises(ContractRevertError.named("ValuationUnaccreditedValuer")):
        market.ledger.valuations.attest(mine, signature, sender=market.actors.admin)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"patent_id": patent_id("HK", "404")}, "ValuationUnknownPatent"),
        ({"valid_until": 0}, "ValuationInvalidDates"),
        ({"valuation_date": 2**40, "valid_until": 2**41}, "ValuationDateInFuture"),
        ({"citation_network": 101}, "ValuationInvalidField"),
        ({"currency": "hkd"}, "ValuationInvalidField"),
        ({"value": 0}, "ValuationInvalidField"),
        ({"report_hash": b"\0" * 32}, "ValuationInvalidField"),
        ({"report_id": b"\x11" * 20 + b"\0" * 12}, "ValuationReportIdNotValuers"),
        ({"valuation_date": 10**9, "valid_until": 10**9 + 1}, "ValuationExpired"),
        ({"valuation_date": 10**9, "valid_until": 2**40}, "ValuationTooOld"),
    ],
)
def test_invalid_valuations_are_rejected(
    market: Market, valuer: LocalAccount, change: dict[str, object], error: str
) -> None:
    v = make(market, valuer, **change)
    with pytest.raises(ContractRevertError.named(error)):
        market.ledger.valuations.attest(v, signed(market, valuer, v), sender=market.actors.admin)


def test_latest_skips_revoked_and_expired(market: Market, valuer: LocalAccount) -> None:
    t = now(market.ledger.w3)
    older = make(market, valuer, 1, valuation_date=t - 1000, valid_until=t + YEAR)
    newer = make(market, valuer, 2, valuation_date=t - 500, valid_until=t + 31 * DAY)
    # Relayed newest first: the list is kept in valuation-date order regardless.
    for v in (newer, older):
        market.ledger.valuations.attest(v, signed(market, valuer, v), sender=market.actors.admin)
    valuations = market.ledger.valuations
    assert valuations.latest_valuation(market.patent_id).report_id == newer.report_id  # type: ignore[union-attr]
    advance(market.ledger.w3, 32 * DAY)
    assert valuations.latest_valuation(market.patent_id).report_id == older.report_id  # type: ignore[union-attr]
    valuations.revoke(
        older.report_id, "comparables restated", sender=_valuer_sender(market, valuer)
    )
    assert valuations.is_revoked(older.report_id)
    assert valuations.latest_valuation(market.patent_id) is None


def _valuer_sender(market: Market, valuer: LocalAccount):  # type: ignore[no-untyped-def]
    """Fund the valuer's key so it can send its own transaction."""
    from ipledger.tx import KeyAccount

    tx = market.ledger.w3.eth.send_transaction(
        {"from": market.actors.admin.address, "to": valuer.address, "value": 10**18}
    )
    market.ledger.w3.eth.wait_for_transaction_receipt(tx)
    return KeyAccount(valuer)


def test_revoke_rules(market: Market, valuer: LocalAccount) -> None:
    v = make(market, valuer)
    market.ledger.valuations.attest(v, signed(market, valuer, v), sender=market.actors.admin)
    with pytest.raises(ContractRevertError.named("ValuationNotValuer")):
        market.ledger.valuations.revoke(v.report_id, "no", sender=market.actors.admin)
    with pytest.raises(ContractRevertError.named("ValuationNotAttested")):
        market.ledger.valuations.revoke(keccak(text="nope"), "no", sender=market.actors.admin)
    domain = market.ledger.valuations.domain()
    forged = sign_revocation(Account.from_key(OTHER_KEY), domain, v.report_id, "withdrawn")
    with pytest.raises(ContractRevertError.named("ValuationInvalidSignature")):
        market.ledger.valuations.revoke_by_sig(
            v.report_id, "withdrawn", forged, sender=market.actors.admin
        )
    good = sign_revocation(valuer, domain, v.report_id, "withdrawn")
    receipt = market.ledger.valuations.revoke_by_sig(
        v.report_id, "withdrawn", good, sender=market.actors.outsider
    )
    [event] = market.ledger.valuations.events(receipt, "ValuationRevoked")
    assert event["args"]["reason"] == "withdrawn"
    with pytest.raises(ContractRevertError.named("ValuationAlreadyRevoked")):
        market.ledger.valuations.revoke_by_sig(
            v.report_id, "withdrawn", good, sender=market.actors.outsider
        )


def test_batch_skips_and_reports_bad_items(market: Market, valuer: LocalAccount) -> None:
    items = [(v, signed(market, valuer, v)) for v in (make(market, valuer, i) for i in range(3))]
    items[1] = (items[1][0], items[0][1])  # item 1 carries item 0's signature
    _, skipped = market.ledger.valuations.attest_batch(items, sender=market.actors.outsider)
    assert [(e["args"]["reportId"], e["args"]["reason"]) for e in skipped] == [
        (items[1][0].report_id, 4)
    ]
    attested = [market.ledger.valuations.is_attested(v.report_id) for v, _ in items]
    assert attested == [True, False, True]
    # A replayed batch attests nothing new and reports each item as already attested.
    _, skipped = market.ledger.valuations.attest_batch(
        [items[0], items[2]], sender=market.actors.admin
    )
    assert [e["args"]["reason"] for e in skipped] == [3, 3]


def test_batch_length_mismatch_reverts(market: Market, valuer: LocalAccount) -> None:
    v = make(market, valuer)
    with pytest.raises(ContractRevertError.named("ValuationBatchLengthMismatch")):
        market.ledger.valuations._send(
            "attestBatch", [v.as_tuple()], [], sender=market.actors.admin
        )


def _year(w3: object) -> int:
    return dt.datetime.fromtimestamp(now(w3), dt.UTC).year  # type: ignore[arg-type]


def test_subsidy_cap_is_100_per_calendar_year(market: Market, valuer: LocalAccount) -> None:
    valuations = [make(market, valuer, i) for i in range(101)]
    items = [(v, signed(market, valuer, v)) for v in valuations]
    for start in (0, 50):
        _, skipped = market.ledger.valuations.attest_batch(
            items[start : start + 50], sender=market.actors.admin
        )
        assert skipped == []
    year = _year(market.ledger.w3)
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
    last_year = dt.datetime(_year(market.ledger.w3) - 1, 12, 31, tzinfo=dt.UTC).timestamp()
    backdated = make(market, valuer, 2, valuation_date=int(last_year), valid_until=t + YEAR)
    with pytest.raises(ContractRevertError.named("ValuationSubsidyCapReached")) as info:
        valuations.attest(backdated, signed(market, valuer, backdated), sender=market.actors.admin)
    assert info.value.arguments["year"] == _year(market.ledger.w3)
    assert valuations.subsidised_in(_year(market.ledger.w3) - 1) == 0


def test_revoking_within_the_year_returns_the_subsidy_slot(
    market: Market, valuer: LocalAccount
) -> None:
    valuations = market.ledger.valuations
    valuations._send("setSubsidyCap", 1, sender=market.actors.admin)
    first, second = make(market, valuer, 1), make(market, valuer, 2)
    valuations.attest(first, signed(market, valuer, first), sender=market.actors.admin)
    year = _year(market.ledger.w3)
    assert valuations.subsidised_in(year) == 1
    valuations.revoke(first.report_id, "issued in error", sender=_valuer_sender(market, valuer))
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
    as_valuer = _valuer_sender(market, valuer)
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
    from tests.contracts.conftest import open_market

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


def test_contract_valuer_signs_through_erc1271(market: Market) -> None:
    owner: LocalAccount = Account.from_key(OTHER_KEY)
    wallet, _ = deploy_artifact(
        w3=market.ledger.w3,
        artifact=market.ledger.artifacts["ContractValuer"],
        sender=market.actors.admin,
        args=(owner.address,),
    )
    market.ledger.valuations.set_valuer(
        wallet,
        name="Valuation firm (multisig)",
        jurisdiction="HK",
        accredited_until=2**40,
        sender=market.actors.admin,
    )
    v = make(market, owner, valuer=wallet)
    market.ledger.valuations.attest(v, signed(market, owner, v), sender=market.actors.admin)
    assert market.ledger.valuations.is_attested(v.report_id)
    stranger = make(market, Account.from_key(VALUER_KEY), 2, valuer=wallet)
    with pytest.raises(ContractRevertError.named("ValuationInvalidSignature")):
        market.ledger.valuations.attest(
            stranger,
            signed(market, Account.from_key(VALUER_KEY), stranger),
            sender=market.actors.admin,
        )


def test_only_accreditor_manages_valuers(market: Market) -> None:
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")) as info:
        market.ledger.valuations.set_valuer(
            market.actors.outsider.address,
            name="x",
            jurisdiction="HK",
            accredited_until=2**40,
            sender=market.actors.outsider,
        )
    assert info.value.arguments["neededRole"] == Role.ACCREDITOR.id


def test_domain_is_bound_to_chain_and_contract(market: Market) -> None:
    domain = Domain.of(market.ledger.valuations.contract)
    assert (domain.name, domain.version) == ("ipledger ValuationRegistry", "1")
    assert domain.chain_id == market.ledger.w3.eth.chain_id
    assert domain.verifying_contract == market.ledger.addresses.valuation_registry
    fields, *_rest, salt, extensions = (
        market.ledger.valuations.contract.functions.eip712Domain().call()
    )
    # name, version, chainId and verifyingContract are in the domain; no salt, no extensions.
    assert (fields, salt, extensions) == (b"\x0f", b"\0" * 32, [])


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
