"""`ipledger mirror`: valuation reports onto the chain, exactly once; `mirror status`."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from web3.exceptions import Web3Exception

from ipledger.chain.keys import PASSWORD_ENV, load_keystore
from ipledger.cli.common import (
    JsonOpt,
    ProjectOpt,
    RpcOpt,
    console,
    emit_json,
    err_console,
    fail,
    open_deployed,
    password_prompt,
)
from ipledger.errors import IpledgerError
from ipledger.mirror.outbox import Outbox
from ipledger.mirror.service import DEFAULT_LOCK_DIR, LOCK_DIR_ENV, Mirror, RunSummary

RELAYER_PASSWORD_ENV = "IPLEDGER_RELAYER_PASSWORD"  # noqa: S105 - a variable name
OutboxOpt = Annotated[Path, typer.Option("--outbox", help="The mirror's SQLite outbox.")]
DEFAULT_OUTBOX = Path(".ipledger/mirror.sqlite")


def _logger(quiet: bool) -> Callable[[str], None]:
    def log(message: str) -> None:
        if not quiet:
            err_console.print(Text.assemble(("• ", "dim"), message), highlight=False)

    return log


def _run(mirror: Mirror, source: Path, *, watch: bool) -> RunSummary:
    """One pass until settled; with `watch`, another each second until SIGINT or SIGTERM,
    which let the pass under way finish (its outbox states are committed) and then stop,
    so a supervisor's stop still ends with the summary and exit status 0."""
    summary = mirror.run_until_settled(source)
    if not watch:
        return summary
    stop = threading.Event()
    stopping = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in stopping}
    try:
        while not stop.wait(1.0):
            summary.add(mirror.run_until_settled(source))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return summary


def mirror_cmd(
    ctx: typer.Context,
    source: Annotated[
        Path | None, typer.Option("--source", help="Folder of valuation report files.")
    ] = None,
    valuer_keystore: Annotated[
        Path | None, typer.Option(help=f"The valuer's keystore (${PASSWORD_ENV}).")
    ] = None,
    relayer_keystore: Annotated[
        Path | None, typer.Option(help=f"The sending account's keystore (${RELAYER_PASSWORD_ENV}).")
    ] = None,
    chain_id: Annotated[int | None, typer.Option(help="The chain the mirror may write to.")] = None,
    confirmations: Annotated[
        int, typer.Option(help="Blocks deep before a report counts as confirmed.")
    ] = 1,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            help="Keep going as files arrive; SIGINT or SIGTERM stop after the current pass.",
        ),
    ] = False,
    outbox: OutboxOpt = DEFAULT_OUTBOX,
    lock_dir: Annotated[
        Path,
        typer.Option(
            envvar=LOCK_DIR_ENV,
            help="Where mirrors take their one-per-valuer-and-chain lock.",
        ),
    ] = DEFAULT_LOCK_DIR,
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate, sign, submit and confirm every report in --source."""
    if ctx.invoked_subcommand is not None:
        return
    if source is None or valuer_keystore is None or relayer_keystore is None or chain_id is None:
        raise fail(
            IpledgerError(
                "mirror needs --source, --valuer-keystore, --relayer-keystore and --chain-id"
            )
        )
    try:
        ledger, deployment = open_deployed(project, rpc)
        valuer = load_keystore(valuer_keystore, prompt=password_prompt)
        relayer = load_keystore(
            relayer_keystore, prompt=password_prompt, password_env=RELAYER_PASSWORD_ENV
        )
        box = Outbox(outbox)
        mirror = Mirror(
            ledger=ledger,
            outbox=box,
            valuer=valuer,
            relayer=relayer,
            chain_id=chain_id,
            confirmations=confirmations,
            lock_dir=lock_dir,
            from_block=deployment.contracts["ValuationRegistry"].block,
            log=_logger(as_json and not watch),  # watching: a line per report, on stderr
        )
        try:
            summary = _run(mirror, source, watch=watch)
            counts = box.counts()
        finally:
            mirror.close()
            box.close()
    except IpledgerError as exc:
        raise fail(exc) from None
    except Web3Exception as exc:  # the node's error answer, not ours: one line
        raise fail(IpledgerError(f"the node refused: {exc}")) from None
    data = summary.as_json(counts)
    if as_json:
        emit_json(data)
        return
    run = data["thisRun"]
    console.print(
        f"this run: took in {run['takenIn']}"
        + (f" ({run['resubmitted']} corrected)" if run["resubmitted"] else "")
        + f", sent {run['sent']}, confirmed {run['confirmed']}, failed {run['failed']}, "
        f"quarantined {run['quarantined']}"
    )
    console.print(
        f"outbox: confirmed {data['confirmed']}, quarantined {data['quarantined']}, "
        f"failed {data['failed']}, pending {data['pending']}"
    )
    for name, reason in summary.quarantined.items():
        console.print(Text(f"  quarantined {name}: {reason}"), highlight=False)
    for conflict in summary.conflicts:
        console.print(Text.assemble("  ", ("conflict ", "yellow"), conflict), highlight=False)


def mirror_status_cmd(outbox: OutboxOpt = DEFAULT_OUTBOX, as_json: JsonOpt = False) -> None:
    """What the outbox holds, by state."""
    if not outbox.is_file():
        raise fail(IpledgerError(f"no outbox at {outbox}"))
    box = Outbox(outbox)
    counts = box.counts()
    problems = {r.report_id: r.reason for r in box.rows("rejected", "conflict")}
    problems.update(box.quarantined())  # file name -> reason (the latest, if dropped again)
    box.close()
    if as_json:
        emit_json({"states": counts, "problems": problems})
        return
    for state, n in sorted(counts.items()):
        console.print(f"{state:12} {n}")
    for report_id, reason in problems.items():
        console.print(Text(f"  {report_id}: {reason}"), highlight=False)
