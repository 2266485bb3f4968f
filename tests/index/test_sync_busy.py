"""The indexer on a busy chain (one market with some of everything, set up once per
backend for this module): all it holds, a resumed run, a half-written range, narrower
ranges, a block read by address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from ipledger.index.sync import Indexer
from ipledger.read.index_check import verify_index
from ipledger.read.indexed import IndexReader
from ipledger.read.registers import owed_by_holder, statement
from tests.index.conftest import Busy
from tests.support.indexing import dump, indexer
from tests.support.suite import HKD, SessionLedger

pytestmark = pytest.mark.chain


def test_index_holds_every_balance_claim_and_head_the_chain_has(
    session_ledger: SessionLedger, busy: Busy, w3: Web3, tmp_path: Path
) -> None:
    m = busy.market
    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    report = ix.sync()
    assert report.to_block == w3.eth.block_number
    assert report.lag == 0
    with IndexReader.open(ix.engine) as reader:
        check = verify_index(reader, session_ledger.ledger)
        token = reader.token_of("0x" + m.patent_id.hex())
        owed = owed_by_holder(reader, token)
    assert check.differences == []
    # Every kind was compared: one token and its supply, balances and claims of 6
    # holders (issuer, 4 investors, the loan book), one patent's head, its
    # valuations, the loan.
    kinds = ("token", "supply", "balance", "claimable", "evidence", "valuation", "loan")
    assert check.checked == dict(zip(kinds, (1, 1, 6, 6, 1, 1, 1), strict=True))
    for holder, amount in owed.items():
        assert m.token.claimable(holder) == amount


def test_statement_adds_up_to_what_the_holder_claimed_and_can_claim(
    session_ledger: SessionLedger, busy: Busy, w3: Web3, tmp_path: Path
) -> None:
    m = busy.market
    claimer = session_ledger.actors.investors[1]
    claimed, _ = m.token.claim(sender=claimer)  # its second claim: Q2's share
    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    ix.sync()
    with IndexReader.open(ix.engine) as reader:
        own = statement(reader, claimer.address)
    assert [line.seq for line in own.lines] == [1, 2]
    assert own.unclaimed == m.token.claimable(claimer.address) == 0
    assert own.claimed == own.entitled
    # Each line is its share of its deposit: 200 of 1M tokens.
    assert [line.entitled for line in own.lines] == [(1_000 * HKD + 7) * 200 // 10**6, claimed]


def test_index_resumes_from_its_last_commit_and_equals_one_uninterrupted_run(
    session_ledger: SessionLedger, busy: Busy, w3: Web3, tmp_path: Path
) -> None:
    start = w3.eth.block_number
    parts = indexer(session_ledger, tmp_path / "parts.sqlite")
    middle = (start + w3.eth.block_number) // 2
    assert parts.sync(until=middle).to_block == middle
    # A fresh process: a new indexer on the same file picks up at middle + 1.
    again = indexer(session_ledger, tmp_path / "parts.sqlite")
    assert again.sync().from_block == middle + 1
    whole = indexer(session_ledger, tmp_path / "whole.sqlite")
    whole.sync()
    assert dump(again.engine) == dump(whole.engine)


def test_a_range_that_fails_half_way_commits_nothing(
    session_ledger: SessionLedger,
    busy: Busy,
    w3: Web3,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    before = dump(ix.engine)

    def crash(*_: Any) -> None:
        raise OSError("killed while writing")

    with monkeypatch.context() as patch:
        patch.setattr(Indexer, "_set_cursor", crash)  # after every row of the range
        with pytest.raises(OSError, match="killed while writing"):
            ix.sync()
    assert dump(ix.engine) == before
    ix.sync()
    whole = indexer(session_ledger, tmp_path / "whole.sqlite")
    whole.sync()
    assert dump(ix.engine) == dump(whole.engine)


def test_a_node_that_refuses_wide_ranges_gets_narrower_ones(
    session_ledger: SessionLedger,
    busy: Busy,
    w3: Web3,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[int] = []
    real = w3.eth.get_logs

    def picky(query: Any) -> Any:
        span = int(query["toBlock"]) - int(query["fromBlock"]) + 1
        asked.append(span)
        if span > 4:
            raise ValueError("query exceeds the maximum block range of 4")
        return real(query)

    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    monkeypatch.setattr(w3.eth, "get_logs", picky)
    ix.sync()
    monkeypatch.undo()
    refused = [s for s in asked if s > 4]
    assert refused
    assert refused[0] == asked[0]  # the first, wide, range was refused
    assert (
        sum(s for s in asked if s <= 4)
        == w3.eth.block_number - session_ledger.deployment.first_block() + 1
    )
    whole = indexer(session_ledger, tmp_path / "whole.sqlite")
    whole.sync()
    assert dump(ix.engine) == dump(whole.engine)


def test_a_block_too_full_to_read_by_topic_is_read_by_address(
    session_ledger: SessionLedger,
    busy: Busy,
    w3: Web3,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A node that refuses even one block asked by topics alone (someone filled it with
    logs of their own) is asked for the followed contracts' logs only."""
    real = w3.eth.get_logs

    def by_address_only(query: Any) -> Any:
        if "address" not in query:
            raise ValueError("query returned more than 10000 results")
        return real(query)

    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    monkeypatch.setattr(w3.eth, "get_logs", by_address_only)
    ix.sync()
    monkeypatch.undo()
    whole = indexer(session_ledger, tmp_path / "whole.sqlite")
    whole.sync()
    assert dump(ix.engine) == dump(whole.engine)
