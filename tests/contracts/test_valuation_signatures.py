"""The valuation registry's signatures: the EIP-712 digest Python computes, what a
signature binds (every field, the patent, the valuer, the chain and contract), replays,
malformed and high-s signatures, and valuers that are contracts (ERC-1271)."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ipledger.chain.eip712 import sign_valuation, valuation_message
from ipledger.deploy.suite import deploy_artifact
from ipledger.errors import ContractRevertError
from ipledger.models import Method, Purpose, report_id_of
from tests.support.suite import VALUER_KEY, Market
from tests.support.valuations import (
    OTHER_KEY,
    make,
    signed,
)

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


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
