"""`ipledger index` (the chain's events into SQL; `index verify` against the chain) and
`ipledger api-token new` (bearer tokens for the API's /regulator routes).

The index (SQLAlchemy) loads only when one of these verbs runs: every other command
starts without it.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from ipledger.api.tokens import SCOPES, new_token
from ipledger.cli.common import (
    DbOpt,
    JsonOpt,
    Target,
    console,
    emit_json,
    engine_for,
    err_console,
    one_line_errors,
    open_deployed,
    verb,
)

if TYPE_CHECKING:
    from ipledger.index.sync import Indexer, SyncReport


# ---- index ---------------------------------------------------------------------------


@verb(signs=False)
def index_cmd(
    ctx: typer.Context,
    db: DbOpt = None,
    watch: Annotated[bool, typer.Option("--watch", help="Follow the head until stopped.")] = False,
    confirmations: Annotated[
        int, typer.Option(help="Blocks behind the head the index stays (reorg safety).")
    ] = 0,
    max_range: Annotated[
        int, typer.Option(min=1, help="Most blocks per getLogs (some providers cap it).")
    ] = 50_000,
    *,
    target: Target,
) -> None:
    """Follow the suite's events into the index (SQLite or PostgreSQL)."""
    from ipledger.index.sync import Indexer

    if ctx.invoked_subcommand is not None:
        return
    with one_line_errors():
        ledger, deployment = open_deployed(target.project, target.rpc)
        indexer = Indexer(
            w3=ledger.w3,
            engine=engine_for(db, target.project),
            artifacts=ledger.artifacts,
            addresses=ledger.addresses,
            chain_id=deployment.chain_id,
            first_block=deployment.first_block(),
            confirmations=confirmations,
            max_span=max_range,
        )
        report = indexer.sync()
        if watch:
            _watch(indexer)
            report = indexer.sync()
    if target.as_json:
        emit_json(report.as_json())
        return
    console.print(
        Text(
            f"indexed to block {report.to_block} ({report.events} new events in "
            f"{report.ranges} ranges); {report.lag} blocks behind the head"
            + (
                f"; rolled back to block {report.rolled_back_to}"
                if report.rolled_back_to is not None
                else ""
            )
        )
    )


def _watch(indexer: Indexer) -> None:
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}

    def log(report: SyncReport) -> None:
        if report.events or report.rolled_back_to is not None:
            err_console.print(
                Text(f"• block {report.to_block}: {report.events} events"), highlight=False
            )

    try:
        indexer.watch(stop=stop.is_set, on_pass=log)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@verb(signs=False)
def index_verify_cmd(db: DbOpt = None, *, target: Target) -> None:
    """Compare the index with the chain at the index's block; exit 1 on a difference."""
    from ipledger.read.index_check import verify_index
    from ipledger.read.indexed import IndexReader

    with one_line_errors():
        ledger, _ = open_deployed(target.project, target.rpc)
        with IndexReader.open(engine_for(db, target.project)) as reader:
            result = verify_index(reader, ledger)
    if target.as_json:
        emit_json(result.as_json())
    else:
        checked = ", ".join(f"{n} {k}" for k, n in result.checked.items())
        console.print(Text(f"compared at block {result.block}: {checked}"))
        for d in result.differences:
            console.print(
                Text(f"{d.kind}: {d.where}: index {d.index}, chain {d.chain}", style="red")
            )
        console.print(
            Text(
                "index matches the chain" if result.ok else f"{len(result.differences)} differences"
            )
        )
    if not result.ok:
        raise typer.Exit(code=1)


def api_token_new_cmd(
    tokens: Annotated[Path, typer.Option("--tokens", help="The tokens file `serve` reads.")],
    name: Annotated[str, typer.Option(help="Who holds it, e.g. 'HKMA supervision desk'.")],
    scope: Annotated[
        list[str],
        typer.Option("--scope", help=f"A scope it carries (repeatable): {', '.join(SCOPES)}."),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Make a regulator token for the API: its hash and scopes go to the tokens file,
    the token is shown once."""
    with one_line_errors():
        token = new_token(tokens, name=name, scopes=scope)
    if as_json:
        emit_json(
            {"token": token, "name": name, "scopes": sorted(set(scope)), "tokens": str(tokens)}
        )
        return
    console.print(Text(f"token for {name} ({', '.join(sorted(set(scope)))}), shown only now:"))
    console.print(Text(token), soft_wrap=True)
