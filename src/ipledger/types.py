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

    @property
    def id(self) -> bytes:
        return keccak(text=self.value)
