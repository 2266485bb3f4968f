"""Rich tables for people: holdings in token and currency units, evidence trails."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ipledger.mirror.reports import minor_units
from ipledger.models import Holdings, Loan, TrailVerification
from ipledger.models.loans import NO_COLLATERAL
from ipledger.pilot.data import PilotResult

TOKEN_DECIMALS = 18
PAYMENT_DECIMALS = 6  # the test HKD stablecoin


def units(amount: int, decimals: int, places: int = 2) -> str:
    value = Decimal(amount).scaleb(-decimals)
    return f"{value:,.{places}f}"


def holdings_table(h: Holdings, *, title: str, labels: Mapping[bytes, str] | None = None) -> Table:
    """One investor's holdings; `labels` names patents ("HK 30012345") by id."""
    labels = labels or {}
    table = Table(title=title, title_justify="left")
    for column in (
        "patent",
        "tokens",
        "pledged",
        "share",
        "claimable (tHKD)",
        "latest valuation",
        "implied value of stake",
    ):
        table.add_column(
            column, justify="left" if column in ("patent", "latest valuation") else "right"
        )
    for x in h.holdings:
        if x.valuation is None:
            valuation = implied = "none valid"
        else:
            exp = minor_units(x.valuation.currency)
            valuation = f"{x.valuation.currency} {units(x.valuation.value, exp)}"
            implied = f"{x.valuation.currency} {units(x.implied_value or 0, exp)}"
        table.add_row(
            labels.get(x.patent_id, "0x" + x.patent_id.hex()[:10] + "…"),
            units(x.balance, TOKEN_DECIMALS, 0),
            units(x.pledged, TOKEN_DECIMALS, 0) if x.pledged else "-",
            f"{float(x.share):.2%}",
            units(x.claimable, PAYMENT_DECIMALS),
            valuation,
            implied,
        )
    return table


def trail_table(trail: TrailVerification, *, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("#", "kind", "content sha256", "submitter", "document", "entry hash"):
        table.add_column(column)
    for e in trail.entries:
        table.add_row(
            str(e.seq),
            e.kind.name.lower().replace("_", " "),
            e.content_hash.hex()[:16] + "…",
            e.submitter[:10] + "…",
            Text(e.uri or "-"),  # from the chain: text, never markup
            e.entry_hash.hex()[:16] + "…",
        )
    return table


def show_pilot(console: Console, result: PilotResult, data_dir: Path) -> None:
    names = {address: name for name, address in result.investors.items()}
    labels = {pid: label for label, pid in result.patents.items()}
    console.print(
        f"chain {result.chain_id}; deployment {result.deployment}"
        + (" (the pilot had already run here)" if result.already_ran else "")
    )
    for h in result.holdings:
        table = holdings_table(h, title=f"{names[h.investor]}  {h.investor}")
        for row_index, x in enumerate(h.holdings):
            table.columns[0]._cells[row_index] = labels.get(
                x.patent_id, table.columns[0]._cells[row_index]
            )
        console.print(table)
    if result.trail is not None:
        first = next(iter(result.patents))
        state = "[green]verified[/]" if result.trail.ok else "[red]FAILED[/]"
        console.print(
            trail_table(
                result.trail,
                title=f"Evidence trail of {first}: {state} against the chain's head, "
                f"{result.trail.documents_checked} documents checked in {data_dir / 'documents'}",
            )
        )
        for problem in result.trail.problems:
            console.print(Text(f"  entry {problem.seq}: {problem.problem}", style="red"))
    if result.loans:
        console.print(loans_table(result.loans, title="Loans against pledged revenue rights"))


def loans_table(found: list[Loan], *, title: str, decimals: int = 6) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("loan", "state", "pledged", "debt", "collateral", "LTV", "health"):
        table.add_column(
            column, justify="right" if column in ("debt", "collateral", "LTV") else "left"
        )
    for loan in found:
        ltv = "-" if loan.ltv_bps == NO_COLLATERAL else f"{loan.ltv_bps / 100:.2f}%"
        pledged = ", ".join(f"{ref}: {units(t, 18, 0)}" for ref, t in loan.pledged.items())
        table.add_row(
            str(loan.loan_id),
            loan.state.name.lower(),
            pledged,
            units(loan.debt, decimals),
            units(loan.collateral_value, decimals),
            ltv,
            "healthy" if loan.healthy else "UNHEALTHY",
        )
    return table
