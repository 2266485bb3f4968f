"""Output shapes for machines: the CLI's `--json` and the HTTP API share them.

Amounts are base units as decimal strings (JavaScript and jq round JSON numbers above
2**53); times are unix seconds; ids and hashes 0x-hex; addresses checksummed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from ipledger.models.types import DecimalAmount, LatestValuation
from ipledger.read.evidence import TrailVerification
from ipledger.read.queries import Holding, Holdings, PatentSummary, ValuationRecord


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


class View(BaseModel):
    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    def as_json(self) -> dict[str, object]:
        return self.model_dump(mode="json", by_alias=True)


class ValuationView(View):
    report_id: str
    valuer: str
    value: DecimalAmount  # minor units of `currency`
    currency: str
    valuation_date: int
    valid_until: int

    @classmethod
    def of(cls, v: LatestValuation | None) -> ValuationView | None:
        if v is None:
            return None
        return cls(
            report_id=_hex(v.report_id),
            valuer=v.valuer,
            value=v.value,
            currency=v.currency,
            valuation_date=v.valuation_date,
            valid_until=v.valid_until,
        )


class HoldingView(View):
    patent_id: str
    token: str
    balance: DecimalAmount
    total_supply: DecimalAmount
    claimable: DecimalAmount
    payment_token: str
    valuation: ValuationView | None
    implied_value: DecimalAmount | None  # minor units of the valuation's currency

    @classmethod
    def of(cls, h: Holding) -> HoldingView:
        return cls(
            patent_id=_hex(h.patent_id),
            token=h.token,
            balance=h.balance,
            total_supply=h.total_supply,
            claimable=h.claimable,
            payment_token=h.payment_token,
            valuation=ValuationView.of(h.valuation),
            implied_value=h.implied_value,
        )


class HoldingsView(View):
    investor: str
    holdings: list[HoldingView]

    @classmethod
    def of(cls, h: Holdings) -> HoldingsView:
        return cls(investor=h.investor, holdings=[HoldingView.of(x) for x in h.holdings])


class PatentView(View):
    patent_id: str
    owner: str
    field: str
    status: str
    jurisdiction: str
    expiry: int
    token: str | None
    total_supply: DecimalAmount
    revenue_deposited: DecimalAmount
    evidence_entries: int
    latest_valuation: ValuationView | None

    @classmethod
    def of(cls, s: PatentSummary) -> PatentView:
        return cls(
            patent_id=_hex(s.patent_id),
            owner=s.owner,
            field=s.field.name.lower(),
            status=s.status.name.lower(),
            jurisdiction=s.jurisdiction,
            expiry=s.expiry,
            token=s.token,
            total_supply=s.total_supply,
            revenue_deposited=s.revenue_deposited,
            evidence_entries=s.evidence_count,
            latest_valuation=ValuationView.of(s.valuation),
        )


class ValuationRecordView(View):
    report_id: str
    valuer: str
    value: DecimalAmount
    currency: str
    valuation_date: int
    valid_until: int
    method: int
    standard: str
    scores: list[int]
    report_hash: str
    subsidised: bool
    revoked: bool
    valuer_withdrawn: bool  # counts no more: the valuer was withdrawn for cause
    block_number: int

    @classmethod
    def of(cls, r: ValuationRecord) -> ValuationRecordView:
        data = r.model_dump()
        data["report_id"] = _hex(r.report_id)
        data["report_hash"] = _hex(r.report_hash)
        return cls(**data)


class EntryView(View):
    seq: int
    kind: str
    content_hash: str
    submitter: str
    timestamp: int
    previous_hash: str
    entry_hash: str
    uri: str


class ProblemView(View):
    entry: int
    problem: str


class TrailView(View):
    patent_id: str
    ok: bool
    count: int
    head: str
    documents_checked: int
    documents_unchecked: list[int]  # entries naming no document: not checked against one
    entries: list[EntryView]
    problems: list[ProblemView]

    @classmethod
    def of(cls, t: TrailVerification) -> TrailView:
        return cls(
            patent_id=_hex(t.patent_id),
            ok=t.ok,
            count=t.count,
            head=_hex(t.head_hash),
            documents_checked=t.documents_checked,
            documents_unchecked=t.unchecked,
            entries=[
                EntryView(
                    seq=e.seq,
                    kind=e.kind.name.lower(),
                    content_hash=_hex(e.content_hash),
                    submitter=e.submitter,
                    timestamp=e.timestamp,
                    previous_hash=_hex(e.previous_hash),
                    entry_hash=_hex(e.entry_hash),
                    uri=e.uri,
                )
                for e in t.entries
            ],
            problems=[ProblemView(entry=p.seq, problem=p.problem) for p in t.problems],
        )
