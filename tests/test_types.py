"""Parsing what people type: patent references, addresses, report ids."""

from __future__ import annotations

import pytest
from eth_utils.crypto import keccak

from ipledger.models import parse_address, parse_patent, parse_patent_ref, patent_id, report_id_of

ADDRESS = "0x554C3bA2F52fA5adb7cA4506166c4A5E71853DFa"


@pytest.mark.parametrize(
    "typed", ["HK 30012345", "hk 30012345", "HK30012345", "  HK   30012345 ", "Hk 30012345"]
)
def test_patent_refs_are_canonicalised(typed: str) -> None:
    assert parse_patent_ref(typed) == ("HK", "30012345")


def test_cn_numbers_keep_their_punctuation() -> None:
    assert parse_patent_ref("cn zl202310000001.x") == ("CN", "ZL202310000001.X")


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [("HK 030099999", "HK 30099999"), ("HK 300 99999", "HK 30099999")],
)
def test_ambiguous_refs_get_a_suggestion(typed: str, suggestion: str) -> None:
    with pytest.raises(ValueError, match=f"did you mean '{suggestion}'"):
        parse_patent_ref(typed)


@pytest.mark.parametrize("typed", ["", "30012345", "H 1", "HK", "HK 3001#345"])
def test_malformed_refs_are_refused_by_name(typed: str) -> None:
    with pytest.raises(ValueError, match=repr(typed)):
        parse_patent_ref(typed)


def test_addresses_all_lower_all_upper_or_checksummed() -> None:
    assert parse_address(ADDRESS.lower()) == ADDRESS
    assert parse_address("0x" + ADDRESS[2:].upper()) == ADDRESS
    assert parse_address(ADDRESS) == ADDRESS


def test_mixed_case_address_with_bad_checksum_is_refused() -> None:
    typo = ADDRESS[:-1] + ADDRESS[-1].swapcase()  # one letter's case flipped
    with pytest.raises(ValueError, match="checksum"):
        parse_address(typo)
    with pytest.raises(ValueError, match="not an Ethereum address"):
        parse_address("0x1234")


def test_report_id_is_the_valuers_address_then_its_own_id() -> None:
    rid = report_id_of(ADDRESS, "HKTIS-2026-0001")
    assert rid[:20] == bytes.fromhex(ADDRESS[2:])
    assert rid[20:] == keccak(text="HKTIS-2026-0001")[:12]


def test_a_trailing_newline_is_not_canonical() -> None:
    from ipledger.models import jurisdiction_bytes, patent_id

    with pytest.raises(ValueError, match="canonical"):
        patent_id("HK", "30012345\n")
    with pytest.raises(ValueError, match="alpha-2"):
        jurisdiction_bytes("HK\n")
    with pytest.raises(ValueError, match="not an Ethereum address"):
        parse_address(ADDRESS + "\n")


def test_a_patent_is_named_by_reference_or_by_id() -> None:
    pid = patent_id("HK", "30012345")
    assert parse_patent("hk 30012345") == pid
    assert parse_patent("0x" + pid.hex()) == pid
    assert parse_patent("0x" + pid.hex().upper()) == pid
    for bad in ("0x1234", "0x" + "g" * 64, "0x" + pid.hex() + "00"):
        with pytest.raises(ValueError, match="is not a patent id"):
            parse_patent(bad)


def test_amounts_are_base_units_never_negative_or_booleans() -> None:
    from pydantic import TypeAdapter, ValidationError

    from ipledger.models import DecimalAmount

    amount = TypeAdapter(DecimalAmount)
    assert amount.validate_python("250") == 250
    assert amount.dump_python(2**200, mode="json") == str(2**200)
    for bad in (-5, True, "1.5", "-1", " 1", 1.0):
        with pytest.raises(ValidationError):
            amount.validate_python(bad)
