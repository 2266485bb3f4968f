"""`ipledger`: a thin typer front over the library. Tables by default, `--json` for
machines; every error is one clear line and a non-zero exit."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ipledger.chain import connect, describe
from ipledger.compiler import compile_project
from ipledger.deploy import deploy_suite
from ipledger.errors import CompilationError, IpledgerError
from ipledger.node import start_anvil
from ipledger.project import Project
from ipledger.tx import NodeAccount

app = typer.Typer(
    help="ipledger: a ledger for tokenised patent revenue rights.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

ProjectOpt = Annotated[
    Path | None, typer.Option("--project", help="Project root (default: found from cwd).")
]
RpcOpt = Annotated[
    str | None,
    typer.Option("--rpc", help="JSON-RPC URL of a node (default: the embedded chain)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def _fail(exc: Exception) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
    return typer.Exit(code=1)


def _emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True))


@app.command("compile")
def compile_cmd(
    project: ProjectOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Ignore the cache.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Compile contracts/ into build/contracts/<Name>.json."""
    try:
        proj = Project(project.resolve()) if project else Project.find()
        result = compile_project(project=proj, force=force)
    except CompilationError as exc:
        raise _fail(exc) from None
    except IpledgerError as exc:
        raise _fail(exc) from None
    if as_json:
        _emit_json(
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
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    how = "cached, compiler not run" if result.cached else f"solc {result.solc.version}"
    console.print(
        f"{len(result.artifacts)} contracts -> {proj.build_dir} "
        f"({how}, {result.solc.kind}, {result.seconds:.2f}s)"
    )


@app.command("node")
def node_cmd(
    project: ProjectOpt = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8545,
    state: Annotated[
        Path | None, typer.Option("--state", help="Load the chain from, and save it to, FILE.")
    ] = None,
) -> None:
    """Run a local anvil node until interrupted (Ctrl-C or SIGTERM)."""

    def _terminate(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        proj = Project(project.resolve()) if project else Project.find()
        node = start_anvil(node_modules=proj.node_modules, port=port, state=state)
    except IpledgerError as exc:
        raise _fail(exc) from None
    with node:
        saved = f", state saved to {state}" if state else ""
        console.print(f"anvil on {node.url} (chain id {node.chain_id}{saved}); Ctrl-C stops it")
        try:
            while node.alive():
                time.sleep(0.5)
        except KeyboardInterrupt:
            console.print("stopping anvil")
    if node.process.returncode not in (0, -signal.SIGTERM):
        err_console.print(f"anvil exited with code {node.process.returncode}:\n{node.log_tail()}")
        raise typer.Exit(code=1)


@app.command("demo")
def demo_cmd(project: ProjectOpt = None, rpc: RpcOpt = None, as_json: JsonOpt = False) -> None:
    """Compile and deploy the ledger's contract suite (the full pilot comes later)."""
    try:
        proj = Project(project.resolve()) if project else Project.find()
        result = compile_project(project=proj)
        w3 = connect(rpc)
        admin = NodeAccount(w3.eth.accounts[0])
        suite = deploy_suite(w3=w3, artifacts=result.artifacts, admin=admin)
    except IpledgerError as exc:
        raise _fail(exc) from None
    addresses = suite.model_dump()
    if as_json:
        _emit_json({"chainId": w3.eth.chain_id, "contracts": addresses})
        return
    console.print(f"compiled {len(result.artifacts)} contracts; connected to {describe(w3)}")
    table = Table(title="ipledger suite deployed")
    table.add_column("contract")
    table.add_column("address")
    for name, address in addresses.items():
        table.add_row(name, address)
    console.print(table)


if __name__ == "__main__":  # pragma: no cover
    app()
