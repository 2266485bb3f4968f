"""The valuation registry: EIP-712 attestation, signatures, revocation, batches."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ipledger.chain.eip712 import sign_revocation, sign_valuation, valuation_message
from ipledger.deploy.suite import deploy_artifact
from ipledger.errors import ContractRevertError
from ipledger.mirror.settle import REJECTIONS
from ipledger.models import EvidenceKind, Method, Purpose, Role, patent_id, report_id_of
from tests.support.chain import advance, now
from tests.support.suite import VALUER_KEY, YEAR, Market
from tests.support.valuations import (
    DAY,
    OTHER_KEY,
    make,
    signed,
    valuer_sender,
)

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


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
        {"purpose": Purpose.LICENSING},
        {"legal_value": 1},
        {"technical_value": 1},
        {"economic_value": 1},
        {"scoring_model": "HKSTP-IPScore@2.2"},
        {"scoring_input": keccak(text="other input")},
        {"report_hash": keccak(text="other report")},
        {"subsidised": False},
    ],
)
def test_any_field_changed_after_signing_is_rejected(
    market: Market, valuer: LocalAccount, change: dict[str, object]
) -> None:
    v = make(market, valuer)
    signature = signed(market, valuer, v)
    if "report_id" in change:  # another of the valuer's own ids, shown by its own label
        label = str(change["report_id"])
        change = {"report_id": report_id_of(valuer.address, label), "label": label}
    if "valuation_date" in change:  # still within MAX_AGE, so only the signature fails
        change = {"valuation_date": v.valuation_date - 1}
    with pytest.raises(ContractRevertError.named("ValuationInvalidSignature")):
        market.ledger.valuations.attest(
            v.model_copy(update=change), signature, sender=market.actors.admin
        )


def test_patent_changed_after_signing_is_rejected(market: Market, valuer: LocalAccount) -> None:
    from tests.support.suite import open_market

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
    domain = market.ledger.valuations.domain()
    assert (domain.name, domain.version) == ("ipledger ValuationRegistry", "1")
    assert domain.chain_id == market.ledger.w3.eth.chain_id
    assert domain.verifying_contract == market.ledger.addresses.valuation_registry
    fields, *_rest, salt, extensions = (
        market.ledger.valuations.contract.functions.eip712Domain().call()
    )
    # name, version, chainId and verifyingContract are in the domain; no salt, no extensions.
    assert (fields, salt, extensions) == (b"\x0f", b"\0" * 32, [])
