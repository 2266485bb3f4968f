"""Shared fixtures: one compile per session, and every chain test on both backends.

`w3` is parametrised over `eth-tester` (embedded) and `anvil` (a real node on a free
port, always terminated). Each backend's chain lives for the session; every test runs
between an `evm_snapshot` and an `evm_revert`, so tests see a clean chain and stay fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from web3 import Web3

from ipledger.chain.connect import connect
from ipledger.chain.node import start_anvil
from ipledger.clients.ledger import Ledger
from ipledger.deploy.records import deployment_path, save_deployment
from ipledger.project import Project
from ipledger.toolchain.artifacts import Artifact
from ipledger.toolchain.compiler import compile_project
from tests.support.cli import Cli
from tests.support.collected import COLLECTED
from tests.support.project import scratch_project
from tests.support.suite import Actors, SessionLedger, deploy_session_suite

BACKENDS = ("eth-tester", "anvil")


@pytest.fixture(scope="session")
def project() -> Project:
    """The checkout under test; `make mutation` runs the tests from a copy (mutants/)
    and names the real checkout in $IPLEDGER_PROJECT."""
    root = os.environ.get("IPLEDGER_PROJECT")
    return Project(Path(root)) if root else Project.find(Path(__file__).parent)


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The state machines first (the longest tests), one backend's pair per worker
    (`--dist loadgroup`): without the groups, xdist hands all four to the first worker
    in its first chunk and the other worker idles for two minutes at the end. What was
    collected is kept for test_security_doc (each xdist worker collects every test)."""
    config.stash[COLLECTED] = {item.nodeid.split("[", 1)[0] for item in items}
    for item in items:
        if item.get_closest_marker("stateful") is not None:
            backend = "anvil" if "[anvil" in item.nodeid else "eth-tester"
            item.add_marker(pytest.mark.xdist_group(f"stateful-{backend}"))
    # Then the other long ones: one of them last would leave the other worker idle.
    items.sort(
        key=lambda item: (
            item.get_closest_marker("stateful") is None,
            item.get_closest_marker("slow") is None,
        )
    )


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


@pytest.fixture(scope="session")
def session_ledger(session_w3: Web3, artifacts: dict[str, Artifact]) -> SessionLedger:
    return deploy_session_suite(session_w3, artifacts)


@pytest.fixture
def ledger(session_ledger: SessionLedger, w3: Web3) -> Ledger:
    """The deployed suite; `w3` reverts whatever the test does to it."""
    return session_ledger.ledger


@pytest.fixture
def actors(session_ledger: SessionLedger) -> Actors:
    return session_ledger.actors


@pytest.fixture
def cli(
    session_ledger: SessionLedger,
    ledger: Ledger,
    project: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    """`ipledger` in this process, on the test's chain and session suite (reverted after)."""
    scratch = scratch_project(project, tmp_path / "project")
    path = deployment_path(scratch.deployments_dir, ledger.w3.eth.chain_id)
    save_deployment(path, session_ledger.deployment)
    monkeypatch.setattr("ipledger.cli.common.connect", lambda rpc: ledger.w3)
    return Cli(scratch, ledger)


# ---- hypothesis profiles: quick in `make test`, thorough in `make audit` ----------------

settings.register_profile(
    "default", max_examples=8, stateful_step_count=12, deadline=None, print_blob=True
)
settings.register_profile(
    "audit", max_examples=200, stateful_step_count=12, deadline=None, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
