"""Valuation report files: strict validation before anything is signed.

A report is a JSON file exported by an accredited valuer's system, with its report
document beside it. Amounts are integer minor units (never floats), dates are ISO
dates (UTC midnight), scores 0-100, the currency an ISO 4217 code, and the document's
sha256 must equal the declared report hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Annotated, Literal

from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)
from web3 import Web3

from ipledger.errors import IpledgerError
from ipledger.types import Method, Valuation, patent_id

MAX_VALUE = 10**15  # minor units: HKD 10 trillion, far above any single patent
Score = Annotated[int, Field(ge=0, le=100, strict=True)]
# ISO 4217 codes the sandbox's valuers report in (HK and mainland centres).
CURRENCIES = frozenset({"HKD", "CNY", "USD", "EUR", "GBP", "JPY", "SGD"})
MINOR_UNITS = {"JPY": 0}  # exponent of the minor unit; 2 for the others


class ReportError(IpledgerError, ValueError):
    """A valuation report is malformed: `field` says where, `problem` what."""

    def __init__(self, path: Path, field: str, problem: str) -> None:
        self.path = path
        self.field = field
        self.problem = problem
        super().__init__(f"{path.name}: {field}: {problem}")


def _address(value: str) -> str:
    if not Web3.is_address(value):
        raise ValueError("not an Ethereum address")
    return Web3.to_checksum_address(value)


class Money(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    amount: Annotated[int, Field(gt=0, le=MAX_VALUE)]  # minor units, an integer
    currency: str

    @field_validator("currency")
    @classmethod
    def _iso4217(cls, code: str) -> str:
        if code not in CURRENCIES:
            raise ValueError(f"{code!r} is not an ISO 4217 currency the sandbox accepts")
        return code


class Scores(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    citation_network: Score = Field(alias="citationNetwork")
    commercial_application: Score = Field(alias="commercialApplication")
    technology_maturity: Score = Field(alias="technologyMaturity")
    market_potential: Score = Field(alias="marketPotential")


class ValuationReport(BaseModel):
    """One valuation report file, as the valuer's system exports it."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    report_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        alias="reportId"
    )
    patent: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2} \S+$")]  # "HK 30012345"
    valuer: Annotated[str, AfterValidator(_address)]
    value: Money
    valuation_date: dt.date = Field(alias="valuationDate", strict=False)
    valid_until: dt.date = Field(alias="validUntil", strict=False)
    method: Literal["income", "market", "cost"]
    standard: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    scores: Scores
    report_hash: Annotated[str, StringConstraints(pattern=r"^(0x)?[0-9a-f]{64}$")] = Field(
        alias="reportHash"
    )
    document: Annotated[str, StringConstraints(min_length=1, pattern=r"^[^/\\]+$")]
    subsidised: bool

    @property
    def patent_id(self) -> bytes:
        jurisdiction, number = self.patent.split(" ", 1)
        return patent_id(jurisdiction, number)

    @property
    def report_id_bytes(self) -> bytes:
        """The on-chain report id: keccak256 of the valuer's report id string."""
        return keccak(text=self.report_id)

    @property
    def report_hash_bytes(self) -> bytes:
        return bytes.fromhex(self.report_hash.removeprefix("0x"))

    def to_valuation(self) -> Valuation:
        def ts(day: dt.date) -> int:
            return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())

        return Valuation(
            report_id=self.report_id_bytes,
            patent_id=self.patent_id,
            valuer=ChecksumAddress(self.valuer),  # type: ignore[arg-type]
            value=self.value.amount,
            currency=self.value.currency,
            valuation_date=ts(self.valuation_date),
            valid_until=ts(self.valid_until),
            method=Method[self.method.upper()],
            standard=self.standard,
            citation_network=self.scores.citation_network,
            commercial_application=self.scores.commercial_application,
            technology_maturity=self.scores.technology_maturity,
            market_potential=self.scores.market_potential,
            report_hash=self.report_hash_bytes,
            subsidised=self.subsidised,
        )


def load_report(path: Path) -> ValuationReport:
    """Parse and check one report file and its document; a `ReportError` names the
    field and the problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReportError(path, "file", f"cannot be read ({exc.strerror})") from None
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except ValueError as exc:
        raise ReportError(path, "file", f"is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ReportError(path, "file", "is not a JSON object")
    try:
        report = ValuationReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "report"
        raise ReportError(path, field, first["msg"]) from None
    if report.valid_until <= report.valuation_date:
        raise ReportError(path, "validUntil", "is not after valuationDate")
    document = path.parent / report.document
    if not document.is_file():
        raise ReportError(path, "document", f"{report.document} is missing beside the report")
    digest = hashlib.sha256(document.read_bytes()).hexdigest()
    if digest != report.report_hash.removeprefix("0x"):
        raise ReportError(
            path, "reportHash", f"does not match sha256 of {report.document} ({digest})"
        )
    return report


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def minor_units(currency: str) -> int:
    return MINOR_UNITS.get(currency, 2)
