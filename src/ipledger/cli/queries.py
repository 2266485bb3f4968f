"""CLI reads for investors and regulators: holdings, patents, valuations, evidence.

Tables show amounts in their token's units with its symbol, and dates in ISO 8601.
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
from rich.text import Text

from ipledger.cli.common import (
    INDEX_ENV,
    ProjectOpt,
    RpcOpt,
    Target,
    console,
    emit_json,
    engine_for,
    err_console,
    fail,
    find_project,
    open_ledger,
    registered_patent,
    verb,
)
from ipledger.cli.render import (
    due_table,
    fit,
    holdings_table,
    patent_table,
    trail_table,
    valuations_table,
)
from ipledger.errors import IpledgerError
from ipledger.models import TrailVerification, parse_address, parse_patent
from ipledger.read.labels import Labels
from ipledger.read.queries import evidence_trail, holdings, patent_summary, valuation_history

PatentRef = Annotated[str, typer.Argument(help='"HK 30012345", or the 0x patent id.')]


@verb(signs=False)
def holdings_cmd(
    address: Annotated[str, typer.Argument(help="The investor's address.")],
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar=INDEX_ENV,
            help="Read from this index (SQLite file or postgresql:// URL) instead of the lens.",
        ),
    ] = None,
    *,
    target: Target,
) -> None:
    """Every patent an investor holds tokens of, with revenue and valuation."""
    try:
        investor = parse_address(address)
        ledger = target.ledger()
        if db is None:
            result = holdings(ledger, investor)
        else:
            from ipledger.read.indexed import IndexReader
            from ipledger.read.indexed_holdings import holdings_from_index

            with IndexReader.open(engine_for(db, target.project)) as reader:
                result = holdings_from_index(
                    reader, investor, labels=Labels(ledger), head=ledger.w3.eth.block_number
                )
    except (IpledgerError, ValueError) as exc:
        raise fail(exc) from None
    if target.as_json:
        emit_json(result.as_json())
        return
    if not result.holdings:
        console.print(Text(f"no holdings: {result.investor} holds no revenue-rights tokens"))
        return
    title = f"Holdings of {result.investor}"
    if result.indexed_block is not None:
        title += f" (index at block {result.indexed_block}, {result.lag} blocks behind the head)"
    console.print(fit(console, holdings_table(result, title=title)))


@verb(signs=False)
def patent_show_cmd(patent: PatentRef, *, target: Target) -> None:
    """A patent's record, token and latest valid valuation."""
    try:
        parse_patent(patent)  # what was typed is checked before the chain is asked
        ledger = target.ledger()
        pid = registered_patent(ledger, patent)
        summary = patent_summary(ledger, pid)
        data = summary.as_json()
    except (IpledgerError, ValueError) as exc:
        raise fail(exc) from None
    if target.as_json:
        emit_json(data)
        return
    console.print(patent_table(summary, title=f"Patent {patent}"))


@verb(signs=False)
def valuations_cmd(
    patent: Annotated[
        str,
        typer.Argument(
            help='A patent ("HK 30012345" or its 0x id), or "due": the patents whose '
            "valuation falls due within --within days, is stale, or is missing."
        ),
    ],
    within: Annotated[
        int, typer.Option(help="With `due`: how many days ahead to look.", min=0)
    ] = 90,
    *,
    target: Target,
) -> None:
    """Every valuation of a patent ever attested, and which were revoked; or, with
    `due`, which patents need a revaluation (for valuers' scheduling)."""
    if patent == "due":
        _valuations_due(target, within)
        return
    try:
        parse_patent(patent)
        ledger = target.ledger()
        history = valuation_history(ledger, registered_patent(ledger, patent))
    except (IpledgerError, ValueError) as exc:
        raise fail(exc) from None
    if target.as_json:
        emit_json([r.as_json() for r in history])
        return
    if not history:
        console.print(Text(f"no valuations of {patent} attested yet"))
        return
    console.print(fit(console, valuations_table(history, title=f"Valuations of {patent}")))


def _valuations_due(target: Target, within: int) -> None:
    from ipledger.read.revaluation import valuations_due

    try:
        found = valuations_due(target.ledger(), within_days=within)
    except IpledgerError as exc:
        raise fail(exc) from None
    if target.as_json:
        emit_json([r.as_json() for r in found])
        return
    if not found:
        console.print(Text(f"no valuation falls due within {within} days"))
        return
    console.print(fit(console, due_table(found, title=f"Revaluations due within {within} days")))


@verb(signs=False)
def evidence_verify_cmd(
    patent: PatentRef,
    docs: Annotated[
        Path | None, typer.Option("--docs", help="Folder of the documents to check.")
    ] = None,
    *,
    target: Target,
) -> None:
    """Rebuild a patent's evidence trail from events and verify it; exit 1 on a problem."""
    try:
        parse_patent(patent)
        ledger = target.ledger()
        trail = evidence_trail(ledger, registered_patent(ledger, patent), documents=docs)
    except (IpledgerError, ValueError) as exc:
        raise fail(exc) from None
    if target.as_json:
        emit_json(trail.as_json())
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
    index: Annotated[
        str | None,
        typer.Option(
            "--index",
            envvar="IPLEDGER_INDEX",
            help="The index (SQLite file or postgresql:// URL) for /regulator and statements.",
        ),
    ] = None,
    regulator_tokens: Annotated[
        Path | None,
        typer.Option(
            help="The regulator tokens file (`ipledger api-token new`): hashes and scopes."
        ),
    ] = None,
) -> None:
    """Serve the pages (/, /patents/..., /investors/..., /regulator) and the read-only
    JSON API (/api/..., OpenAPI at /docs) over the deployed suite."""
    import uvicorn

    from ipledger.api.app import create_app
    from ipledger.api.tokens import TokenStore
    from ipledger.index.store import database_url, open_engine

    try:
        ledger = open_ledger(project, rpc)
        root = find_project(project).root
        engine = None if index is None else open_engine(database_url(index, root))
        tokens = None if regulator_tokens is None else TokenStore.load(regulator_tokens)
    except IpledgerError as exc:
        raise fail(exc) from None
    app = create_app(ledger=ledger, cors_origins=cors_origin or [], index=engine, tokens=tokens)
    shown = f"[{host}]" if ":" in host else host
    err_console.print(
        Text(f"pages at http://{shown}:{port}/ ; the API at http://{shown}:{port}/docs"
             + ("" if engine else " (no --index: no registers, statements or supervisor)"))
    )  # fmt: skip
    uvicorn.run(app, host=host, port=port)
