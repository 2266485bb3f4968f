"""Build and run: compile, a local node, deploy, the pilot."""

from __future__ import annotations

import signal
import tempfile
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text

from ipledger.chain.connect import connect
from ipledger.chain.node import start_anvil
from ipledger.cli.common import (
    INDEX_ENV,
    AccountOpt,
    JsonOpt,
    KeystoreOpt,
    ProjectOpt,
    RpcOpt,
    console,
    emit_json,
    engine_for,
    err_console,
    fail,
    find_project,
    resolve_sender,
)
from ipledger.cli.render import chain_words, dev_accounts_table, show_pages, show_pilot
from ipledger.clients.ledger import Ledger
from ipledger.deploy.records import deployment_path, load_deployment, save_deployment
from ipledger.deploy.suite import deploy
from ipledger.errors import CompilationError, IpledgerError
from ipledger.models import parse_address
from ipledger.pilot.data import PilotResult
from ipledger.pilot.run import pilot_json, run_pilot
from ipledger.toolchain.artifacts import Artifact
from ipledger.toolchain.compiler import compile_project

if TYPE_CHECKING:  # SQLAlchemy and the pages load only when used: the CLI starts fast
    from sqlalchemy import Engine
    from web3 import Web3

    from ipledger.api.pages.preview import PagePreview


def compile_cmd(
    project: ProjectOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Ignore the cache.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Compile contracts/ into build/contracts/<Name>.json."""
    try:
        proj = find_project(project)
        result = compile_project(project=proj, force=force)
    except CompilationError as exc:
        raise fail(exc) from None
    except IpledgerError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json(
            {
                "cached": result.cached,
                "compiler": {"version": result.solc.version, "kind": result.solc.kind},
                "contracts": sorted(result.artifacts),
                "seconds": round(result.seconds, 3),
                "buildDir": str(proj.build_dir),
            }
        )
        return
    for warning in result.warnings:
        err_console.print(Text.assemble(("warning: ", "yellow"), warning), highlight=False)
    how = "cached, compiler not run" if result.cached else f"solc {result.solc.version}"
    console.print(
        f"{len(result.artifacts)} contracts -> {proj.build_dir} "
        f"({how}, {result.solc.kind}, {result.seconds:.2f}s)"
    )


def node_cmd(
    project: ProjectOpt = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8545,
    state: Annotated[
        Path | None, typer.Option("--state", help="Load the chain from, and save it to, FILE.")
    ] = None,
) -> None:
    """Run a local anvil node until interrupted (Ctrl-C or SIGTERM)."""
    # A flag, not an exception: a signal arriving while anvil starts must not leave
    # the start half done; the loop below sees it and stops anvil cleanly.
    stop = threading.Event()

    def _request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    try:
        proj = find_project(project)
        node = start_anvil(node_modules=proj.node_modules, port=port, state=state)
    except IpledgerError as exc:
        raise fail(exc) from None
    with node:
        saved = f", state saved to {state}" if state else ""
        console.print(f"anvil on {node.url} (chain id {node.chain_id}{saved}); Ctrl-C stops it")
        console.print(dev_accounts_table(connect(node.url)))
        while node.alive() and not stop.is_set():
            stop.wait(0.5)
        if stop.is_set():
            console.print("stopping anvil")
    if node.process.returncode not in (0, -signal.SIGTERM):
        err_console.print(
            Text(f"anvil exited with code {node.process.returncode}:\n{node.log_tail()}")
        )
        raise typer.Exit(code=1)


def deploy_cmd(
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    payment_token: Annotated[
        str | None,
        typer.Option(
            help="The ERC-20 licence revenue is paid in (its address). Required except on a "
            "dev chain, which gets a test HKD (never for real money)."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Deploy the suite, reusing what is deployed and intact; records deployments/<chainId>.json."""
    try:
        proj = find_project(project)
        artifacts = compile_project(project=proj).artifacts
        w3 = connect(rpc)
        sender = resolve_sender(w3, keystore, account)
        path = deployment_path(proj.deployments_dir, w3.eth.chain_id)
        result = deploy(
            w3=w3,
            artifacts=artifacts,
            admin=sender,
            previous=load_deployment(path),
            payment_token=None if payment_token is None else parse_address(payment_token),
        )
        save_deployment(path, result.deployment)
    except (IpledgerError, ValueError) as exc:
        raise fail(exc) from None
    if as_json:
        emit_json(
            {
                "chainId": w3.eth.chain_id,
                "deployment": str(path),
                "deployed": result.deployed,
                "reused": result.reused,
                "contracts": {n: r.address for n, r in result.deployment.contracts.items()},
                "paymentToken": result.deployment.addresses().payment_token,
            }
        )
        return
    if not result.deployed:
        console.print(f"nothing to deploy: all {len(result.reused)} contracts are intact ({path})")
    else:
        console.print(
            f"deployed {', '.join(result.deployed)}; reused {len(result.reused)} ({path})"
        )
    table = Table(title=f"ipledger on {chain_words(w3.eth.chain_id)}")
    for column in ("contract", "address", "status"):
        table.add_column(column)
    for name, record in result.deployment.contracts.items():
        table.add_row(name, record.address, "deployed" if name in result.deployed else "reused")
    console.print(table)


def demo_cmd(
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Pilot data folder (default examples/pilot).")
    ] = None,
    index: Annotated[
        str | None,
        typer.Option(
            "--index",
            envvar=INDEX_ENV,
            help="Index the run into this database (default: the project's .ipledger/"
            "index.sqlite on a node; a temporary one on the embedded chain).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the sandbox pilot end to end and print holdings, loans, a verified evidence
    trail and the supervisor's view from the index."""
    try:
        proj = find_project(project)
        data_dir = data or proj.root / "examples" / "pilot"
        # The embedded chain ends with this process: so does its index.
        scratch = tempfile.TemporaryDirectory(prefix="ipledger-pilot-index-")
        db = index or (str(Path(scratch.name) / "index.sqlite") if rpc is None else None)
        with (
            scratch,
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                console=err_console,
                disable=as_json,
                transient=True,
            ) as progress,
        ):
            task = progress.add_task("compiling contracts", total=None)

            def step(text: str) -> None:
                progress.update(task, description=text)
                if not as_json:
                    err_console.print(Text.assemble(("• ", "dim"), text), highlight=False)

            artifacts = compile_project(project=proj).artifacts
            w3 = connect(rpc)
            engine = engine_for(db, proj.root)
            result = run_pilot(
                w3=w3,
                project=proj,
                artifacts=artifacts,
                data_dir=data_dir,
                step=step,
                index=engine,
            )
            pages = _pages(result, w3, artifacts, engine)
    except IpledgerError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json({**pilot_json(result), "pages": [p.as_json() for p in pages]})
        return
    show_pilot(console, result, data_dir)
    show_pages(console, pages)


def _pages(result: PilotResult, w3: Web3, artifacts: dict[str, Artifact],
           engine: Engine | None) -> list[PagePreview]:  # fmt: skip
    """The pages `ipledger serve` would show of this run (they need its index)."""
    if engine is None:
        return []
    from ipledger.api.pages.preview import preview  # Jinja2 and the views: only here

    deployment = load_deployment(result.deployment)
    assert deployment is not None  # the pilot just saved it
    ledger = Ledger.attach(w3=w3, artifacts=artifacts, addresses=deployment.addresses(),
                           first_block=deployment.first_block())  # fmt: skip
    investor = next(iter(result.investors.values()))
    return preview(ledger, engine, patent=next(iter(result.patents)), investor=investor)
