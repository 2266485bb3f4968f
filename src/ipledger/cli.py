"""`ipledger`: a thin typer front over the library. Tables by default, `--json` for
machines; every error is one clear line and a non-zero exit."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text
from web3 import Web3

from ipledger.chain import connect, redact_url
from ipledger.compiler import compile_project
from ipledger.deploy import deploy
from ipledger.deployments import (
    Deployment,
    DeploymentFileError,
    deployment_path,
    load_deployment,
    save_deployment,
)
from ipledger.errors import CompilationError, IpledgerError
from ipledger.keys import DEV_CHAIN_IDS, PASSWORD_ENV, KeystoreError, load_keystore
from ipledger.ledger import Ledger
from ipledger.node import start_anvil
from ipledger.pilot import pilot_json, run_pilot
from ipledger.project import Project
from ipledger.render import show_pilot
from ipledger.tx import KeyAccount, NodeAccount, Sender

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
    # The message quotes data (a report's fields, a URI from the chain): printed as text,
    # never read as Rich markup.
    err_console.print(
        Text.assemble(("error: ", "bold red"), str(exc)), highlight=False, soft_wrap=True
    )
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
        err_console.print(Text.assemble(("warning: ", "yellow"), warning), highlight=False)
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
    # A flag, not an exception: a signal arriving while anvil starts must not leave
    # the start half done; the loop below sees it and stops anvil cleanly.
    stop = threading.Event()

    def _request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    try:
        proj = Project(project.resolve()) if project else Project.find()
        node = start_anvil(node_modules=proj.node_modules, port=port, state=state)
    except IpledgerError as exc:
        raise _fail(exc) from None
    with node:
        saved = f", state saved to {state}" if state else ""
        console.print(f"anvil on {node.url} (chain id {node.chain_id}{saved}); Ctrl-C stops it")
        while node.alive() and not stop.is_set():
            stop.wait(0.5)
        if stop.is_set():
            console.print("stopping anvil")
    if node.process.returncode not in (0, -signal.SIGTERM):
        err_console.print(
            Text(f"anvil exited with code {node.process.returncode}:\n{node.log_tail()}")
        )
        raise typer.Exit(code=1)


KeystoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--keystore",
        help="eth-account keystore to sign with; password from $IPLEDGER_KEYSTORE_PASSWORD "
        "or a prompt. Without it, a dev chain's funded account signs.",
    ),
]
AccountOpt = Annotated[
    int, typer.Option("--account", help="Index of the dev chain's funded account to use.")
]


def open_ledger(project: Path | None, rpc: str | None) -> Ledger:
    """The suite recorded in deployments/<chainId>.json for the node's chain."""
    return open_deployed(project, rpc)[0]


def open_deployed(project: Path | None, rpc: str | None) -> tuple[Ledger, Deployment]:
    """The suite, and its record, for the node's chain."""
    proj = Project(project.resolve()) if project else Project.find()
    artifacts = compile_project(project=proj).artifacts
    w3 = connect(rpc)
    path = deployment_path(proj.deployments_dir, w3.eth.chain_id)
    deployment = load_deployment(path)
    if deployment is None:
        raise DeploymentFileError(
            f"no deployment for chain {w3.eth.chain_id} at {path}: run `ipledger deploy"
            + (f" --rpc {redact_url(rpc)}`" if rpc else "` against a node (--rpc)")
            + " first"
        )
    ledger = Ledger.attach(w3=w3, artifacts=artifacts, addresses=deployment.addresses())
    return ledger, deployment


def resolve_sender(w3: Web3, keystore: Path | None, account: int) -> Sender:
    """The keystore's key, else (on a dev chain only) a funded node account."""
    if keystore is not None:
        return KeyAccount(load_keystore(keystore, prompt=_password_prompt))
    if w3.eth.chain_id not in DEV_CHAIN_IDS:
        raise KeystoreError(f"chain {w3.eth.chain_id} is not a dev chain: pass --keystore to sign")
    accounts = w3.eth.accounts
    if not 0 <= account < len(accounts):
        raise KeystoreError(f"--account {account}: the node has {len(accounts)} accounts")
    return NodeAccount(accounts[account])


def _password_prompt(text: str) -> str:
    if not sys.stdin.isatty():
        raise KeystoreError(f"{text}: no terminal to ask on; set {PASSWORD_ENV}")
    answer: str = typer.prompt(text, hide_input=True)
    return answer


@app.command("deploy")
def deploy_cmd(
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Deploy the suite, reusing what is deployed and intact; records deployments/<chainId>.json."""
    try:
        proj = Project(project.resolve()) if project else Project.find()
        artifacts = compile_project(project=proj).artifacts
        w3 = connect(rpc)
        sender = resolve_sender(w3, keystore, account)
        path = deployment_path(proj.deployments_dir, w3.eth.chain_id)
        result = deploy(w3=w3, artifacts=artifacts, admin=sender, previous=load_deployment(path))
        save_deployment(path, result.deployment)
    except IpledgerError as exc:
        raise _fail(exc) from None
    if as_json:
        _emit_json(
            {
                "chainId": w3.eth.chain_id,
                "deployment": str(path),
                "deployed": result.deployed,
                "reused": result.reused,
                "contracts": {n: r.address for n, r in result.deployment.contracts.items()},
            }
        )
        return
    if not result.deployed:
        console.print(f"nothing to deploy: all {len(result.reused)} contracts are intact ({path})")
    else:
        console.print(
            f"deployed {', '.join(result.deployed)}; reused {len(result.reused)} ({path})"
        )
    table = Table(title=f"ipledger on chain {w3.eth.chain_id}")
    for column in ("contract", "address", "status"):
        table.add_column(column)
    for name, record in result.deployment.contracts.items():
        table.add_row(name, record.address, "deployed" if name in result.deployed else "reused")
    console.print(table)


@app.command("demo")
def demo_cmd(
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Pilot data folder (default examples/pilot).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the sandbox pilot end to end and print holdings and a verified evidence trail."""
    try:
        proj = Project(project.resolve()) if project else Project.find()
        data_dir = data or proj.root / "examples" / "pilot"
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            console=err_console,
            disable=as_json,
            transient=True,
        ) as progress:
            task = progress.add_task("compiling contracts", total=None)

            def step(text: str) -> None:
                progress.update(task, description=text)
                if not as_json:
                    err_console.print(Text.assemble(("• ", "dim"), text), highlight=False)

            artifacts = compile_project(project=proj).artifacts
            w3 = connect(rpc)
            result = run_pilot(
                w3=w3, project=proj, artifacts=artifacts, data_dir=data_dir, step=step
            )
    except IpledgerError as exc:
        raise _fail(exc) from None
    if as_json:
        _emit_json(pilot_json(result))
        return
    show_pilot(console, result, data_dir)


# The operational verbs live beside this module; importing registers them on `app`.
import ipledger.cli_mirror  # noqa: E402
import ipledger.cli_ops  # noqa: E402
import ipledger.cli_queries  # noqa: E402, F401

if __name__ == "__main__":  # pragma: no cover - `python -m ipledger` is the way
    from ipledger.cli import app as registered  # the module the verbs registered on

    registered()
