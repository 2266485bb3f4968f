"""Valuation report files: strict validation before anything is signed.

A report is a JSON file exported by an accredited valuer's system, with its report
document beside it. Beside the value it gives the valuation's purpose (a scenario of
GB/T 42748-2023), the valuer's scores on the standard's legal, technical and economic
indicators, and the four machine scores with the model that made them. Amounts are
integer minor units (never floats), dates are ISO dates (UTC midnight) between 2000
and 2100, scores 0-100, the currency an ISO 4217 code, and the document's sha256 must
equal the declared report hash.

Whoever can drop files in the source folder is trusted less than the mirror's keys:
files are opened without following links and must be regular files, at most
`MAX_REPORT_BYTES` and `MAX_DEPTH` levels of nesting (deep JSON would exhaust the
parser's stack), with no key given twice.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Literal

from eth_typing import ChecksumAddress
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from ipledger.errors import IpledgerError
from ipledger.mirror.files import (
    UnsafeFileError,
    json_depth,
    read_regular_file,
    sha256_of_regular_file,
)
from ipledger.models import (
    Method,
    Purpose,
    Valuation,
    parse_address,
    parse_patent_ref,
    patent_id,
    report_id_of,
)

MAX_VALUE = 10**15  # minor units: HKD 10 trillion, far above any single patent
Score = Annotated[int, Field(ge=0, le=100, strict=True)]
# ISO 4217 codes the sandbox's valuers report in (HK and mainland centres).
CURRENCIES = frozenset({"HKD", "CNY", "USD", "EUR", "GBP", "JPY", "SGD"})
MINOR_UNITS = {"JPY": 0}  # exponent of the minor unit; 2 for the others
MAX_REPORT_BYTES = 64 * 1024  # a report is ~1 KB; its document lies beside it
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 8  # a report nests 2 levels
EARLIEST_DATE = dt.date(2000, 1, 1)  # before any patent a valuation could still concern
LATEST_DATE = dt.date(2100, 12, 31)


class ReportError(IpledgerError, ValueError):
    """A valuation report is malformed: `field` says where, `problem` what."""

    def __init__(self, path: Path, field: str, problem: str) -> None:
        self.path = path
        self.field = field
        self.problem = problem
        super().__init__(f"{path.name}: {field}: {problem}")


def _address(value: str) -> str:
    return parse_address(value)


def _canonical_patent(value: str) -> str:
    """Exactly the canonical "HK 30012345": a report is machine-written, so no spelling
    is forgiven (the ValueError suggests the canonical form)."""
    jurisdiction, number = parse_patent_ref(value)
    patent_id(jurisdiction, number)
    if value != f"{jurisdiction} {number}":
        raise ValueError(f"is not canonical: write it '{jurisdiction} {number}'")
    return value


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


class Dimensions(BaseModel):
    """The valuer's scores on GB/T 42748-2023's first-level indicators."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    legal: Score
    technical: Score
    economic: Score


# Printable ASCII but '@' and space: "name@version" must read back as it was written.
ModelPart = Annotated[str, StringConstraints(min_length=1, pattern=r"^[!-?A-~]+$")]


class ScoringModel(BaseModel):
    """The model behind the four machine scores: kept apart from the valuer's judgement."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: ModelPart
    version: ModelPart
    input_hash: Annotated[str, StringConstraints(pattern=r"^(0x)?[0-9a-f]{64}$")] = Field(
        alias="inputHash"
    )

    @property
    def identifier(self) -> str:
        """ "name@version", as the chain keeps it (32 ASCII characters at most)."""
        return f"{self.name}@{self.version}"

    @field_validator("version")
    @classmethod
    def _fits(cls, version: str, info: ValidationInfo) -> str:
        name = info.data.get("name", "")
        if len(f"{name}@{version}") > 32:
            raise ValueError("name@version must fit in 32 characters (the chain keeps 32 bytes)")
        return version


PURPOSES = {
    "licensing": Purpose.LICENSING,
    "finance": Purpose.FINANCE,
    "financial-reporting": Purpose.FINANCIAL_REPORTING,
    "infringement-relief": Purpose.INFRINGEMENT_RELIEF,
    "management": Purpose.MANAGEMENT,
    "other": Purpose.OTHER,
}


class ValuationReport(BaseModel):
    """One valuation report file, as the valuer's system exports it."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    report_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        alias="reportId"
    )
    patent: Annotated[str, AfterValidator(_canonical_patent)]  # "HK 30012345"
    valuer: Annotated[str, AfterValidator(_address)]
    value: Money
    valuation_date: dt.date = Field(alias="valuationDate", strict=False)
    valid_until: dt.date = Field(alias="validUntil", strict=False)
    method: Literal["income", "market", "cost"]
    # The standard's scenario the valuation serves.
    purpose: Literal[
        "licensing", "finance", "financial-reporting", "infringement-relief", "management", "other"
    ]
    standard: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    dimensions: Dimensions
    scores: Scores
    scoring_model: ScoringModel = Field(alias="scoringModel")
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
        """The on-chain report id, bound to the valuer (`types.report_id_of`)."""
        return report_id_of(self.valuer, self.report_id)

    @property
    def report_hash_bytes(self) -> bytes:
        return bytes.fromhex(self.report_hash.removeprefix("0x"))

    def to_valuation(self) -> Valuation:
        def ts(day: dt.date) -> int:
            return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())

        return Valuation(
            report_id=self.report_id_bytes,
            label=self.report_id,
            patent_id=self.patent_id,
            valuer=ChecksumAddress(self.valuer),  # type: ignore[arg-type]
            value=self.value.amount,
            currency=self.value.currency,
            valuation_date=ts(self.valuation_date),
            valid_until=ts(self.valid_until),
            method=Method[self.method.upper()],
            purpose=PURPOSES[self.purpose],
            standard=self.standard,
            legal_value=self.dimensions.legal,
            technical_value=self.dimensions.technical,
            economic_value=self.dimensions.economic,
            citation_network=self.scores.citation_network,
            commercial_application=self.scores.commercial_application,
            technology_maturity=self.scores.technology_maturity,
            market_potential=self.scores.market_potential,
            scoring_model=self.scoring_model.identifier,
            scoring_input=bytes.fromhex(self.scoring_model.input_hash.removeprefix("0x")),
            report_hash=self.report_hash_bytes,
            subsidised=self.subsidised,
        )


def read_report_bytes(path: Path) -> bytes:
    """A report file's bytes, read safely (`read_regular_file`); a `ReportError` if not."""
    try:
        return read_regular_file(path, limit=MAX_REPORT_BYTES)
    except UnsafeFileError as exc:
        raise ReportError(path, "file", str(exc)) from None
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ReportError(path, "file", f"cannot be read ({exc.strerror})") from None


def load_report(path: Path, raw: bytes | None = None) -> ValuationReport:
    """Parse and check one report file (its bytes `raw`, if already read) and its
    document; a `ReportError` names the field and the problem."""
    if raw is None:
        raw = read_report_bytes(path)
    try:
        text = raw.decode("utf-8")  # strictly: json.loads would also guess UTF-16 and -32
    except UnicodeDecodeError as exc:
        raise ReportError(
            path, "file", f"is not UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None
    depth = json_depth(text)
    if depth > MAX_DEPTH:
        raise ReportError(path, "file", f"nests {depth} levels deep (at most {MAX_DEPTH})")
    try:
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as exc:
        raise ReportError(path, "file", f"is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ReportError(path, "file", "is not a JSON object")
    try:
        report = ValuationReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "report"
        raise ReportError(path, field, first["msg"]) from None
    if not EARLIEST_DATE <= report.valuation_date <= LATEST_DATE:
        raise ReportError(path, "valuationDate", f"is outside {EARLIEST_DATE}..{LATEST_DATE}")
    if not EARLIEST_DATE <= report.valid_until <= LATEST_DATE:
        raise ReportError(path, "validUntil", f"is outside {EARLIEST_DATE}..{LATEST_DATE}")
    if report.valid_until <= report.valuation_date:
        raise ReportError(path, "validUntil", "is not after valuationDate")
    document = path.parent / report.document
    try:
        digest = sha256_of_regular_file(document, limit=MAX_DOCUMENT_BYTES)
    except FileNotFoundError:
        raise ReportError(
            path, "document", f"{report.document} is missing beside the report"
        ) from None
    except UnsafeFileError as exc:
        raise ReportError(path, "document", f"{report.document} {exc}") from None
    if digest != report.report_hash.removeprefix("0x"):
        raise ReportError(
            path, "reportHash", f"does not match sha256 of {report.document} ({digest})"
        )
    return report


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"key {key!r} is given twice")
        seen[key] = value
    return seen


def minor_units(currency: str) -> int:
    return MINOR_UNITS.get(currency, 2)
