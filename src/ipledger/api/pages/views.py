"""What each page shows, gathered from the same reads as the JSON API (the chain through
the clients and the lens; the index for registers, statements and supervision)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from ipledger.api.pages import format as fmt
from ipledger.api.pages.charts import Point, bar_chart, line_chart
from ipledger.clients.ledger import Ledger
from ipledger.models import Holdings, Loan, LoanState
from ipledger.models.reads import Overview, PatentSummary, RevenueDeposit, ValuationRecord
from ipledger.models.supervision import Flow, Register, Risk, Statement, SubsidyUse
from ipledger.models.units import iso
from ipledger.read import loans as loan_reads
from ipledger.read.catalogue import overview, rows_from_index, rows_from_summaries
from ipledger.read.indexed import IndexReader
from ipledger.read.indexed_holdings import holdings_from_index
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
from ipledger.read.supervision import flows, risk, subsidy

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


def patent_page(ledger: Ledger, index: Engine | None, pid: bytes) -> PatentPage:
    summary = patent_summary(ledger, pid)
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
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
    )
    if index is not None and summary.token is not None:
        with IndexReader.open(index) as reader:
            page.register = register(reader, "0x" + pid.hex(), loan_book=reader.loan_book())
    page.charts = {
        "valuations": _valuation_chart(page.valuations, now),
        "revenue": _revenue_chart(page.deposits, summary),
    }
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
    holdings: Holdings
    loans: list[Loan]
    statement: Statement | None
    claim_selector: str


def investor_page(ledger: Ledger, index: Engine | None, address: str) -> InvestorPage:
    labels = Labels(ledger)
    found: Statement | None = None
    if index is not None:
        with IndexReader.open(index) as reader:
            head = ledger.w3.eth.block_number
            held = _live(ledger, holdings_from_index(reader, address, labels=labels, head=head))
            found = statement(reader, address)
    else:
        held = holdings(ledger, address, labels=labels)
    return InvestorPage(
        holdings=held,
        loans=loan_reads.loans(ledger, borrower=address, labels=labels),
        statement=found,
        claim_selector="0x" + ledger.w3.keccak(text="claimRevenue()")[:4].hex(),
    )


def _live(ledger: Ledger, held: Holdings) -> Holdings:
    """The index says which tokens an account holds (one query, however many patents);
    its balances and claimable revenue are read live, so a claim shows at once."""
    rows = []
    for h in held.holdings:
        token = ledger.token(h.token)
        balance = token.balance_of(held.investor)
        rows.append(
            h.model_copy(update={"balance": balance, "claimable": token.claimable(held.investor)})
        )
    return held.model_copy(update={"holdings": rows})


@dataclass
class Alert:
    level: str  # "critical" | "warning"
    text: str
    href: str | None = None


@dataclass
class SupervisorPage:
    scopes: set[str]
    risk: Risk | None = None
    flows: list[Flow] = field(default_factory=list)
    subsidy: SubsidyUse | None = None
    loans: list[Loan] = field(default_factory=list)  # unhealthy or called, live
    alerts: list[Alert] = field(default_factory=list)
    indexed_block: int = 0


def supervisor_page(
    ledger: Ledger, index: Engine, scopes: set[str], *, recent: int = 50
) -> SupervisorPage:
    page = SupervisorPage(scopes=scopes)
    with IndexReader.open(index) as reader:
        page.indexed_block = reader.indexed_block()
        book = reader.loan_book()
        if "risk" in scopes:
            page.risk = risk(reader, loan_book=book)
        if "flows" in scopes:
            page.flows = flows(reader, loan_book=book)[-recent:][::-1]
        if "subsidy" in scopes:
            page.subsidy = subsidy(
                reader, year=time.gmtime(reader.block_time(page.indexed_block) or 0).tm_year
            )
    if "risk" in scopes:
        page.loans = [
            loan
            for loan in loan_reads.loans(ledger)
            if loan.state == LoanState.CALLED
            or (loan.state == LoanState.ACTIVE and not loan.healthy)
        ]
    page.alerts = _alerts(page)
    return page


def _alerts(page: SupervisorPage) -> list[Alert]:
    alerts = []
    for loan in page.loans:
        what = "called" if loan.state == LoanState.CALLED else "unhealthy"
        alerts.append(
            Alert(
                "critical",
                f"Loan {loan.loan_id} is {what}: LTV {fmt.bps(loan.ltv_bps)} "
                f"against {fmt.bps(loan.liquidation_ltv_bps)} liquidation",
                f"#loan-{loan.loan_id}",
            )
        )
    if page.risk is not None:
        for c in page.risk.concentration:
            if c.hhi >= HHI_ALERT:
                alerts.append(
                    Alert(
                        "warning",
                        f"{c.reference or c.patent_id.hex()}: register "
                        f"highly concentrated (HHI {c.hhi})",
                        "#concentration",
                    )
                )
        for v in page.risk.valuations:
            if v.revoked:
                alerts.append(
                    Alert(
                        "warning",
                        f"{v.reference or v.patent_id.hex()}: valuation "
                        f"{v.report_id.hex()[:10]}… revoked",
                        "#valuations",
                    )
                )
    s = page.subsidy
    if s is not None and s.cap is not None and s.used >= s.cap:
        alerts.append(
            Alert(
                "warning",
                f"Subsidised valuations for {s.year}: the cap of {s.cap} is reached",
                "#subsidy",
            )
        )
    return alerts
