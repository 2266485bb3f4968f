"""One busy market indexed once per backend for the report and API tests, which only
read it (a test that changes the index works on its own copy)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.indexing import busy_market, indexer
from tests.support.suite import SessionLedger


@pytest.fixture(scope="module")
def busy_index(
    session_ledger: SessionLedger, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The session chain with `busy_market` on it, indexed into a file; the chain goes
    back to how it was when the module is done."""
    w3 = session_ledger.ledger.w3
    snapshot = w3.testing.snapshot()
    try:
        busy_market(session_ledger)
        db = tmp_path_factory.mktemp("index") / "index.sqlite"
        ix = indexer(session_ledger, db)
        ix.sync()
        ix.engine.dispose()  # WAL checkpointed: the file alone is the whole index
        yield db
    finally:
        w3.testing.revert(snapshot)


@pytest.fixture
def index_copy(busy_index: Path, tmp_path: Path) -> Path:
    """The test's own copy of the busy index."""
    copy = tmp_path / "index.sqlite"
    shutil.copy(busy_index, copy)
    return copy
