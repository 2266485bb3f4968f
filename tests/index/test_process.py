"""`ipledger index` as its own process against anvil (a node outside the test, as in
production): killed with SIGKILL at random points and restarted, it ends equal to one
uninterrupted run; `--watch` follows a reorg (`anvil_reorg`) back to the fork and on.

The embedded chain lives inside the test process, so these run on anvil; the same
guarantees on both backends are tested in-process in test_sync.py."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from ipledger.chain.connect import connect
from ipledger.chain.node import start_anvil
from ipledger.deploy.records import deployment_path, save_deployment
from ipledger.index.store import database_url, open_engine
from ipledger.project import Project
from ipledger.read.index_check import verify_index
from ipledger.read.indexed import IndexReader
from ipledger.toolchain.compiler import compile_project
from tests.support.indexing import dump, indexer
from tests.support.project import scratch_project
from tests.support.suite import TOKEN, Market, SessionLedger, deploy_session_suite, open_market


@dataclass
class Node:
    session: SessionLedger
    market: Market
    url: str
    project: Path

    def command(self, db: Path, *args: str) -> list[str]:
        return [
            sys.executable, "-m", "ipledger", "index", "--db", str(db),
            "--project", str(self.project), "--rpc", self.url, *args,
        ]  # fmt: skip


@pytest.fixture
def node(project: Project, tmp_path: Path) -> Iterator[Node]:
    scratch = scratch_project(project, tmp_path / "project")
    artifacts = compile_project(project=project).artifacts
    with start_anvil(node_modules=project.node_modules) as anvil:
        w3 = connect(anvil.url)
        session = deploy_session_suite(w3, artifacts)
        save_deployment(
            deployment_path(scratch.deployments_dir, w3.eth.chain_id), session.deployment
        )
        market = open_market(session.ledger, session.actors)
        yield Node(session, market, anvil.url, scratch.root)


def _cursor(db: Path) -> int:
    """The index's committed block (-1 before its first commit), read as an outsider
    would while the indexer writes."""
    if not db.exists():
        return -1
    with closing(sqlite3.connect(db)) as conn:
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'cursor'").fetchone()
        except sqlite3.OperationalError:  # no tables yet
            return -1
    return -1 if row is None else int(json.loads(row[0])["block"])


def _committed_since(db: Path, before: int, process: subprocess.Popen[bytes]) -> bool:
    return _cursor(db) > before or process.poll() is not None


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.slow
def test_killed_at_random_points_then_restarted_equals_one_run(node: Node, tmp_path: Path) -> None:
    actors = node.session.actors
    for i in range(120):
        node.market.token.transfer(actors.investors[i % 4].address, TOKEN, sender=actors.issuer)
    db = tmp_path / "killed.sqlite"
    command = node.command(db, "--max-range", "1")  # ~120 committed ranges
    chance = random.Random(20261127)
    kills, cursors = 0, [-1]
    for _ in range(4):
        before = _cursor(db)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Once it is committing ranges, at a random moment among them.
        started = partial(_committed_since, db, before, process)
        _wait_for(started, "a commit")
        time.sleep(chance.uniform(0.0, 0.3))
        if process.poll() is None:
            process.kill()  # SIGKILL, wherever it is
            kills += 1
        process.wait(timeout=30)
        cursors.append(_cursor(db))
    finished = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert kills >= 2
    assert cursors == sorted(cursors)  # never back: each range committed whole
    whole = indexer(node.session, tmp_path / "whole.sqlite")
    whole.sync()
    killed = open_engine(database_url(str(db), tmp_path))
    assert dump(killed) == dump(whole.engine)


def test_watch_follows_a_reorg_back_to_the_fork(node: Node, tmp_path: Path) -> None:
    actors, token = node.session.actors, node.market.token
    w3 = node.session.ledger.w3
    db = tmp_path / "watched.sqlite"
    process = subprocess.Popen(
        node.command(db, "--watch", "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for n in (1, 2, 3):
            token.transfer(actors.investors[0].address, n * TOKEN, sender=actors.issuer)
        head = w3.eth.block_number
        _wait_for(lambda: _cursor(db) == head, "the watch to reach the head")
        # The last two blocks are replaced by empty ones; one more transfer follows.
        w3.provider.make_request("anvil_reorg", [2, []])  # type: ignore[arg-type]
        token.transfer(actors.investors[1].address, 7 * TOKEN, sender=actors.issuer)
        head = w3.eth.block_number
        _wait_for(lambda: _cursor(db) == head, "the watch to follow the new branch")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert json.loads(out)["toBlock"] == head
    engine = open_engine(database_url(str(db), tmp_path))
    with IndexReader.open(engine) as reader:
        held = reader.balances_at(token.address, head)
        assert verify_index(reader, node.session.ledger).differences == []
    assert held[actors.investors[0].address] == 1 * TOKEN  # the 2 and the 3 were reorged away
    assert held[actors.investors[1].address] == 7 * TOKEN
    whole = indexer(node.session, tmp_path / "whole.sqlite")
    whole.sync()
    assert dump(engine) == dump(whole.engine)
