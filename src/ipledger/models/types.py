"""Domain types shared by the clients, mirroring the contracts' enums and structs."""

from __future__ import annotations

import re
from enum import IntEnum, StrEnum
from typing import Annotated, NewType

from eth_typing import ChecksumAddress
from eth_utils.address import is_checksum_address, to_checksum_address
from eth_utils.crypto import keccak
from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema

PatentId = NewType("PatentId", bytes)  # 32 bytes: keccak256("<jurisdiction> <number>")
Amount = NewType("Amount", int)  # base units of a token

_COUNTRY = re.compile(r"^[A-Z]{2}$")
# PatentRegistry's canonical publication number (Jurisdictions.isCanonicalNumber): a
# separator only between letters or digits; Hong Kong's are digits only.
_NUMBER = re.compile(r"^(?=.{1,32}$)[1-9A-Z][0-9A-Z]*(?:[./-][0-9A-Z]+)*$")
_HK_NUMBER = re.compile(r"^[1-9][0-9]{0,31}$")
_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")

# An amount in base units: an int in Python, a decimal string in JSON (JavaScript
# clients and jq round numbers above 2**53).
DecimalAmount = Annotated[
    int,
    PlainSerializer(str, return_type=str, when_used="json"),
    WithJsonSchema(
        {"type": "string", "pattern": "^[0-9]+$", "examples": ["250002500000000000000000"]}
    ),
]


class Field(IntEnum):
    """`IPatentRegistry.Field`."""

    MECHANICAL = 0
    ELECTRICAL = 1
    CHEMICAL = 2
    OTHER = 3


class Status(IntEnum):
    """`IPatentRegistry.Status`."""

    FILED = 0
    GRANTED = 1
    LAPSED = 2
    EXPIRED = 3
    REVOKED = 4


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


class PatentRecord(BaseModel):
    """A registered patent, as `PatentRegistry.patent` returns it."""

    model_config = ConfigDict(frozen=True)

    patent_id: bytes
    owner: ChecksumAddress
    field: Field
    status: Status
    jurisdiction: str
    expiry: int
    metadata_hash: bytes


class InvestorRecord(BaseModel):
    """An eligible investor's listing."""

    model_config = ConfigDict(frozen=True)

    account: ChecksumAddress
    jurisdiction: str
    expiry: int
    updated_at: int


class Role(StrEnum):
    """The ledger's roles (`contracts/libraries/Roles.sol`); the value is the role name."""

    REGISTRAR = "REGISTRAR_ROLE"
    TOKEN_AGENT = "TOKEN_AGENT_ROLE"  # noqa: S105 - a role name, not a secret
    REVENUE_DEPOSITOR = "REVENUE_DEPOSITOR_ROLE"
    COMPLIANCE = "COMPLIANCE_ROLE"  # held in the InvestorRegistry
    EVIDENCE_WRITER = "EVIDENCE_WRITER_ROLE"  # held in the EvidenceTrail
    ACCREDITOR = "ACCREDITOR_ROLE"  # held in the ValuationRegistry

    @property
    def id(self) -> bytes:
        return keccak(text=self.value)

    @property
    def contract(self) -> str:
        """The contract whose AccessControl holds this role."""
        return {
            Role.COMPLIANCE: "InvestorRegistry",
            Role.EVIDENCE_WRITER: "EvidenceTrail",
            Role.ACCREDITOR: "ValuationRegistry",
        }.get(self, "PatentRegistry")


class Method(IntEnum):
    """`IValuationRegistry.Method`."""

    INCOME = 0
    MARKET = 1
    COST = 2


class Valuation(BaseModel):
    """A valuation as the valuer signs it (`IValuationRegistry.Valuation`)."""

    model_config = ConfigDict(frozen=True)

    report_id: bytes
    patent_id: bytes
    valuer: ChecksumAddress
    value: int  # minor units of `currency`
    currency: str  # ISO 4217
    valuation_date: int  # unix seconds
    valid_until: int
    method: Method
    standard: str
    citation_network: int
    commercial_application: int
    technology_maturity: int
    market_potential: int
    report_hash: bytes
    subsidised: bool

    def typed_message(self) -> dict[str, object]:
        """The EIP-712 message (field names as in Solidity)."""
        return {
            "reportId": self.report_id,
            "patentId": self.patent_id,
            "valuer": self.valuer,
            "value": self.value,
            "currency": self.currency.encode("ascii"),
            "valuationDate": self.valuation_date,
            "validUntil": self.valid_until,
            "method": int(self.method),
            "standard": self.standard,
            "citationNetwork": self.citation_network,
            "commercialApplication": self.commercial_application,
            "technologyMaturity": self.technology_maturity,
            "marketPotential": self.market_potential,
            "reportHash": self.report_hash,
            "subsidised": self.subsidised,
        }

    def as_tuple(self) -> tuple[object, ...]:
        """The struct as a contract call argument."""
        return tuple(self.typed_message().values())


class EvidenceKind(IntEnum):
    """`IEvidenceTrail.Kind`."""

    FILING = 0
    GRANT = 1
    ASSIGNMENT = 2
    LICENCE = 3
    REVENUE_REPORT = 4
    VALUATION = 5
    COURT_ORDER = 6
    OTHER = 7


class LatestValuation(BaseModel):
    """`ValuationRegistry.latestValuation`: the latest valuation valid now, if any."""

    model_config = ConfigDict(frozen=True)

    report_id: bytes
    valuer: ChecksumAddress
    value: int
    currency: str
    valuation_date: int
    valid_until: int
