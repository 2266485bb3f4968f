"""Shared fixtures: one compile per session, and every chain test on both backends.

`w3` is parametrised over `eth-tester` (embedded) and `anvil` (a real node on a free
port, always terminated). Each backend's chain lives for the session; every test runs
between an `evm_snapshot` and an `evm_revert`, so tests see a clean chain and stay fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from web3 import Web3

from ipledger.artifacts import Artifact
from ipledger.chain import connect
from ipledger.compiler import compile_project
from ipledger.deploy import deploy_suite
from ipledger.ledger import Ledger
from ipledger.node import start_anvil
from ipledger.project import Project
from ipledger.tx import NodeAccount
from ipledger.types import Role

BACKENDS = ("eth-tester", "anvil")


@pytest.fixture(scope="session")
def project() -> Project:
    return Project.find(Path(__file__).parent)


@pytest.fixture(scope="session")
def artifacts(project: Project) -> dict[str, Artifact]:
    return compile_project(project=project).artifacts


@pytest.fixture(scope="session", params=BACKENDS)
def session_w3(request: pytest.FixtureRequest, project: Project) -> Iterator[Web3]:
    if request.param == "eth-tester":
        yield connect(None)
        return
    node = start_anvil(node_modules=project.node_modules)
    try:
        yield connect(node.url)
    finally:
        node.stop()


@pytest.fixture
def w3(session_w3: Web3) -> Iterator[Web3]:
    """The session's chain, reverted to where it was after the test."""
    snapshot = session_w3.testing.snapshot()
    try:
        yield session_w3
    finally:
        session_w3.testing.revert(snapshot)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The state machines first (the longest tests): workers then share out the rest
    around them instead of waiting on one at the end."""
    items.sort(key=lambda item: item.get_closest_marker("stateful") is None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show that chain tests ran on both backends, with their outcomes."""
    counts: dict[str, dict[str, int]] = {b: {} for b in BACKENDS}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") != "call" and outcome == "passed":
                continue
            for backend in BACKENDS:
                if f"[{backend}" in report.nodeid or f"-{backend}]" in report.nodeid:
                    counts[backend][outcome] = counts[backend].get(outcome, 0) + 1
    parts = [
        f"{b}: " + (", ".join(f"{n} {o}" for o, n in sorted(c.items())) or "none")
        for b, c in counts.items()
    ]
    terminalreporter.write_line("chain tests by backend -- " + "; ".join(parts))


# ---- the ledger's contract suite, deployed once per backend ---------------------------

YEAR = 365 * 24 * 3600
HKD = 10**6  # TestHKD has 6 decimals
TOKEN = 10**18  # revenue-rights tokens have 18 decimals


@dataclass(frozen=True)
class Actors:
    admin: NodeAccount  # default admin, registrar, compliance
    agent: NodeAccount  # token agent: pause, freeze, forced transfer
    issuer: NodeAccount  # patent owner, initial holder, revenue depositor
    investors: tuple[NodeAccount, ...]
    outsider: NodeAccount  # holds no role and is not listed


@dataclass(frozen=True)
class SessionLedger:
    ledger: Ledger
    actors: Actors


@pytest.fixture(scope="session")
def session_ledger(session_w3: Web3, artifacts: dict[str, Artifact]) -> SessionLedger:
    accounts = [NodeAccount(a) for a in session_w3.eth.accounts]
    actors = Actors(
        admin=accounts[0],
        agent=accounts[1],
        issuer=accounts[2],
        investors=tuple(accounts[3:7]),
        outsider=accounts[7],
    )
    addresses = deploy_suite(
        w3=session_w3,
        artifacts=artifacts,
        admin=actors.admin,
        operators={
            Role.TOKEN_AGENT: actors.agent.address,
            Role.REVENUE_DEPOSITOR: actors.issuer.address,
        },
    )
    return SessionLedger(
        Ledger.attach(w3=session_w3, artifacts=artifacts, addresses=addresses), actors
    )


@pytest.fixture
def ledger(session_ledger: SessionLedger, w3: Web3) -> Ledger:
    """The deployed suite; `w3` reverts whatever the test does to it."""
    return session_ledger.ledger


@pytest.fixture
def actors(session_ledger: SessionLedger) -> Actors:
    return session_ledger.actors


# ---- hypothesis profiles: quick in `make test`, thorough in `make audit` ----------------

settings.register_profile(
    "default", max_examples=8, stateful_step_count=12, deadline=None, print_blob=True
)
settings.register_profile(
    "audit", max_examples=200, stateful_step_count=12, deadline=None, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
