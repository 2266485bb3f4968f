"""What each page shows, gathered from the same reads as the JSON API (the chain through
the clients and the lens; the index for registers, statements and supervision)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils.crypto import keccak
from sqlalchemy import Engine

from ipledger.api.pages import format as fmt
from ipledger.api.pages.charts import Point, bar_chart, line_chart
from ipledger.clients.ledger import Ledger
from ipledger.models import Holding, Holdings, Loan
from ipledger.models.reads import Overview, PatentSummary, RevenueDeposit, ValuationRecord
from ipledger.models.supervision import (
    Register,
    Statement,
)
from ipledger.models.units import iso
from ipledger.read import loans as loan_reads
from ipledger.read.catalogue import PER_PAGE, overview, rows_from_index, rows_from_summaries
from ipledger.read.evidence import verify_entries
from ipledger.read.indexed import IndexReader
from ipledger.read.indexed_holdings import holdings_from_index
from ipledger.read.indexed_patent import (
    evidence_entries,
    loans_pledging,
    revenue_deposits,
    valuation_records,
)
from ipledger.read.labels import Labels
from ipledger.read.queries import (
    evidence_trail,
    holdings,
    patent_summaries,
    patent_summary,
    revenue_history,
    valuation_history,
)
from ipledger.read.registers import register, statement

CLAIMABLE = keccak(text="claimableRevenue(address)")[:4]
HHI_ALERT = 2500  # a highly concentrated register (the competition authorities' threshold)


def patents_overview(ledger: Ledger, index: Engine | None, **order: Any) -> Overview:
    """The overview's page: from the index when there is one, else through the lens."""
    if index is not None:
        with IndexReader.open(index) as reader:
            rows = rows_from_index(reader)
            block = reader.indexed_block()
    else:
        rows, block = rows_from_summaries(patent_summaries(ledger)), None
    labels = Labels(ledger)
    rows = [
        r
        if r.payment_token is None
        else r.model_copy(
            update=dict(
                zip(
                    ("payment_symbol", "payment_decimals"),
                    labels.units(r.payment_token),
                    strict=True,
                )
            )
        )
        for r in rows
    ]
    return overview(rows, indexed_block=block, **order)


@dataclass
class PatentPage:
    summary: PatentSummary
    valuations: list[ValuationRecord]
    deposits: list[RevenueDeposit]
    register: Register | None
    loans: list[Loan]
    evidence: Any  # TrailVerification
    now: int
    charts: dict[str, Any] = field(default_factory=dict)
    # Why there is no register: no index, not tokenised, or tokenised after the index's block.
    register_note: str | None = None


def patent_page(ledger: Ledger, index: Engine | None, pid: bytes) -> PatentPage:
    """A patent's record from the chain; its history (valuations, deposits, evidence,
    loans) from the index when there is one, else from the chain's events."""
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    if index is not None:
        page = _patent_from_index(ledger, index, pid, now)
    else:
        summary = patent_summary(ledger, pid)
        page = PatentPage(
            summary=summary,
            valuations=valuation_history(ledger, pid),
            deposits=revenue_history(ledger, pid),
            register=None,
            loans=[
                loan
                for loan in loan_reads.loans(ledger)
                if any(bytes(p.patent_id) == pid for p in loan.pledges)
            ],
            evidence=evidence_trail(ledger, pid),
            now=now,
            register_note="The register comes from the index: this server has none "
            "(serve --index).",
        )
    page.charts = {
        "valuations": _valuation_chart(page.valuations, now),
        "revenue": _revenue_chart(page.deposits, page.summary),
    }
    return page


def _patent_from_index(ledger: Ledger, index: Engine, pid: bytes, now: int) -> PatentPage:
    key = "0x" + pid.hex()
    head_hash, count = ledger.evidence.head(pid)
    with IndexReader.open(index) as reader:
        labels = Labels.from_index(ledger, reader)
        summary = patent_summary(ledger, pid, labels=labels)
        entries = evidence_entries(reader, key)
        # Tokenised as the index has it: a token made since its block has no rows yet.
        tokenised = summary.token is not None and bool(reader.tokens_at([summary.token]))
        page = PatentPage(
            summary=summary,
            valuations=valuation_records(reader, key),
            deposits=revenue_deposits(reader, key) if tokenised else [],
            register=register(reader, key, loan_book=reader.loan_book()) if tokenised else None,
            loans=[loan_reads.loan(ledger, i, labels=labels) for i in loans_pledging(reader, key)],
            evidence=None,
            now=now,
        )
        if summary.token is not None and not tokenised:
            page.register_note = (
                f"Tokenised after the index's block ({reader.indexed_block()}): "
                "its register and deposits show once the index has caught up."
            )
    if len(entries) != count:  # entries since the index's block: the chain has them all
        entries = ledger.evidence.entries(pid)
    page.evidence = verify_entries(entries, patent_id=pid, head_hash=head_hash, count=count)
    return page


def _valuation_chart(records: list[ValuationRecord], now: int) -> Any:
    if not records:
        return None
    currency = records[-1].currency  # one currency per chart: the latest one's
    shown = [r for r in records if r.currency == currency]

    def kind(r: ValuationRecord) -> str:
        if r.revoked or r.valuer_withdrawn:
            return "revoked"
        return "expired" if r.valid_until <= now else "valid"

    points = [
        Point(
            r.valuation_date,
            r.value,
            f"{fmt.valuation(r.value, r.currency)} on {iso(r.valuation_date)} "
            f"({kind(r)}); scores {', '.join(map(str, r.scores))}",
            kind(r),
        )
        for r in shown
    ]
    values = [r.value for r in shown]
    return line_chart(
        points,
        title=f"Valuations in {currency} over time",
        y_label=currency,
        x_first=iso(shown[0].valuation_date),
        x_last=iso(shown[-1].valuation_date),
        y_low=fmt.valuation(min(values), currency),
        y_high=fmt.valuation(max(values), currency),
    )


def _revenue_chart(deposits: list[RevenueDeposit], summary: PatentSummary) -> Any:
    if not deposits:
        return None
    symbol, decimals = summary.payment_symbol, summary.payment_decimals
    points = [
        Point(d.seq, d.amount, f"deposit {d.seq}: {fmt.money(d.amount, symbol, decimals)}")
        for d in deposits
    ]
    return bar_chart(
        points,
        title="Licence revenue deposits",
        y_label=symbol or "base units",
        x_first=f"#{deposits[0].seq}",
        x_last=f"#{deposits[-1].seq}",
        y_high=fmt.money(max(d.amount for d in deposits), symbol, decimals),
    )


@dataclass
class InvestorPage:
    holdings: Holdings  # every holding (the CSV's rows)
    shown: list[Holding]  # this page's, claimable read live
    page: int
    pages: int
    loans: list[Loan]
    statement: Statement | None
    claim_selector: str


def investor_page(ledger: Ledger, index: Engine | None, address: str, *, page: int = 1,
                  per_page: int = PER_PAGE) -> InvestorPage:  # fmt: skip
    """An investor's holdings (listed from the index when there is one), a page of them
    with claimable revenue read live (so a claim shows at once), loans and statements."""
    labels = Labels(ledger)
    found: Statement | None = None
    if index is not None:
        with IndexReader.open(index) as reader:
            labels = Labels.from_index(ledger, reader)
            head = ledger.w3.eth.block_number
            held = holdings_from_index(reader, address, labels=labels, head=head)
            found = statement(reader, address)
    else:
        held = holdings(ledger, address, labels=labels)
    pages = max(1, -(-len(held.holdings) // per_page))
    page = min(page, pages)  # past the end: the last page
    start = (page - 1) * per_page
    shown = held.holdings[start : start + per_page]
    if index is not None:
        shown = [
            h.model_copy(update={"claimable": _claimable(ledger, h.token, held.investor)})
            for h in shown
        ]
    return InvestorPage(
        holdings=held,
        shown=shown,
        page=page,
        pages=pages,
        loans=loan_reads.loans(ledger, borrower=address, labels=labels),
        statement=found,
        claim_selector="0x" + ledger.w3.keccak(text="claimRevenue()")[:4].hex(),
    )


def _claimable(ledger: Ledger, token: str, investor: str) -> int:
    """`claimableRevenue(investor)` by a bare eth_call: a page asks it of each row shown,
    and a contract client per token costs more than the call."""
    data = CLAIMABLE + bytes(12) + bytes.fromhex(investor[2:])
    return int.from_bytes(ledger.w3.eth.call({"to": token, "data": data}), "big")
