"""CLI reads for investors and regulators: holdings, patents, valuations, evidence.

JSON output (`--json`) is a stable schema: amounts are base units as decimal strings,
times unix seconds, ids and hashes 0x-hex, addresses checksummed. Holdings:
`{"investor": "0x..", "holdings": [{"patentId", "token", "balance", "totalSupply",
"claimable", "paymentToken", "valuation": {...} | null, "impliedValue": str | null}]}`.
Text from the chain (a standard, a URI) is printed as text, never as Rich markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from ipledger.cli import JsonOpt, ProjectOpt, RpcOpt, _emit_json, _fail, app, console, open_ledger
from ipledger.errors import IpledgerError
from ipledger.evidence import TrailVerification
from ipledger.ledger import Ledger
from ipledger.mirror.reports import minor_units
from ipledger.queries import evidence_trail, holdings, patent_summary, valuation_history
from ipledger.render import holdings_table, trail_table, units
from ipledger.types import parse_address, parse_patent_ref, patent_id
from ipledger.views import HoldingsView, PatentView, TrailView, ValuationRecordView

patent_app = typer.Typer(help="Read a patent's record.", no_args_is_help=True)
evidence_app = typer.Typer(help="Read and verify evidence trails.", no_args_is_help=True)
app.add_typer(patent_app, name="patent")
app.add_typer(evidence_app, name="evidence")

PatentRef = Annotated[str, typer.Argument(help='"HK 30012345", or the 0x patent id.')]


def _patent_id(ref: str) -> bytes:
    """The id of what was typed: "HK 30012345" (case and spacing forgiven) or 0x + 64 hex."""
    if ref.startswith("0x") and len(ref) == 66:
        return bytes.fromhex(ref[2:])
    return patent_id(*parse_patent_ref(ref))


def _patent(ledger: Ledger, ref: str) -> bytes:
    pid = _patent_id(ref)
    if not ledger.patents.is_registered(pid):
        raise IpledgerError(f"unknown patent {ref} (0x{pid.hex()}): not registered on this chain")
    return pid


@app.command("holdings")
def holdings_cmd(
    address: Annotated[str, typer.Argument(help="The investor's address.")],
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every patent an investor holds tokens of, with revenue and valuation."""
    try:
        result = holdings(open_ledger(project, rpc), parse_address(address))
    except (IpledgerError, ValueError) as exc:
        raise _fail(exc) from None
    if as_json:
        _emit_json(HoldingsView.of(result).as_json())
        return
    console.print(holdings_table(result, title=f"Holdings of {result.investor}"))


@patent_app.command("show")
def patent_show_cmd(
    patent: PatentRef, project: ProjectOpt = None, rpc: RpcOpt = None, as_json: JsonOpt = False
) -> None:
    """A patent's record, token and latest valid valuation."""
    try:
        _patent_id(patent)  # what was typed is checked before the chain is asked
        ledger = open_ledger(project, rpc)
        pid = _patent(ledger, patent)
        data = PatentView.of(patent_summary(ledger, pid)).as_json()
    except (IpledgerError, ValueError) as exc:
        raise _fail(exc) from None
    if as_json:
        _emit_json(data)
        return
    table = Table(title=f"Patent {patent}", show_header=False)
    for key, value in data.items():
        table.add_row(key, Text(str(value)))
    console.print(table)


@app.command("valuations")
def valuations_cmd(
    patent: PatentRef, project: ProjectOpt = None, rpc: RpcOpt = None, as_json: JsonOpt = False
) -> None:
    """Every valuation of a patent ever attested, and which were revoked."""
    try:
        _patent_id(patent)
        ledger = open_ledger(project, rpc)
        history = valuation_history(ledger, _patent(ledger, patent))
    except (IpledgerError, ValueError) as exc:
        raise _fail(exc) from None
    if as_json:
        _emit_json([ValuationRecordView.of(r).as_json() for r in history])
        return
    table = Table(title=f"Valuations of {patent}")
    for column in ("report", "valuer", "value", "date", "valid until", "standard", "revoked"):
        table.add_column(column)
    for r in history:
        places = minor_units(r.currency)
        table.add_row(
            "0x" + r.report_id.hex()[:12] + "…",
            r.valuer[:10] + "…",
            f"{r.currency} {units(r.value, places, places)}",
            str(r.valuation_date),
            str(r.valid_until),
            Text(r.standard),
            "yes" if r.revoked else ("valuer withdrawn" if r.valuer_withdrawn else ""),
        )
    console.print(table)


@evidence_app.command("verify")
def evidence_verify_cmd(
    patent: PatentRef,
    docs: Annotated[
        Path | None, typer.Option("--docs", help="Folder of the documents to check.")
    ] = None,
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild a patent's evidence trail from events and verify it; exit 1 on a problem."""
    try:
        _patent_id(patent)
        ledger = open_ledger(project, rpc)
        trail = evidence_trail(ledger, _patent(ledger, patent), documents=docs)
    except (IpledgerError, ValueError) as exc:
        raise _fail(exc) from None
    if as_json:
        _emit_json(TrailView.of(trail).as_json())
    else:
        console.print(trail_table(trail, title=f"Evidence trail of {patent}"))
        for problem in trail.problems:
            console.print(Text(f"entry {problem.seq}: {problem.problem}", style="red"))
        console.print(_verdict(trail, docs))
    if not trail.ok:
        raise typer.Exit(code=1)


def _verdict(trail: TrailVerification, docs: Path | None) -> Text:
    """What was verified, and what could not be."""
    if not trail.ok:
        return Text(f"verification FAILED: {len(trail.problems)} problem(s)", style="red")
    text = Text(f"verified: {trail.count} entries hash-chained to the chain's head", "green")
    if docs is None:
        text.append("; documents not checked (pass --docs FOLDER)")
        return text
    text.append(f"; {trail.documents_checked} documents match their recorded sha256")
    if trail.unchecked:
        seqs = ", ".join(str(n) for n in trail.unchecked)
        text.append(
            f"; {len(trail.unchecked)} entries name no document (#{seqs}): not checked",
            style="yellow",
        )
    return text


@app.command("serve")
def serve_cmd(
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--cors-origin",
            help="An origin whose browser pages may read the API (repeatable; none by default).",
        ),
    ] = None,
) -> None:
    """Serve the read-only HTTP API (OpenAPI at /docs) over the deployed suite."""
    import uvicorn

    from ipledger.api import create_app

    try:
        ledger = open_ledger(project, rpc)
    except IpledgerError as exc:
        raise _fail(exc) from None
    uvicorn.run(create_app(ledger=ledger, cors_origins=cors_origin or []), host=host, port=port)
