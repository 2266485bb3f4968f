"""The indexer on both backends: every event and balance, resumable, reorg-safe, and
patient with a node that refuses wide ranges."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_utils.crypto import keccak
from sqlalchemy import select
from web3 import Web3

from ipledger.index.schema import events, meta
from ipledger.index.store import IndexMismatchError
from ipledger.index.sync import IndexSyncError
from ipledger.read.index_check import verify_index
from ipledger.read.indexed import IndexReader
from ipledger.read.registers import owed_by_holder, statement
from tests.support.indexing import dump, indexer
from tests.support.suite import TOKEN, SessionLedger, open_market

pytestmark = pytest.mark.chain


def test_reorg_rolls_back_to_the_fork_and_applies_the_new_branch(
    session_ledger: SessionLedger, w3: Web3, tmp_path: Path
) -> None:
    m = open_market(session_ledger.ledger, session_ledger.actors)
    actors = session_ledger.actors
    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    fork = w3.eth.block_number
    snapshot = w3.testing.snapshot()
    m.token.transfer(actors.investors[0].address, 5 * TOKEN, sender=actors.issuer)
    m.token.transfer(actors.investors[1].address, 6 * TOKEN, sender=actors.issuer)
    ix.sync()
    # The branch the index followed is dropped; another, longer one replaces it.
    w3.testing.revert(snapshot)
    for n in (7, 8, 9):
        m.token.transfer(actors.investors[2].address, n * TOKEN, sender=actors.issuer)
    report = ix.sync()
    # Back to the last block it stored at or below the fork (the market's last event).
    assert report.rolled_back_to is not None
    assert fork - 3 <= report.rolled_back_to <= fork
    with IndexReader.open(ix.engine) as reader:
        held = reader.balances_at(m.token.address, reader.indexed_block())
        assert verify_index(reader, session_ledger.ledger).differences == []
    assert actors.investors[0].address not in held
    assert held[actors.investors[2].address] == 24 * TOKEN
    whole = indexer(session_ledger, tmp_path / "whole.sqlite")
    whole.sync()
    assert dump(ix.engine) == dump(whole.engine)


def test_a_node_that_refuses_even_one_block_is_named(
    session_ledger: SessionLedger, w3: Web3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ix = indexer(session_ledger, tmp_path / "index.sqlite")

    def refuses(query: Any) -> Any:
        raise ValueError("logs are disabled on this node")

    monkeypatch.setattr(w3.eth, "get_logs", refuses)
    with pytest.raises(IndexSyncError, match=r"refused getLogs for block \d+: logs are disabled"):
        ix.sync()


def test_confirmations_keep_the_index_behind_the_head(
    session_ledger: SessionLedger, w3: Web3, tmp_path: Path
) -> None:
    open_market(session_ledger.ledger, session_ledger.actors)
    report = indexer(session_ledger, tmp_path / "index.sqlite", confirmations=3).sync()
    assert report.to_block == w3.eth.block_number - 3
    assert report.lag == 3


def test_an_index_of_another_suite_is_refused(
    session_ledger: SessionLedger, w3: Web3, tmp_path: Path
) -> None:
    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    ix.sync()
    with ix.engine.begin() as conn:
        binding = json.loads(
            conn.execute(select(meta.c.value).where(meta.c.key == "binding")).scalar_one()
        )
        binding["chain_id"] = 1
        conn.execute(meta.update().where(meta.c.key == "binding").values(value=json.dumps(binding)))
    with pytest.raises(
        IndexMismatchError, match=r"follows the suite at 0x[0-9a-fA-F]{40} on chain 1, not"
    ):
        indexer(session_ledger, tmp_path / "index.sqlite")


def test_only_the_suites_own_contracts_are_indexed(
    session_ledger: SessionLedger, w3: Web3, tmp_path: Path
) -> None:
    m = open_market(session_ledger.ledger, session_ledger.actors)
    # The payment token (TestHKD) moves too, but is not the suite's: no row of it.
    m.payment._send(
        "transfer", session_ledger.actors.outsider.address, 5, sender=session_ledger.actors.issuer
    )
    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    ix.sync()
    with ix.engine.connect() as conn:
        addresses = {r[0] for r in conn.execute(select(events.c.address).distinct())}
    assert m.payment.address not in addresses
    assert m.token.address in addresses


def test_claims_after_an_account_recovery_match_the_chain_to_the_unit(
    session_ledger: SessionLedger, w3: Web3, tmp_path: Path
) -> None:
    m = open_market(session_ledger.ledger, session_ledger.actors)
    actors = session_ledger.actors
    lost, new, other = actors.investors[0], actors.investors[1], actors.investors[2]
    # Odd holdings and odd deposits leave fractions of a unit on both sides.
    m.token.transfer(lost.address, 333_333 * TOKEN // 1000, sender=actors.issuer)
    m.token.transfer(new.address, 7 * TOKEN + 1, sender=actors.issuer)
    m.token.deposit_revenue(1_000_003, keccak(text="Q1"), sender=actors.issuer)
    m.token.claim(sender=new)
    m.token.deposit_revenue(2_000_007, keccak(text="Q2"), sender=actors.issuer)
    m.token.recover_account(
        lost.address, new.address, evidence_hash=keccak(text="court order"), sender=actors.agent
    )
    m.token.transfer(other.address, TOKEN, sender=new)
    m.token.deposit_revenue(999_999, keccak(text="Q3"), sender=actors.issuer)
    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    ix.sync()
    with IndexReader.open(ix.engine) as reader:
        owed = owed_by_holder(reader, reader.token_of("0x" + m.patent_id.hex()))
        assert verify_index(reader, session_ledger.ledger).differences == []
        lost_statement = statement(reader, lost.address)
        new_statement = statement(reader, new.address)
    assert owed[lost.address] == m.token.claimable(lost.address) == 0
    assert owed[new.address] == m.token.claimable(new.address) > 0
    # Statements: what each can claim now, and what the recovery moved.
    assert lost_statement.unclaimed == 0
    assert lost_statement.recovered_out == new_statement.recovered_in > 0
    assert new_statement.unclaimed == m.token.claimable(new.address)


def test_a_transfer_to_oneself_changes_nothing_and_stops_nothing(
    session_ledger: SessionLedger, w3: Web3, tmp_path: Path
) -> None:
    m = open_market(session_ledger.ledger, session_ledger.actors)
    investor = session_ledger.actors.investors[0]
    m.token.transfer(investor.address, 5 * TOKEN, sender=session_ledger.actors.issuer)
    m.token.transfer(investor.address, 2 * TOKEN, sender=investor)
    m.token.transfer(investor.address, 0, sender=investor)
    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    ix.sync()
    m.token.transfer(session_ledger.actors.investors[1].address, TOKEN, sender=investor)
    assert ix.sync().events == 1  # the index goes on
    with IndexReader.open(ix.engine) as reader:
        assert (
            reader.balances_at(m.token.address, reader.indexed_block())[investor.address]
            == 4 * TOKEN
        )
        assert verify_index(reader, session_ledger.ledger).differences == []


def test_a_reorg_while_a_range_is_read_is_not_written(
    session_ledger: SessionLedger, w3: Web3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The logs come from one branch; before the range's last block is read again the
    chain switches to another: nothing of the first branch reaches the index."""
    m = open_market(session_ledger.ledger, session_ledger.actors)
    actors = session_ledger.actors
    snapshot = w3.testing.snapshot()
    m.token.transfer(actors.investors[0].address, 5 * TOKEN, sender=actors.issuer)
    real = w3.eth.get_logs
    switched: list[bool] = []

    def then_reorg(query: Any) -> Any:
        logs = real(query)
        if not switched:
            switched.append(True)
            w3.testing.revert(snapshot)
            for n in (7, 8):
                m.token.transfer(actors.investors[1].address, n * TOKEN, sender=actors.issuer)
        return logs

    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    monkeypatch.setattr(w3.eth, "get_logs", then_reorg)
    ix.sync()
    monkeypatch.undo()
    ix.sync()  # the new branch is a block longer than the head the first pass began at
    with IndexReader.open(ix.engine) as reader:
        held = reader.balances_at(m.token.address, reader.indexed_block())
        assert verify_index(reader, session_ledger.ledger).differences == []
    assert actors.investors[0].address not in held
    assert held[actors.investors[1].address] == 15 * TOKEN


def test_two_indexers_on_one_index_never_write_over_each_other(
    session_ledger: SessionLedger, w3: Web3, tmp_path: Path
) -> None:
    m = open_market(session_ledger.ledger, session_ledger.actors)
    actors = session_ledger.actors
    watcher, one_off = (indexer(session_ledger, tmp_path / "shared.sqlite") for _ in range(2))
    m.token.transfer(actors.investors[0].address, TOKEN, sender=actors.issuer)
    watcher.sync()
    m.token.transfer(actors.investors[0].address, TOKEN, sender=actors.issuer)
    one_off.sync()
    m.token.transfer(actors.investors[0].address, TOKEN, sender=actors.issuer)
    watcher.sync()  # its cache knew 1 token; the index had moved on to 2
    with IndexReader.open(watcher.engine) as reader:
        assert (
            reader.balances_at(m.token.address, reader.indexed_block())[actors.investors[0].address]
            == 3 * TOKEN
        )
        assert verify_index(reader, session_ledger.ledger).differences == []
