"""The supervisor's page: flows, concentration, valuations, subsidy use and the loans
that need attention, read from the index (loans' health live), with alerts on top."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import Engine

from ipledger.api.pages import format as fmt
from ipledger.clients.ledger import Ledger
from ipledger.models import Loan, LoanState
from ipledger.models.supervision import (
    Concentration,
    Flow,
    Risk,
    SubsidyUse,
    ValuationChange,
)
from ipledger.read import loans as loan_reads
from ipledger.read.indexed import IndexReader
from ipledger.read.labels import Labels
from ipledger.read.supervision import flows, loan_states, risk, subsidy

HHI_ALERT = 2500  # a highly concentrated register (the competition authorities' threshold)


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
    # The tables' rows: the most concentrated registers, the latest valuations.
    concentration: list[Concentration] = field(default_factory=list)
    valuations: list[ValuationChange] = field(default_factory=list)


def supervisor_page(
    ledger: Ledger, index: Engine, scopes: set[str], *, recent: int = 25
) -> SupervisorPage:
    page = SupervisorPage(scopes=scopes)
    with IndexReader.open(index) as reader:
        page.indexed_block = reader.indexed_block()
        book = reader.loan_book()
        labels = Labels.from_index(ledger, reader)
        states = loan_states(reader)
        if "risk" in scopes:
            page.risk = risk(reader, loan_book=book)
        if "flows" in scopes:
            page.flows = flows(reader, loan_book=book)[-recent:][::-1]
        if "subsidy" in scopes:
            page.subsidy = subsidy(
                reader, year=time.gmtime(reader.block_time(page.indexed_block) or 0).tm_year
            )
    if "risk" in scopes:
        # Open loans from the index, their health live in one call; the full loan only
        # for those that need the supervisor's attention.
        open_ids = [i for i, s in states.items() if s in ("active", "called")]
        health = ledger.loans.health_of(open_ids) if open_ids else []
        attention = [
            i for i, h in zip(open_ids, health, strict=True)
            if states[i] == "called" or not h.healthy
        ]  # fmt: skip
        page.loans = [loan_reads.loan(ledger, i, labels=labels) for i in attention]
    page.alerts = _alerts(page)
    if page.risk is not None:
        by_hhi = sorted(page.risk.concentration, key=lambda c: c.hhi, reverse=True)
        page.concentration = by_hhi[:recent]
        latest = sorted(page.risk.valuations, key=lambda v: v.valuation_date, reverse=True)
        page.valuations = latest[:recent]
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
        dense = [c for c in page.risk.concentration if c.hhi >= HHI_ALERT]
        dense.sort(key=lambda c: c.hhi, reverse=True)
        alerts += _grouped(
            [f"{c.reference or '0x' + c.patent_id.hex()} (HHI {c.hhi})" for c in dense],
            "register highly concentrated",
            "registers highly concentrated (HHI 2,500 or more)",
            "#concentration",
        )
        revoked = [v for v in page.risk.valuations if v.revoked]
        alerts += _grouped(
            [f"{v.reference or '0x' + v.patent_id.hex()} ({v.report_id.hex()[:10]}…)"
             for v in revoked],
            "valuation revoked",
            "valuations revoked",
            "#valuations",
        )  # fmt: skip
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


def _grouped(items: list[str], one: str, many: str, href: str, shown: int = 5) -> list[Alert]:
    """One alert per item while they are few; one alert naming the first few when many
    (a thousand one-holder registers are one finding, not a thousand)."""
    if len(items) <= shown:
        return [Alert("warning", f"{item}: {one}", href) for item in items]
    named = ", ".join(items[:shown])
    return [Alert("warning", f"{len(items)} {many}: {named} and {len(items) - shown} more", href)]
