"""What every CLI verb shares: consoles, options, one-line errors, JSON output, and
the way to the deployed suite and a signer."""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import requests
import typer
from rich.console import Console
from rich.text import Text
from web3 import Web3
from web3.exceptions import Web3Exception

from ipledger.chain.connect import connect
from ipledger.chain.keys import DEV_CHAIN_IDS, PASSWORD_ENV, KeystoreError, load_keystore
from ipledger.chain.tx import KeyAccount, NodeAccount, Sender
from ipledger.clients.ledger import Ledger
from ipledger.clients.tokens import RevenueRightsTokenClient
from ipledger.deploy.attach import open_suite
from ipledger.deploy.records import Deployment
from ipledger.errors import IpledgerError
from ipledger.models import EvidenceKind, Field, PatentId, Role, Status, parse_patent
from ipledger.models.units import parse_units, timestamp
from ipledger.project import Project

if TYPE_CHECKING:
    from sqlalchemy import Engine

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
INDEX_ENV = "IPLEDGER_INDEX"
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=INDEX_ENV,
        help="The index: a SQLite file or a postgresql:// URL (default .ipledger/index.sqlite).",
    ),
]
PatentArg = Annotated[str, typer.Argument(help='Patent, e.g. "HK 30012345".')]


@dataclass(frozen=True)
class Target:
    """What every verb is given: where it acts, who signs (write verbs), how it answers."""

    project: Path | None = None
    rpc: str | None = None
    keystore: Path | None = None
    account: int = 0
    as_json: bool = False

    def ledger(self) -> Ledger:
        return open_ledger(self.project, self.rpc)

    def signer(self) -> tuple[Ledger, Sender]:
        return open_signer(self.project, self.rpc, self.keystore, self.account)

    def done(self, data: Any, text: str) -> None:
        done(self.as_json, data, text)


_SHARED = {
    "project": (ProjectOpt, None),
    "rpc": (RpcOpt, None),
    "keystore": (KeystoreOpt, None),
    "account": (AccountOpt, 0),
    "as_json": (JsonOpt, False),
}


def verb(*, signs: bool) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a verb the shared options (`--project`, `--rpc`, `--json`; with `signs`,
    `--keystore` and `--account` too) as one `target: Target` argument."""
    names = [n for n in _SHARED if signs or n not in ("keystore", "account")]

    def wrap(fn: Callable[..., None]) -> Callable[..., None]:
        own = inspect.signature(fn, eval_str=True)
        params = [p for p in own.parameters.values() if p.name != "target"]
        params += [
            inspect.Parameter(
                n, inspect.Parameter.KEYWORD_ONLY, default=_SHARED[n][1], annotation=_SHARED[n][0]
            )
            for n in names
        ]

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> None:
            shared = {n: kwargs.pop(n) for n in names if n in kwargs}
            fn(*args, target=Target(**shared), **kwargs)

        run.__signature__ = own.replace(parameters=params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        return run

    return wrap


def fail(exc: Exception) -> typer.Exit:
    # The message quotes data (a report's fields, a URI from the chain): printed as text,
    # never read as Rich markup.
    err_console.print(
        Text.assemble(("error: ", "bold red"), str(exc)), highlight=False, soft_wrap=True
    )
    return typer.Exit(code=1)


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True))


def done(as_json: bool, data: Any, text: str) -> None:
    """A write verb's outcome: `data` as JSON, or `text` for people."""
    if as_json:
        emit_json(data)
    else:
        console.print(Text(text), highlight=False)


def find_project(project: Path | None) -> Project:
    return Project(project.resolve()) if project else Project.find()


def engine_for(db: str | None, project: Path | None) -> Engine:
    """The index named by `--db` (or $IPLEDGER_INDEX), else the project's own file.
    (SQLAlchemy loads here, when an index is asked for, not with every command.)"""
    from ipledger.index.store import database_url, open_engine

    root = project.resolve() if project else find_project(None).root
    return open_engine(database_url(db, root))


def open_deployed(project: Path | None, rpc: str | None) -> tuple[Ledger, Deployment]:
    """The suite recorded for the node's chain, and its record; never compiles."""
    proj = find_project(project)
    return open_suite(proj, connect(rpc), rpc)


def open_ledger(project: Path | None, rpc: str | None) -> Ledger:
    return open_deployed(project, rpc)[0]


def resolve_sender(w3: Web3, keystore: Path | None, account: int) -> Sender:
    """The keystore's key, else (on a dev chain only) a funded node account."""
    if keystore is not None:
        return KeyAccount(load_keystore(keystore, prompt=password_prompt))
    if w3.eth.chain_id not in DEV_CHAIN_IDS:
        raise KeystoreError(f"chain {w3.eth.chain_id} is not a dev chain: pass --keystore to sign")
    accounts = w3.eth.accounts
    if not 0 <= account < len(accounts):
        raise KeystoreError(f"--account {account}: the node has {len(accounts)} accounts")
    return NodeAccount(accounts[account])


def open_signer(
    project: Path | None, rpc: str | None, keystore: Path | None, account: int
) -> tuple[Ledger, Sender]:
    """The deployed suite and who signs: what every write verb starts from."""
    ledger = open_ledger(project, rpc)
    return ledger, resolve_sender(ledger.w3, keystore, account)


def password_prompt(text: str) -> str:
    if not sys.stdin.isatty():
        raise KeystoreError(f"{text}: no terminal to ask on; set {PASSWORD_ENV}")
    answer: str = typer.prompt(text, hide_input=True)
    return answer


def registered_patent(ledger: Ledger, text: str) -> PatentId:
    """The id of the patent typed as `text`, which must be registered on this chain."""
    pid = parse_patent(text)
    if not ledger.patents.is_registered(pid):
        raise IpledgerError(f"unknown patent {text} (0x{pid.hex()}): not registered on this chain")
    return pid


def _choices(name: str, enum: type[Enum], spell: Callable[[str], str] = str.lower) -> Any:
    """A model enum's members by name, as the command line offers them."""
    return StrEnum(name, {m.name.lower(): spell(m.name) for m in enum})


# Names, not numbers, on the command line; "token-agent" for TOKEN_AGENT_ROLE.
FieldChoice = _choices("FieldChoice", Field)
StatusChoice = _choices("StatusChoice", Status)
RoleChoice = _choices("RoleChoice", Role, lambda n: n.lower().replace("_", "-"))


def evidence_kind(text: str) -> EvidenceKind:
    """An evidence kind as typed: "revenue report" as the tables show it, or
    revenue-report, or revenue_report; any case."""
    key = re.sub(r"[\s_-]+", "_", text.strip()).upper()
    if key not in EvidenceKind.__members__:
        names = ", ".join(m.name.lower().replace("_", "-") for m in EvidenceKind)
        raise typer.BadParameter(f"{text!r} is not an evidence kind (one of: {names})")
    return EvidenceKind[key]


KindOpt = Annotated[
    EvidenceKind,
    typer.Option(
        parser=evidence_kind,
        metavar="KIND",
        help="filing, grant, assignment, licence, revenue-report, valuation, court-order, "
        "other, ...; as the trail shows it (revenue report), in any spelling.",
    ),
]


def when(text: str) -> int:
    """A date as typed (ISO 8601, or unix seconds), as unix seconds."""
    try:
        return timestamp(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def date_option(help_text: str) -> Any:
    """An option taking a date (ISO 8601, or unix seconds), given as unix seconds."""
    return typer.Option(parser=when, metavar="DATE", help=help_text)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """What a verb raises on purpose (or a value it refuses) becomes one line, exit 1."""
    try:
        yield
    except (IpledgerError, ValueError) as exc:
        raise fail(exc) from None
    except (Web3Exception, requests.exceptions.RequestException, OSError) as exc:
        # The node's answer (funds too low, a timeout, gone away), not the verb's fault.
        raise fail(IpledgerError(f"the node refused or did not answer: {exc}")) from None
    except Exception as exc:
        if not _database_error(exc):
            raise
        detail = getattr(exc, "orig", None) or exc  # a damaged index, or its server gone
        raise fail(IpledgerError(f"the index database refused: {detail}")) from None


def _database_error(exc: Exception) -> bool:
    """An error of the index's database (only possible once SQLAlchemy was loaded)."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.SQLAlchemyError)


def patent_token(ledger: Ledger, patent: str) -> RevenueRightsTokenClient:
    """The revenue-rights token of the patent typed as `patent`."""
    pid = registered_patent(ledger, patent)
    address = ledger.patents.token_of(pid)
    if address is None:
        raise IpledgerError(f"patent {patent} has no revenue-rights token")
    return ledger.token(address)


def token_units(text: str, decimals: int = 18) -> int:
    """Base units of an amount typed in the token's own units ("250", "0.5"): ASCII
    digits, at most `decimals` places, exact (integer arithmetic, never rounded)."""
    return positive_units(parse_units(text, decimals), text)


def positive_units(units: int, shown: object) -> int:
    """`units` if it is an amount a contract takes (1 .. 2**256-1); else a ValueError."""
    if not 0 < units < 2**256:
        raise ValueError(f"amount {shown} must be more than 0 and less than 2**256 base units")
    return units


def sha256_file(path: Path) -> bytes:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError as exc:
        raise typer.BadParameter(f"{path}: {exc.strerror}") from None
