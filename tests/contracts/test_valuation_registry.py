"""The valuation registry: attestation and its evidence, accreditation, invalid fields,
the latest valuation, revocation, batches, the valuer's own report ids (signatures:
test_valuation_signatures)."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ipledger.chain.eip712 import sign_revocation
from ipledger.errors import ContractRevertError
from ipledger.mirror.settle import REJECTIONS
from ipledger.models import EvidenceKind, Purpose, Role, patent_id
from tests.support.chain import advance, now
from tests.support.suite import YEAR, Market
from tests.support.valuations import (
    DAY,
    OTHER_KEY,
    make,
    signed,
    valuer_sender,
)


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
    # What it rests on, beside it: the standard's purpose and indicators, the model.
    [basis] = market.ledger.valuations.events(receipt, "ValuationBasis")
    assert (basis["args"]["reportId"], basis["args"]["patentId"]) == (v.report_id, v.patent_id)
    assert basis["args"]["purpose"] == Purpose.FINANCE
    assert basis["args"]["dimensions"] == [84, 79, 71]
    assert basis["args"]["scoringModel"] == b"HKSTP-IPScore@2.1".ljust(32, b"\0")
    assert basis["args"]["scoringInput"] == v.scoring_input
    [entry] = market.ledger.evidence.entries(market.patent_id)
    assert (entry.kind, entry.content_hash, entry.submitter) == (
        EvidenceKind.VALUATION,
        v.report_hash,
        market.ledger.addresses.valuation_registry,
    )


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


@pytest.mark.parametrize(
    ("index", "bad"),
    [(8, 6), (10, 101), (11, 101), (12, 101), (17, b"\0" * 32)],
    ids=["purpose", "legal", "technical", "economic", "no scoring model"],
)
def test_bad_basis_fields_are_invalid(
    market: Market, valuer: LocalAccount, index: int, bad: object
) -> None:
    """A purpose the standard does not have, an indicator score over 100, or machine
    scores naming no model: refused before the signature is even checked."""
    fields = list(make(market, valuer).as_tuple())
    fields[index] = bad
    with pytest.raises(ContractRevertError.named("ValuationInvalidField")):
        # The struct as sent on the wire: the model refuses these before they are signed.
        market.ledger.valuations._send(
            "attest", tuple(fields), "", b"\0" * 65, sender=market.actors.admin
        )


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
    valuations.revoke(older.report_id, "comparables restated", sender=valuer_sender(market, valuer))
    assert valuations.is_revoked(older.report_id)
    assert valuations.latest_valuation(market.patent_id) is None


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
    for labels, signatures in (([v.label], []), ([], [b"\x00" * 65])):
        with pytest.raises(ContractRevertError.named("ValuationBatchLengthMismatch")):
            market.ledger.valuations._send(
                "attestBatch", [v.as_tuple()], labels, signatures, sender=market.actors.admin
            )


def test_the_valuers_own_report_id_is_shown_and_cannot_be_borrowed(
    market: Market, valuer: LocalAccount
) -> None:
    """The event carries the label ("HKTIS-2026-0001") the on-chain id was made from; a
    label of another report is refused, alone or in a batch; none at all is allowed."""
    registry, admin = market.ledger.valuations, market.actors.admin
    v = make(market, valuer)
    assert v.label == "HKTIS-2026-0001"
    borrowed = v.model_copy(update={"label": "HKTIS-2026-0999"})
    with pytest.raises(ContractRevertError.named("ValuationLabelMismatch")) as refused:
        registry.attest(borrowed, signed(market, valuer, v), sender=admin)
    assert "HKTIS-2026-0999" in str(refused.value)
    _, skipped = registry.attest_batch([(borrowed, signed(market, valuer, v))], sender=admin)
    assert [REJECTIONS[e["args"]["reason"]] for e in skipped] == ["LabelMismatch"]
    registry.attest(v, signed(market, valuer, v), sender=admin)
    event = registry.attested_event(v.report_id)
    assert event is not None
    assert event["args"]["label"] == "HKTIS-2026-0001"
    unlabelled = make(market, valuer, n=2, valuation_date=v.valuation_date + 1)
    unlabelled = unlabelled.model_copy(update={"label": ""})
    registry.attest(unlabelled, signed(market, valuer, unlabelled), sender=admin)
    event = registry.attested_event(unlabelled.report_id)
    assert event is not None
    assert event["args"]["label"] == ""


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
