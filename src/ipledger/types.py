"""Domain types shared by the clients, mirroring the contracts' enums and structs."""

from __future__ import annotations

import re
from enum import IntEnum, StrEnum
from typing import NewType

from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from pydantic import BaseModel, ConfigDict

PatentId = NewType("PatentId", bytes)  # 32 bytes: keccak256("<jurisdiction> <number>")
Amount = NewType("Amount", int)  # base units of a token

_COUNTRY = re.compile(r"^[A-Z]{2}$")


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
    if not _COUNTRY.match(code):
        raise ValueError(f"jurisdiction {code!r} is not an ISO 3166-1 alpha-2 code like 'HK'")
    return code.encode("ascii")


def patent_id(jurisdiction: str, publication_number: str) -> PatentId:
    """The id the PatentRegistry gives "<jurisdiction> <publication number>"."""
    jurisdiction_bytes(jurisdiction)
    if not publication_number.strip():
        raise ValueError("publication number is empty")
    return PatentId(keccak(text=f"{jurisdiction} {publication_number}"))


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
