"""Annotated types that validate and serialise themselves, and the parsers of what
people type (a patent reference, an address).

In Python: bytes, checksummed addresses, ints. In JSON (the CLI's `--json`, the API):
bytes32 as 0x-hex, addresses checksummed, amounts in base units as decimal strings
(JavaScript clients and jq round numbers above 2**53).
"""

from __future__ import annotations

import functools
import re
from enum import Enum
from typing import Annotated, Any, NewType

from eth_typing import ChecksumAddress
from eth_utils.address import is_checksum_address, to_checksum_address
from eth_utils.crypto import keccak
from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema
from pydantic.alias_generators import to_camel

PatentId = NewType("PatentId", bytes)  # 32 bytes: keccak256("<jurisdiction> <number>")
Amount = NewType("Amount", int)  # base units of a token

_COUNTRY = re.compile(r"^[A-Z]{2}$")
# PatentRegistry's canonical publication number (Jurisdictions.isCanonicalNumber): a
# separator only between letters or digits; Hong Kong's are digits only.
_NUMBER = re.compile(r"^(?=.{1,32}$)[1-9A-Z][0-9A-Z]*(?:[./-][0-9A-Z]+)*$")
_HK_NUMBER = re.compile(r"^[1-9][0-9]{0,31}$")
_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _amount(value: Any) -> int:
    """Base units: a non-negative int, or its decimal digits as text (as JSON gives it)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"expected an amount in base units, got {value!r}")
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]+", value):
            raise ValueError(f"amount {value!r} is not decimal digits")
        return int(value)
    if value < 0:
        raise ValueError(f"amount {value} is negative")
    return int(value)


# An amount in base units: an int in Python, a decimal string in JSON.
DecimalAmount = Annotated[
    int,
    BeforeValidator(_amount),
    PlainSerializer(str, return_type=str, when_used="json"),
    WithJsonSchema(
        {"type": "string", "pattern": "^[0-9]+$", "examples": ["250002500000000000000000"]}
    ),
]


def jurisdiction_bytes(code: str) -> bytes:
    """An ISO 3166-1 alpha-2 code as the contracts' `bytes2`."""
    if not _COUNTRY.fullmatch(code):
        raise ValueError(f"jurisdiction {code!r} is not an ISO 3166-1 alpha-2 code like 'HK'")
    return code.encode("ascii")


def patent_id(jurisdiction: str, publication_number: str) -> PatentId:
    """The id the PatentRegistry gives "<jurisdiction> <publication number>"; the number
    must be canonical (the registry refuses any other spelling)."""
    jurisdiction_bytes(jurisdiction)
    if not _canonical(jurisdiction, publication_number):
        raise ValueError(
            f"publication number {publication_number!r} is not in canonical form "
            "(1-32 of A-Z 0-9 with . / - only between them, no leading zero, no spaces; "
            "digits only in HK)"
        )
    return PatentId(keccak(text=f"{jurisdiction} {publication_number}"))


def _canonical(jurisdiction: str, number: str) -> bool:
    return bool((_HK_NUMBER if jurisdiction == "HK" else _NUMBER).fullmatch(number))


def parse_patent_ref(text: str) -> tuple[str, str]:
    """(jurisdiction, number) from what people type: "hk 30012345", "HK30012345" and
    " HK  30012345 " all mean "HK 30012345". A spelling that cannot be made canonical
    safely (inner spaces, leading zeros) is refused with the canonical form suggested."""
    squeezed = " ".join(text.split()).upper()
    # Without a space, only a number that starts with a digit is read as one ("HK30012345").
    match = re.match(r"^([A-Z]{2})(?: (\S.*)|([0-9].*))$", squeezed)
    if match is None:
        raise ValueError(
            f"{text!r} is not a patent reference: expected a jurisdiction and a "
            "publication number, e.g. 'HK 30012345'"
        )
    jurisdiction, spaced, joined = match.groups()
    number = spaced or joined
    if _canonical(jurisdiction, number):
        return jurisdiction, number
    suggestion = number.replace(" ", "").lstrip("0")
    if _canonical(jurisdiction, suggestion):
        raise ValueError(
            f"{text!r} is not a canonical patent number: "
            f"did you mean '{jurisdiction} {suggestion}'?"
        )
    raise ValueError(
        f"{text!r}: publication number {number!r} must be 1-32 of A-Z 0-9 . / - "
        "with no leading zero"
    )


def parse_patent(text: str) -> PatentId:
    """The id of a patent as people and programs name it: "HK 30012345" (case and
    spacing forgiven, see `parse_patent_ref`) or its id, 0x + 64 hex."""
    if text.startswith("0x"):
        if not re.fullmatch(r"0x[0-9a-fA-F]{64}", text):
            raise ValueError(f"{text!r} is not a patent id (0x + 64 hex)")
        return PatentId(bytes.fromhex(text[2:]))
    return patent_id(*parse_patent_ref(text))


@functools.lru_cache(maxsize=1 << 16)  # a keccak per call: reports parse the same few thousand
def parse_address(text: str) -> ChecksumAddress:
    """A checksummed address from 0x + 40 hex; mixed case must pass its EIP-55 checksum
    (a typo in a mixed-case address would otherwise name another account)."""
    if not _HEX_ADDRESS.fullmatch(text):
        raise ValueError(f"{text!r} is not an Ethereum address (0x and 40 hex digits)")
    body = text[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(text):
        raise ValueError(
            f"{text!r} fails its EIP-55 checksum (a typo?): check it, or give it all in lower case"
        )
    return to_checksum_address(text)


def report_id_of(valuer: str, local_id: str) -> bytes:
    """The on-chain report id of a valuer's report: the valuer's 20-byte address, then
    the first 12 bytes of keccak256 of the valuer's own id ("HKTIS-2026-0001"). The
    registry refuses an id whose first 20 bytes are not its valuer's."""
    return bytes.fromhex(parse_address(valuer)[2:]) + keccak(text=local_id)[:12]


def _bytes32(value: Any) -> bytes:
    """32 bytes from bytes (HexBytes too) or hex text, with or without 0x."""
    if isinstance(value, str):
        text = value.removeprefix("0x")
        if not re.fullmatch(r"[0-9a-fA-F]{64}", text):
            raise ValueError(f"{value!r} is not 32 bytes of hex (0x and 64 hex digits)")
        return bytes.fromhex(text)
    if isinstance(value, bytes | bytearray) and len(value) == 32:
        return bytes(value)
    raise ValueError(f"expected 32 bytes, got {value!r}")


def parse_bytes32(text: str, what: str) -> bytes:
    """32 bytes typed as 0x + 64 hex; a ValueError names `what` was expected."""
    if not re.fullmatch(r"0x[0-9a-fA-F]{64}", text):
        raise ValueError(f"{what} {text!r} is not 0x + 64 hex digits")
    return bytes.fromhex(text[2:])


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


# A bytes32 (an id, a hash): bytes in Python, 0x-hex in JSON.
Bytes32 = Annotated[
    bytes,
    BeforeValidator(_bytes32),
    PlainSerializer(_hex, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": "^0x[0-9a-f]{64}$"}),
]


def _address(value: Any) -> ChecksumAddress:
    if not isinstance(value, str):
        raise ValueError(f"expected an address, got {value!r}")
    return parse_address(value)


# An address: checksummed (EIP-55) in Python and JSON; mixed case must pass its checksum.
Address = Annotated[
    ChecksumAddress,
    BeforeValidator(_address),
    WithJsonSchema({"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"}),
]


def _name(member: Enum) -> str:
    return member.name.lower()


# An enum member shown by its lower-case name in JSON ("granted", not 1).
AS_NAME = PlainSerializer(_name, return_type=str, when_used="json")


def name_schema(enum: type[Enum]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": [m.name.lower() for m in enum]})


class Model(BaseModel):
    """A domain model: frozen; camelCase and self-serialising types in JSON."""

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    def as_json(self) -> dict[str, Any]:
        """The shape the CLI's `--json` and the API give out."""
        return self.model_dump(mode="json", by_alias=True)
