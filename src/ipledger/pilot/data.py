"""The pilot's input files (`examples/pilot/`) and its outcome, as models."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from eth_typing import ChecksumAddress
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ipledger.models import Holdings, Loan, TrailVerification
from ipledger.models.supervision import SupervisionSummary
from ipledger.read.revaluation import RevaluationDue


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel)


class Party(_Model):
    name: str
    account: int | None = None
    jurisdiction: str = "HK"
    keystore: str | None = None
    address: str | None = None


class Document(_Model):
    kind: str
    file: str


class PilotPatent(_Model):
    jurisdiction: str
    publication_number: str
    title: str
    field: str
    status: str
    expiry: str
    symbol: str
    supply: int
    price_per_token: Decimal
    documents: list[Document]

    @property
    def label(self) -> str:
        return f"{self.jurisdiction} {self.publication_number}"


class Sale(_Model):
    patent: str
    buyer: str
    tokens: int


class PilotLoan(_Model):
    """Harbour Bank's loan to the issuer: the terms, the pledged basket, the valuation the
    valuer revokes, and the partial repayment that cures the call."""

    lender: str  # a party's name
    borrower: str
    pledges: dict[str, int]  # patent label -> whole tokens
    principal: int  # whole HKD
    rate_bps: int
    max_ltv_bps: int
    liquidation_ltv_bps: int
    sweep_bps: int
    maturity: str  # ISO date
    remediation_days: int
    agreement: str  # file in documents/
    revoked_report: str  # the valuer's report id it revokes
    call_notice: str  # file in documents/
    cure_repayment: int  # whole HKD


class PilotChallenge(_Model):
    """A holder disputes a valuation; the accreditor dismisses the challenge."""

    patent: str  # label
    report: str  # the valuer's own report id
    by: str  # a party's name
    evidence: str  # file in documents/
    decision: str  # file in documents/


class PilotRecognition(_Model):
    """The HK valuer recognises the mainland valuer's report in Hong Kong."""

    patent: str  # label
    report: str  # the mainland valuer's own report id
    jurisdiction: str  # where it is to count
    review: str  # file in documents/


class PilotData(_Model):
    description: str
    registrar: Party
    issuer: Party
    valuer: Party
    mainland_valuer: Party | None = None  # its reports in valuations-cn/
    # The accreditor's revaluation policy: field -> maximum valuation age in days.
    revaluation: dict[str, int] = {}
    bank: Party
    investors: list[Party]
    patents: list[PilotPatent]
    sales: list[Sale]
    claims: list[str]
    loan: PilotLoan | None = None
    challenge: PilotChallenge | None = None
    recognition: PilotRecognition | None = None


class Payment(_Model):
    patent: str
    amount: int
    currency: str
    document: str
    report_hash: str


class RevenueReport(_Model):
    quarter: str
    payments: list[Payment]


class PilotResult(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    chain_id: int
    deployment: Path
    deployed: list[str]
    investors: dict[str, ChecksumAddress]  # name -> address (the bank included)
    patents: dict[str, bytes]  # "HK 30012345" -> patent id
    holdings: list[Holdings] = Field(default_factory=list)
    trail: TrailVerification | None = None
    loans: list[Loan] = Field(default_factory=list)
    supervision: SupervisionSummary | None = None  # from the index, when the pilot built one
    valuations_due: list[RevaluationDue] = Field(default_factory=list)  # within a year
    already_ran: bool = False
