"""What the read side gives investors, banks and the supervisor: holdings, patents,
valuations, revenue and evidence trails. The same models serve the CLI's `--json`, the
HTTP API and the pilot; their JSON is the public shape (camelCase, amounts as decimal
strings, bytes32 as 0x-hex, addresses checksummed)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from pydantic import Field as Spec
from pydantic import computed_field
from web3.types import EventData

from ipledger.models.ledger import KindName, LatestValuation, PatentTerms, PurposeName
from ipledger.models.types import Address, Bytes32, DecimalAmount, Model


class Holding(Model):
    """One patent an investor holds revenue-rights tokens of."""

    patent_id: Bytes32
    reference: str | None = None  # "HK 30012345", as registered
    token: Address
    balance: DecimalAmount  # token base units
    total_supply: DecimalAmount
    claimable: DecimalAmount  # payment-token base units
    payment_token: Address
    payment_symbol: str | None = None  # the payment token's own symbol and decimals,
    payment_decimals: int | None = None  # None where the token does not say
    valuation: LatestValuation | None  # the latest valid valuation, if any
    # Tokens of this patent the investor pledged to open loans (held in the loan book's
    # escrow, beside `balance`, the free tokens); their revenue is swept per the loan.
    pledged: DecimalAmount = 0

    @property
    def share(self) -> Fraction:
        return Fraction(self.balance + self.pledged, self.total_supply)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def implied_value(self) -> DecimalAmount | None:
        """(balance + pledged) / supply x the latest valid valuation, in the valuation's
        minor units, rounded down (exact integer arithmetic)."""
        if self.valuation is None:
            return None
        return (self.balance + self.pledged) * self.valuation.value // self.total_supply


class Holdings(Model):
    investor: Address
    holdings: list[Holding]
    # From the index (when one is configured): the block it has reached, and how many
    # blocks that is behind the chain's head. None through the lens (the head itself).
    indexed_block: int | None = None
    lag: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The lens's shape as it always was; `indexedBlock` and `lag` only from the index."""
        data = super().as_json()
        if self.indexed_block is None:
            del data["indexedBlock"], data["lag"]
        return data


class PatentSummary(PatentTerms):
    """One patent's record, token, revenue, evidence count and latest valid valuation."""

    reference: str | None = None  # "HK 30012345", as registered
    token: Address | None
    total_supply: DecimalAmount
    revenue_deposited: DecimalAmount  # payment-token base units
    # The payment token and its units: in one patent's summary (not in the list of all).
    payment_token: Address | None = None
    payment_symbol: str | None = None
    payment_decimals: int | None = None
    evidence_entries: int
    latest_valuation: LatestValuation | None


class PatentRow(PatentSummary):
    """A patent on the overview: its summary and how many accounts hold its tokens
    (None without an index: only the index keeps registers)."""

    holders: int | None = None


class OverviewTotals(Model):
    patents: int
    tokenised: int
    revenue_deposited: dict[str, DecimalAmount]  # payment token -> base units, ever
    valued: dict[str, DecimalAmount]  # currency -> latest valid valuations, minor units


class Overview(Model):
    """One page of the patents on the ledger, in the order asked for, with totals over all."""

    patents: list[PatentRow]
    total: int
    page: int
    pages: int
    per_page: int
    sort: str
    descending: bool
    totals: OverviewTotals
    indexed_block: int | None = None  # None: read from the chain through the lens


class RecognitionRecord(Model):
    """A valuer accredited in `jurisdiction` recognised the valuation there (mutual
    recognition): it counts there while not withdrawn."""

    jurisdiction: str
    recogniser: Address
    review_hash: Bytes32
    block_number: int
    withdrawn: bool = False
    recogniser_withdrawn: bool = False  # its accreditation withdrawn for cause: it counts no more


class ValuationRecord(LatestValuation):
    """A valuation as attested (from its event), and whether it was revoked since."""

    report_label: str | None = None  # the valuer's own report id ("HKTIS-2026-0001")
    method: int
    standard: str
    scores: list[int]  # the scoring model's: citation, commercial, maturity, market
    report_hash: Bytes32
    subsidised: bool
    revoked: bool
    valuer_withdrawn: bool  # its valuer's accreditation was withdrawn for cause: it counts no more
    block_number: int
    # What it rests on (`ValuationBasis`): the standard's purpose, the valuer's legal,
    # technical and economic scores, and the model behind `scores` ("identifier@version")
    # with the hash of its input. None from a registry that did not record them.
    challenged: bool = False  # disputed now: it counts nowhere until the accreditor decides
    purpose: PurposeName | None = None
    dimensions: list[int] | None = None
    scoring_model: str | None = None
    scoring_input: Bytes32 | None = None
    # Where it counts beyond its valuer's own jurisdiction (`valuer_jurisdiction`, None once
    # the valuer is withdrawn): each recognition, withdrawn ones marked.
    valuer_jurisdiction: str | None = None
    recognised_by: list[RecognitionRecord] = Spec(default_factory=list)


class RevenueDeposit(Model):
    seq: int
    depositor: Address
    amount: DecimalAmount  # payment-token base units, as received
    report_hash: Bytes32
    block_number: int


class RevenueTotals(Model):
    deposited: DecimalAmount  # payment-token base units received by deposits, ever
    held: DecimalAmount  # base units the token holds now: unclaimed revenue plus rounding dust
    deposits: int  # number of deposits


class EvidenceEntry(Model):
    """One entry of a trail, as its event records it."""

    patent_id: Bytes32
    seq: int
    kind: KindName
    content_hash: Bytes32
    submitter: Address
    timestamp: int
    previous_hash: Bytes32
    entry_hash: Bytes32
    uri: str
    block_number: int | None = None
    tx_hash: Bytes32 | None = None

    @classmethod
    def from_event(cls, event: EventData) -> EvidenceEntry:
        args: Any = event["args"]
        return cls(
            patent_id=args["patentId"],
            seq=args["seq"],
            kind=args["kind"],
            content_hash=args["contentHash"],
            submitter=args["submitter"],
            timestamp=args["timestamp"],
            previous_hash=args["previousHash"],
            entry_hash=args["entryHash"],
            uri=args["uri"],
            block_number=event["blockNumber"],
            tx_hash=event["transactionHash"],  # HexBytes from a node, 0x-hex from the index
        )


class TrailProblem(Model):
    seq: int = Spec(alias="entry")  # the entry number (1-based) the problem is at
    problem: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.problem}"


class TrailVerification(Model):
    patent_id: Bytes32
    head_hash: Bytes32 = Spec(alias="head")
    count: int
    entries: list[EvidenceEntry]
    documents_checked: int
    problems: list[TrailProblem]
    # Entries naming no document, when documents were given: not checked against one.
    unchecked: list[int] = Spec(default=[], alias="documentsUnchecked")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return not self.problems
