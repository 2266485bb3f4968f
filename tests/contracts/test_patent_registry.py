from __future__ import annotations

import pytest
from web3 import Web3

from ipledger.clients.ledger import Ledger
from ipledger.errors import ContractRevertError
from ipledger.models import Field, Role, Status, patent_id
from tests.support.chain import advance, now
from tests.support.suite import TOKEN, YEAR, Actors

META = bytes.fromhex("11" * 32)


def register(
    ledger: Ledger, actors: Actors, number: str = "30012345", **overrides: object
) -> bytes:
    args: dict[str, object] = {
        "jurisdiction": "HK",
        "publication_number": number,
        "owner": actors.issuer.address,
        "field": Field.ELECTRICAL,
        "status": Status.GRANTED,
        "expiry": now(ledger.w3) + 10 * YEAR,
        "metadata_hash": META,
        "sender": actors.admin,
    }
    args.update(overrides)
    return ledger.patents.register_patent(**args)  # type: ignore[arg-type]


def test_register_records_patent_and_derives_id(ledger: Ledger, actors: Actors) -> None:
    pid = register(ledger, actors)
    assert pid == Web3.keccak(text="HK 30012345") == patent_id("HK", "30012345")
    record = ledger.patents.patent(pid)
    assert record.owner == actors.issuer.address
    assert (record.field, record.status, record.jurisdiction) == (
        Field.ELECTRICAL,
        Status.GRANTED,
        "HK",
    )
    assert record.metadata_hash == META
    assert ledger.patents.patent_count() == 1
    assert ledger.patents.patent_ids() == [pid]
    assert ledger.patents.is_registered(pid)


def test_register_emits_event_with_every_field(ledger: Ledger, actors: Actors) -> None:
    pid = patent_id("CN", "ZL202310000001.X")
    receipt = ledger.patents._send(
        "registerPatent",
        b"CN",
        "ZL202310000001.X",
        actors.issuer.address,
        2,
        0,
        2**40,
        META,
        sender=actors.admin,
    )
    [event] = ledger.patents.events(receipt, "PatentRegistered")
    assert event["args"]["patentId"] == pid
    assert event["args"]["publicationNumber"] == "ZL202310000001.X"
    assert (event["args"]["field"], event["args"]["status"], event["args"]["expiry"]) == (
        2,
        0,
        2**40,
    )


def test_duplicate_registration_reverts_with_id(ledger: Ledger, actors: Actors) -> None:
    pid = register(ledger, actors)
    with pytest.raises(ContractRevertError.named("PatentAlreadyRegistered")) as info:
        register(ledger, actors)
    assert info.value.arguments == {"patentId": pid}


def test_register_requires_registrar_role(ledger: Ledger, actors: Actors) -> None:
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")) as info:
        register(ledger, actors, sender=actors.outsider)
    assert info.value.arguments == {
        "account": actors.outsider.address,
        "neededRole": Role.REGISTRAR.id,
    }


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"owner": "0x" + "00" * 20}, "PatentInvalidOwner"),
        ({"expiry": 0}, "PatentInvalidExpiry"),
        ({"publication_number": ""}, "PatentInvalidNumber"),
    ],
)
def test_register_rejects_bad_input(
    ledger: Ledger, actors: Actors, overrides: dict[str, object], error: str
) -> None:
    if overrides.get("publication_number") == "":
        # The Python side refuses an empty number before sending; the contract does too.
        with pytest.raises(ContractRevertError.named(error)):
            ledger.patents._send(
                "registerPatent",
                b"HK",
                "",
                actors.issuer.address,
                0,
                0,
                2**40,
                META,
                sender=actors.admin,
            )
        return
    with pytest.raises(ContractRevertError.named(error)):
        register(ledger, actors, **overrides)


def test_lowercase_jurisdiction_reverts(ledger: Ledger, actors: Actors) -> None:
    with pytest.raises(ContractRevertError.named("PatentInvalidNumber")) as info:
        ledger.patents._send(
            "registerPatent",
            b"hk",
            "1",
            actors.issuer.address,
            0,
            0,
            2**40,
            META,
            sender=actors.admin,
        )
    assert info.value.arguments["jurisdiction"] == b"hk"


@pytest.mark.parametrize(
    "number",
    [
        "",
        " 30099999",
        "30099999 ",
        "300  99999",
        "030099999",
        "3009999x",
        "3" * 33,
        "30099999.",
        "30099999-",
        "3009-9999",
        "30099999A",
    ],
)
def test_non_canonical_publication_numbers_are_refused(
    ledger: Ledger, actors: Actors, number: str
) -> None:
    """One patent, one spelling: variants of "HK 30099999" cannot register it again."""
    register(ledger, actors, publication_number="30099999")
    with pytest.raises(ContractRevertError.named("PatentInvalidNumber")) as info:
        ledger.patents._send(
            "registerPatent",
            b"HK",
            number,
            actors.issuer.address,
            0,
            0,
            2**40,
            META,
            sender=actors.admin,
        )
    assert info.value.arguments["publicationNumber"] == number
    with pytest.raises(ValueError, match="canonical"):
        patent_id("HK", number)
    assert ledger.patents.patent_count() == 1


def test_other_jurisdictions_keep_their_separators(ledger: Ledger, actors: Actors) -> None:
    pid = register(ledger, actors, jurisdiction="CN", publication_number="ZL202310000001.X")
    assert pid == patent_id("CN", "ZL202310000001.X")
    for bad in ("ZL202310000001.", ".ZL2023", "ZL2023..1"):
        with pytest.raises(ContractRevertError.named("PatentInvalidNumber")):
            ledger.patents._send(
                "registerPatent",
                b"CN",
                bad,
                actors.issuer.address,
                0,
                0,
                2**40,
                META,
                sender=actors.admin,
            )


def test_updates_emit_events_and_require_registrar(ledger: Ledger, actors: Actors) -> None:
    pid = register(ledger, actors)
    receipt = ledger.patents.set_status(pid, Status.LAPSED, sender=actors.admin)
    [event] = ledger.patents.events(receipt, "PatentStatusChanged")
    assert (event["args"]["previous"], event["args"]["status"]) == (Status.GRANTED, Status.LAPSED)
    receipt = ledger.patents.set_owner(pid, actors.investors[0].address, sender=actors.admin)
    [event] = ledger.patents.events(receipt, "PatentOwnerChanged")
    assert event["args"]["owner"] == actors.investors[0].address
    ledger.patents.set_metadata(pid, metadata_hash=b"\x22" * 32, expiry=2**41, sender=actors.admin)
    record = ledger.patents.patent(pid)
    assert (record.status, record.owner, record.expiry) == (
        Status.LAPSED,
        actors.investors[0].address,
        2**41,
    )
    for call in (
        lambda: ledger.patents.set_status(pid, Status.GRANTED, sender=actors.outsider),
        lambda: ledger.patents.set_owner(pid, actors.outsider.address, sender=actors.outsider),
        lambda: ledger.patents.set_metadata(
            pid, metadata_hash=META, expiry=1, sender=actors.outsider
        ),
    ):
        with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")):
            call()


def test_unknown_patent_reverts_with_id(ledger: Ledger, actors: Actors) -> None:
    unknown = patent_id("HK", "99999999")
    with pytest.raises(ContractRevertError.named("PatentNotRegistered")) as info:
        ledger.patents.patent(unknown)
    assert info.value.arguments == {"patentId": unknown}
    assert "PatentNotRegistered(patentId=0x" in str(info.value)
    with pytest.raises(ContractRevertError.named("PatentNotRegistered")):
        ledger.patents.set_status(unknown, Status.REVOKED, sender=actors.admin)


def tokenize(ledger: Ledger, actors: Actors, pid: bytes, **overrides: object) -> str:
    args: dict[str, object] = {
        "name": "HK 30012345 revenue rights",
        "symbol": "RR-30012345",
        "supply": 1_000_000 * TOKEN,
        "initial_holder": actors.issuer.address,
        "payment_token": ledger.addresses.payment_token,
        "sender": actors.admin,
    }
    args.update(overrides)
    token, _ = ledger.patents.tokenize(pid, **args)  # type: ignore[arg-type]
    return token


def test_tokenize_creates_clone_with_supply_to_holder(ledger: Ledger, actors: Actors) -> None:
    pid = register(ledger, actors)
    address = tokenize(ledger, actors, pid)
    token = ledger.token(address)
    assert ledger.patents.token_of(pid) == address
    assert token.patent_id() == pid
    assert token.payment_token() == ledger.addresses.payment_token
    assert token.balance_of(actors.issuer.address) == token.total_supply() == 1_000_000 * TOKEN
    assert token.contract.functions.symbol().call() == "RR-30012345"
    # An EIP-1167 clone: a 45-byte proxy plus 128 bytes of immutable args.
    code = ledger.w3.eth.get_code(address)
    assert len(code) == 45 + 128
    assert ledger.addresses.token_implementation[2:].lower() in code.hex()


def test_second_tokenize_reverts_with_existing_token(ledger: Ledger, actors: Actors) -> None:
    pid = register(ledger, actors)
    first = tokenize(ledger, actors, pid)
    with pytest.raises(ContractRevertError.named("PatentAlreadyTokenized")) as info:
        tokenize(ledger, actors, pid)
    assert info.value.arguments == {"patentId": pid, "token": first}


def test_tokenize_requires_registrar(ledger: Ledger, actors: Actors) -> None:
    pid = register(ledger, actors)
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")):
        tokenize(ledger, actors, pid, sender=actors.issuer)


@pytest.mark.parametrize("status", [Status.LAPSED, Status.EXPIRED, Status.REVOKED])
def test_inactive_patent_cannot_be_tokenized(
    ledger: Ledger, actors: Actors, status: Status
) -> None:
    pid = register(ledger, actors, status=status)
    with pytest.raises(ContractRevertError.named("PatentNotActive")) as info:
        tokenize(ledger, actors, pid)
    assert info.value.arguments["status"] == status


def test_patent_past_term_cannot_be_tokenized(ledger: Ledger, actors: Actors) -> None:
    pid = register(ledger, actors, expiry=now(ledger.w3) + 1000)
    advance(ledger.w3, 2000)
    with pytest.raises(ContractRevertError.named("PatentNotActive")):
        tokenize(ledger, actors, pid)


@pytest.mark.parametrize(
    "overrides",
    [
        {"supply": 0},
        {"supply": 2**96 + 1},
        {"initial_holder": "0x" + "00" * 20},
        {"payment_token": "0x" + "00" * 20},
    ],
)
def test_tokenize_rejects_bad_terms(
    ledger: Ledger, actors: Actors, overrides: dict[str, object]
) -> None:
    pid = register(ledger, actors)
    with pytest.raises(ContractRevertError.named("PatentInvalidTokenTerms")):
        tokenize(ledger, actors, pid, **overrides)


def test_clone_cannot_be_initialized_twice_or_by_others(ledger: Ledger, actors: Actors) -> None:
    pid = register(ledger, actors)
    token = ledger.token(tokenize(ledger, actors, pid))
    with pytest.raises(ContractRevertError.named("InvalidInitialization")):
        token._send("initialize", "x", "y", actors.outsider.address, sender=actors.outsider)
    implementation = ledger.token(ledger.addresses.token_implementation)
    with pytest.raises(ContractRevertError.named("InvalidInitialization")):
        implementation._send("initialize", "x", "y", actors.outsider.address, sender=actors.admin)


def test_owner_cannot_be_zero_nor_expiry_cleared(ledger: Ledger, actors: Actors) -> None:
    pid = register(ledger, actors)
    with pytest.raises(ContractRevertError.named("PatentInvalidOwner")):
        ledger.patents._send("setOwner", pid, "0x" + "00" * 20, sender=actors.admin)
    with pytest.raises(ContractRevertError.named("PatentInvalidExpiry")):
        ledger.patents.set_metadata(pid, metadata_hash=META, expiry=0, sender=actors.admin)
    assert ledger.patents.patent(pid).owner == actors.issuer.address


def test_a_deep_call_succeeds_with_exactly_the_estimated_gas(
    ledger: Ledger, actors: Actors
) -> None:
    """Tokenising creates a token from the registry (a call below the transaction's own
    frame, and what the token's constructor calls below that). Sent with exactly the
    node's estimate, no margin, it succeeds; on the embedded chain that estimate is one
    run's use scaled by 64/63 per level of calls, never confirmed by a second run."""
    pid = register(ledger, actors, "30088888")
    call = ledger.patents.contract.functions.tokenize(
        pid,
        "HK 30088888 rights",
        "RR88",
        10**6 * TOKEN,
        actors.issuer.address,
        ledger.addresses.payment_token,
    )
    estimate = call.estimate_gas({"from": actors.admin.address})
    tx = call.transact({"from": actors.admin.address, "gas": estimate})
    receipt = ledger.w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    assert receipt["gasUsed"] <= estimate <= receipt["gasUsed"] * 11 // 10 + 10_000  # tight
