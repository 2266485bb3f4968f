"""One busy market indexed once per backend, for the modules that only read it (a test
that changes the index works on its own copy; changes to the chain are reverted after
each test as usual)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.indexing import busy_market, indexer
from tests.support.suite import Market, SessionLedger


@dataclass(frozen=True)
class Busy:
    market: Market
    db: Path  # its index (copy it before changing it)


@pytest.fixture(scope="module")
def busy(session_ledger: SessionLedger, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Busy]:
    """The session chain with `busy_market` on it, indexed into a file. The chain goes
    back to how it was when the module is done; until then the market's patent is
    registered, so a module using this uses it in every test."""
    w3 = session_ledger.ledger.w3
    snapshot = w3.testing.snapshot()
    try:
        market = busy_market(session_ledger)
        db = tmp_path_factory.mktemp("index") / "index.sqlite"
        ix = indexer(session_ledger, db)
        ix.sync()
        ix.engine.dispose()  # WAL checkpointed: the file alone is the whole index
        yield Busy(market, db)
    finally:
        w3.testing.revert(snapshot)


@pytest.fixture
def index_copy(busy: Busy, tmp_path: Path) -> Path:
    """The test's own copy of the busy index."""
    copy = tmp_path / "index.sqlite"
    shutil.copy(busy.db, copy)
    return copy
