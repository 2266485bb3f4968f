"""The index on a real PostgreSQL server (started by the tests): the same rows as on
SQLite, the same reports, the same checks, a reorg and a resumed run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from ipledger.index.store import IndexStoreError, open_engine
from ipledger.read.index_check import verify_index
from ipledger.read.indexed import IndexReader
from ipledger.read.registers import register, statement
from ipledger.read.supervision import risk
from tests.support.indexing import busy_market, dump, indexer
from tests.support.postgres import Server, postgres_server
from tests.support.suite import TOKEN, SessionLedger

pytestmark = pytest.mark.chain


@pytest.fixture(scope="session")
def pg() -> Iterator[Server]:
    with postgres_server() as server:
        yield server


@pytest.fixture
def pg_url(pg: Server, request: pytest.FixtureRequest) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:60]
    return pg.create_database(name)


def test_postgres_index_equals_the_sqlite_one_and_the_chain(
    session_ledger: SessionLedger, w3: Web3, tmp_path: Path, pg_url: str
) -> None:
    m = busy_market(session_ledger)
    on_pg = indexer(session_ledger, pg_url)
    on_sqlite = indexer(session_ledger, tmp_path / "index.sqlite")
    assert on_pg.engine.dialect.name == "postgresql"
    on_pg.sync()
    on_sqlite.sync()
    assert dump(on_pg.engine) == dump(on_sqlite.engine)
    pid = "0x" + m.patent_id.hex()
    investor = session_ledger.actors.investors[1].address
    with IndexReader.open(on_pg.engine) as pg_reader, IndexReader.open(on_sqlite.engine) as lite:
        assert verify_index(pg_reader, session_ledger.ledger).differences == []
        assert register(pg_reader, pid) == register(lite, pid)
        assert statement(pg_reader, investor) == statement(lite, investor)
        assert risk(pg_reader) == risk(lite)


def test_postgres_index_resumes_and_rolls_back_a_reorg(
    session_ledger: SessionLedger, w3: Web3, pg_url: str
) -> None:
    m = busy_market(session_ledger)
    actors = session_ledger.actors
    ix = indexer(session_ledger, pg_url)
    snapshot = w3.testing.snapshot()
    m.token.transfer(actors.investors[3].address, 1 * TOKEN, sender=actors.issuer)
    ix.sync()
    w3.testing.revert(snapshot)
    m.token.transfer(actors.investors[3].address, 2 * TOKEN, sender=actors.issuer)
    m.token.transfer(actors.investors[3].address, 3 * TOKEN, sender=actors.issuer)
    # A new process on the same database: it resumes, finds the fork, re-applies.
    again = indexer(session_ledger, pg_url)
    assert again.sync().rolled_back_to is not None
    with IndexReader.open(again.engine) as reader:
        held = reader.balances_at(m.token.address, reader.indexed_block())
        assert verify_index(reader, session_ledger.ledger).differences == []
    assert held[actors.investors[3].address] == 25 * TOKEN  # 20 forced to it, then 2 + 3


def test_an_unreachable_postgres_is_named_without_its_password(tmp_path: Path) -> None:
    with pytest.raises(
        IndexStoreError, match=r"index database postgresql\+psycopg://ix:\*\*\*@127\.0\.0\.1:1/x"
    ):
        open_engine("postgresql+psycopg://ix:secret@127.0.0.1:1/x")
