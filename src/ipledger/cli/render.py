"""Rich tables for people: amounts in their token's units with its symbol, dates in
ISO 8601, patents by their references. A table wider than the terminal is stacked (one
block per row) rather than cut: every figure is shown whole at 80 columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from web3 import Web3

from ipledger.mirror.reports import minor_units
from ipledger.models import Holdings, Loan, PatentSummary, TrailVerification, ValuationRecord
from ipledger.models.loans import NO_COLLATERAL
from ipledger.models.supervision import SupervisionSummary
from ipledger.models.units import iso, show_units
from ipledger.pilot.data import PilotResult

TOKEN_DECIMALS = 18
EMBEDDED_CHAIN_ID = 131277322940537  # eth-tester's
ANVIL_CHAIN_ID = 31337


def printable(text: str) -> str:
    """Text from the chain as it can be shown: control and format characters (an escape
    sequence, a zero-width joiner in a look-alike id) written out as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def units(amount: int, decimals: int, places: int = 2) -> str:
    return show_units(amount, decimals, places)


def fit(console: Console, table: Table) -> RenderableType:
    """`table` if it fits the console's width; else the same rows stacked, one block of
    "column  value" lines per row, so that no figure is cut."""
    unbounded = console.options.update_width(10**4)  # what the table would like, uncapped
    if Measurement.get(console, unbounded, table).maximum <= console.width:
        return table
    headers = [str(column.header) for column in table.columns]
    cells = [list(column.cells) for column in table.columns]
    blocks: list[RenderableType] = [Text(str(table.title or ""), style="italic")]
    for row in range(table.row_count):
        block = Table.grid(padding=(0, 2))
        block.add_column(style="bold", no_wrap=True)
        block.add_column(overflow="fold")
        for header, column in zip(headers, cells, strict=True):
            block.add_row(header, column[row])
        blocks += [block, Text("")]
    return Group(*blocks)


def _patent(x_reference: str | None, patent_id: bytes) -> str:
    return x_reference or "0x" + patent_id.hex()[:10] + "…"


def holdings_table(h: Holdings, *, title: str, labels: Mapping[bytes, str] | None = None) -> Table:
    """One investor's holdings; `labels` names patents where the chain gives no reference."""
    labels = labels or {}
    table = Table(title=title, title_justify="left")
    for column in ("patent", "tokens", "pledged", "share", "claimable", "valuation", "stake value"):
        table.add_column(column, justify="left" if column == "patent" else "right")
    for x in h.holdings:
        if x.valuation is None:
            valuation = implied = "none valid"
        else:
            exp = minor_units(x.valuation.currency)
            valuation = f"{x.valuation.currency} {units(x.valuation.value, exp)}"
            implied = f"{x.valuation.currency} {units(x.implied_value or 0, exp)}"
        decimals = x.payment_decimals if x.payment_decimals is not None else 0
        table.add_row(
            labels.get(x.patent_id) or _patent(x.reference, x.patent_id),
            units(x.balance, TOKEN_DECIMALS, 0),
            units(x.pledged, TOKEN_DECIMALS, 0) if x.pledged else "-",
            f"{float(x.share):.2%}",
            f"{x.payment_symbol or '?'} {units(x.claimable, decimals)}",
            valuation,
            implied,
        )
    return table


def patent_table(p: PatentSummary, *, title: str) -> Table:
    """One patent's record, read as a statement: units and dates as people write them."""
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    symbol, decimals = p.payment_symbol or "", p.payment_decimals or 0
    latest = p.latest_valuation
    rows = {
        "reference": p.reference or "-",
        "patent id": "0x" + p.patent_id.hex(),
        "owner": p.owner,
        "field": p.field.name.lower(),
        "status": p.status.name.lower(),
        "jurisdiction": p.jurisdiction,
        "expiry": iso(p.expiry),
        "token": p.token or "not tokenised",
        "supply": f"{units(p.total_supply, TOKEN_DECIMALS, 0)} tokens",
        "revenue deposited": f"{symbol} {units(p.revenue_deposited, decimals)}".strip(),
        "evidence entries": str(p.evidence_entries),
        "latest valuation": "none valid"
        if latest is None
        else f"{latest.currency} {units(latest.value, minor_units(latest.currency))} "
        f"({iso(latest.valuation_date)}, valid until {iso(latest.valid_until)})",
    }
    for key, value in rows.items():
        table.add_row(key, Text(value))
    return table


def valuations_table(history: Sequence[ValuationRecord], *, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    columns = ("report", "valuer", "value", "date", "valid until", "purpose",
               "legal/tech/econ", "machine scores", "recognised in", "revoked")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right" if column == "value" else "left")
    for r in history:
        places = minor_units(r.currency)
        table.add_row(
            Text(printable(r.report_label or "0x" + r.report_id.hex()[:12] + "…")),
            r.valuer[:10] + "…" + (f" ({r.valuer_jurisdiction})" if r.valuer_jurisdiction else ""),
            f"{r.currency} {units(r.value, places, places)}",
            iso(r.valuation_date),
            iso(r.valid_until),
            "-" if r.purpose is None else r.purpose.name.lower().replace("_", " "),
            "-" if r.dimensions is None else "/".join(map(str, r.dimensions)),
            Text(
                "/".join(map(str, r.scores))
                + (f" ({printable(r.scoring_model)})" if r.scoring_model else "")
            ),
            recognised_in(r),
            "yes" if r.revoked else ("valuer withdrawn" if r.valuer_withdrawn else ""),
        )
    return table


def recognised_in(r: ValuationRecord) -> str:
    """Where a recognition makes it count ("HK"; "HK withdrawn"), or "-"."""
    return (
        ", ".join(x.jurisdiction + (" withdrawn" if x.withdrawn else "") for x in r.recognised_by)
        or "-"
    )


def due_table(found: Sequence[Any], *, title: str) -> Table:
    """`valuations due`: each patent, its status and when its valuation falls due."""
    table = Table(title=title, title_justify="left")
    for column in ("patent", "field", "status", "valued", "due", "days left"):
        table.add_column(column, justify="right" if column == "days left" else "left")
    for r in found:
        table.add_row(
            Text(printable(r.reference or "0x" + r.patent_id.hex())),
            r.field.name.lower(),
            r.status,
            "-" if r.valuation_date is None else iso(r.valuation_date),
            "-" if r.due_at is None else iso(r.due_at),
            "-" if r.days_left is None else str(r.days_left),
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
            Text(printable(e.uri) or "-"),  # from the chain: text, never markup
            e.entry_hash.hex()[:16] + "…",
        )
    return table


def dev_accounts_table(w3: Web3) -> Table:
    """A dev node's funded accounts, by the index `--account N` takes."""
    table = Table(
        title="funded dev accounts (sign with --account N; never for real money)",
        title_justify="left",
    )
    for column in ("N", "address", "balance"):
        table.add_column(column, justify="right" if column != "address" else "left")
    for index, address in enumerate(w3.eth.accounts):
        table.add_row(str(index), address, ether_units(w3.eth.get_balance(address)))
    return table


def ether_units(wei: int) -> str:
    return f"{show_units(wei, 18, 2)} ETH"


def chain_words(chain_id: int) -> str:
    """What a chain id means to someone who has not memorised them."""
    if chain_id == EMBEDDED_CHAIN_ID:
        return f"the embedded test chain (eth-tester in this process; chain id {chain_id})"
    if chain_id == ANVIL_CHAIN_ID:
        return f"a local anvil dev chain (chain id {chain_id})"
    return f"chain id {chain_id}"


def show_pilot(console: Console, result: PilotResult, data_dir: Path) -> None:
    names = {address: name for name, address in result.investors.items()}
    ran = "the pilot had already run here" if result.already_ran else "pilot complete"
    console.print(Text(f"{ran} on {chain_words(result.chain_id)}; deployment {result.deployment}"))
    for h in result.holdings:
        console.print(fit(console, holdings_table(h, title=f"{names[h.investor]}  {h.investor}")))
    if result.trail is not None:
        first = next(iter(result.patents))
        state = "[green]verified[/]" if result.trail.ok else "[red]FAILED[/]"
        console.print(  # hashes are shortened on purpose: a table at any width
            trail_table(
                result.trail,
                title=f"Evidence trail of {first}: {state} against the chain's head, "
                f"{result.trail.documents_checked} documents checked in {data_dir / 'documents'}",
            )
        )
        for problem in result.trail.problems:
            console.print(Text(f"  entry {problem.seq}: {problem.problem}", style="red"))
    if result.loans:
        table = loans_table(result.loans, title="Loans against pledged revenue rights")
        console.print(fit(console, table))
    if result.valuations_due:
        title = "Revaluations due within a year (the accreditor's maximum age per field)"
        console.print(fit(console, due_table(result.valuations_due, title=title)))
    if result.supervision is not None:
        show_supervision(console, result.supervision)


def show_supervision(console: Console, s: SupervisionSummary) -> None:
    """The supervisor's view the pilot read back from its index."""
    table = Table(
        title=f"Supervisor's view, from the index at block {s.indexed_block} "
        f"({'matches the chain' if s.verified else 'DIFFERS from the chain'})",
        title_justify="left",
    )
    for column in ("patent", "holders", "top holder", "top share", "HHI"):
        table.add_column(column, justify="left" if column == "patent" else "right")
    for c in s.risk.concentration:
        top = "-" if c.top_holder is None else f"{c.top_holder[:6]}…{c.top_holder[-4:]}"
        table.add_row(c.reference or c.patent_id.hex()[:10], str(c.holders), top,
                      f"{float(c.top_share) * 100:.2f}%", str(c.hhi))  # fmt: skip
    console.print(fit(console, table))
    cap = "no cap" if s.subsidy.cap is None else f"of {s.subsidy.cap}"
    loans = s.risk.loans
    console.print(
        Text(
            f"flows: {s.flows} ({s.cross_border} cross-border); subsidised valuations "
            f"{s.subsidy.year}: {s.subsidy.used} {cap}; loans: "
            + ", ".join(f"{n} {state}" for state, n in sorted(loans.by_state.items()))
        )
    )


def show_pages(console: Console, pages: list[Any]) -> None:
    """What `ipledger serve` would show of this run: each page's size and time."""
    if not pages:
        return
    table = Table(title="Pages (ipledger serve --index): rendered from this run's index",
                  title_justify="left")  # fmt: skip
    for column in ("page", "path", "HTML", "time"):
        table.add_column(column, justify="right" if column in ("HTML", "time") else "left")
    for p in pages:
        table.add_row(p.title, p.path, f"{p.bytes / 1000:.1f} KB", f"{p.milliseconds:.0f} ms")
    console.print(fit(console, table))


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
