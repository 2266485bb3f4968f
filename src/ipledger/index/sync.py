"""The indexer: the suite's events into SQL, range by range, each range committed with
the cursor in one transaction.

Killed at any moment it resumes at the last committed block, so no event is applied
twice or missed. Before each pass it compares the hash of the last committed block with
the chain's; on a mismatch (a reorg, or a node reset) it walks back over the blocks it
stored to the highest one the chain still has, deletes everything above it and applies
again from there. It follows the head `confirmations` blocks behind.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from eth_utils.address import to_checksum_address
from sqlalchemy import Connection, Engine, delete, desc, select
from sqlalchemy.exc import SQLAlchemyError
from web3 import Web3
from web3.exceptions import BlockNotFound, Web3Exception
from web3.types import LogReceipt

from ipledger.errors import IpledgerError
from ipledger.index.events import EventCodec, suite_contracts
from ipledger.index.rows import RowBuilder, write
from ipledger.index.schema import ROLLED_BACK, blocks, meta
from ipledger.index.store import Binding, bind, put_meta
from ipledger.models import SuiteAddresses
from ipledger.toolchain.artifacts import Artifact

ADDRESSES_PER_QUERY = 500  # when a node refuses even one block by topics alone
FIRST_SPAN = 2_000  # blocks per getLogs to start with; halved when a node refuses
MAX_SPAN = 50_000


class IndexSyncError(IpledgerError):
    """The node would not give the logs the index needs, or the database refused them."""


class _RetryError(Exception):
    """The range must be asked again: the chain moved under it, or so did the cursor."""


@dataclass
class SyncReport:
    """What one pass did."""

    from_block: int
    to_block: int  # the last block now committed
    head: int  # the chain's head when the pass began
    events: int = 0
    ranges: int = 0
    rolled_back_to: int | None = None  # the fork point, when a reorg was undone

    @property
    def lag(self) -> int:
        return max(self.head - self.to_block, 0)

    def as_json(self) -> dict[str, Any]:
        return {
            "fromBlock": self.from_block,
            "toBlock": self.to_block,
            "head": self.head,
            "lag": self.lag,
            "events": self.events,
            "ranges": self.ranges,
            "rolledBackTo": self.rolled_back_to,
        }


@dataclass(frozen=True)
class Cursor:
    """The last committed block, its hash and time (before the first: no hash)."""

    block: int
    hash: str | None
    timestamp: int | None = None


class Indexer:
    """Follows one suite on one chain into the index at `engine`."""

    def __init__(
        self,
        *,
        w3: Web3,
        engine: Engine,
        artifacts: Mapping[str, Artifact],
        addresses: SuiteAddresses,
        chain_id: int,
        first_block: int,
        confirmations: int = 0,
        max_span: int = MAX_SPAN,
    ) -> None:
        self.w3 = w3
        self.engine = engine
        self.codec = EventCodec(w3, artifacts)
        self.topics = self.codec.topics()
        self.first_block = first_block
        self.confirmations = confirmations
        self.max_span = max_span
        self.span = min(FIRST_SPAN, max_span)
        registry = to_checksum_address(addresses.patent_registry)
        self.binding = Binding(chain_id=chain_id, patent_registry=registry, first_block=first_block)
        self.builder = RowBuilder(self.codec, suite_contracts(addresses), registry)
        self._registry = registry
        with engine.begin() as conn:
            bind(conn, self.binding)
            # Readers (reports, the API) need the suite's addresses without a node.
            put_meta(conn, "suite", addresses.model_dump_json(by_alias=True))
            self.builder.load(conn)
            self._committed: Cursor | None = self.cursor(conn)

    # ---- the cursor ------------------------------------------------------------------

    def cursor(self, conn: Connection, *, lock: bool = False) -> Cursor:
        query = select(meta.c.value).where(meta.c.key == "cursor")
        stored = conn.execute(query.with_for_update() if lock else query).scalar()
        if stored is None:
            return Cursor(self.first_block - 1, None)
        data = json.loads(stored)
        return Cursor(int(data["block"]), data["hash"], data.get("timestamp"))

    def _set_cursor(self, conn: Connection, cursor: Cursor) -> None:
        put_meta(conn, "cursor", json.dumps(cursor.__dict__))

    def _read_cursor(self) -> Cursor:
        with self.engine.connect() as conn:
            return self.cursor(conn)

    # ---- passes ----------------------------------------------------------------------

    def sync(self, *, until: int | None = None) -> SyncReport:
        """Applies every confirmed block not yet applied (up to `until` if given)."""
        head = self._node(lambda: self.w3.eth.block_number, "the head block")
        target = head - self.confirmations
        target = target if until is None else min(until, target)
        report = SyncReport(from_block=0, to_block=0, head=head)
        report.rolled_back_to = self._rewind()
        cursor = self._read_cursor()
        if cursor != self._committed:  # another indexer wrote since: its balances are news
            self._forget()
        report.from_block, report.to_block = cursor.block + 1, cursor.block
        while cursor.block < target:
            end = min(cursor.block + self.span, target)
            try:
                if cursor.hash is not None and self._hash_at(cursor.block) != cursor.hash:
                    report.rolled_back_to = self._rewind()  # the chain moved below the range
                    raise _RetryError
                fetched = self._fetch(cursor.block + 1, end)
                if fetched is None:  # refused: the span was halved, ask again
                    continue
                report.events += self._apply(cursor, *fetched)
            except _RetryError:
                cursor = self._read_cursor()
                continue
            cursor = self._committed = fetched[1]
            report.ranges += 1
            report.to_block = cursor.block
            self.span = min(self.span * 2, self.max_span)
        return report

    def watch(self, *, poll: float = 0.5, stop: Callable[[], bool] = lambda: False,
              on_pass: Callable[[SyncReport], None] = lambda _r: None) -> None:  # fmt: skip
        """Follows the head until `stop()` says so."""
        while not stop():
            on_pass(self.sync())
            time.sleep(poll)

    # ---- reorgs ----------------------------------------------------------------------

    def _rewind(self) -> int | None:
        """Undoes what the chain no longer has; the fork point, or None if nothing was."""
        cursor = self._read_cursor()
        if cursor.hash is None or self._hash_at(cursor.block) == cursor.hash:
            return None
        try:
            with self.engine.begin() as conn:
                stored = conn.execute(
                    select(blocks.c.block_number, blocks.c.block_hash, blocks.c.timestamp)
                    .where(blocks.c.block_number <= cursor.block)
                    .order_by(desc(blocks.c.block_number))
                )
                fork = Cursor(self.first_block - 1, None)
                for n, h, t in stored:
                    if self._hash_at(n) == h:
                        fork = Cursor(n, h, t)
                        break
                for table in ROLLED_BACK:
                    conn.execute(delete(table).where(table.c.block_number > fork.block))
                self._set_cursor(conn, fork)
        except SQLAlchemyError as exc:
            raise IndexSyncError(f"the index database refused the rollback: {exc}") from None
        finally:
            with self.engine.connect() as conn:
                self.builder.load(conn)
        return fork.block

    def _hash_at(self, number: int) -> str | None:
        try:
            block = self._block(number)
        except IndexSyncError as exc:
            if isinstance(exc.__cause__, BlockNotFound):
                return None
            raise
        return "0x" + bytes(block["hash"]).hex()

    # ---- one range -------------------------------------------------------------------

    def _fetch(self, start: int, end: int) -> tuple[list[LogReceipt], Cursor] | None:
        """The range's logs and its last block, all of one branch of the chain: the last
        block is read before and after the logs, and every log must agree with it.
        None when the node refused the range (the span is halved)."""
        last = self._block(end)
        end_hash = "0x" + bytes(last["hash"]).hex()
        logs = self._logs(start, end)
        if logs is None:
            return None
        if self._hash_at(end) != end_hash:
            raise _RetryError  # a reorg while the logs were read
        kept = []
        for log in logs:
            if log.get("removed") or not start <= int(log["blockNumber"]) <= end:
                continue  # a node's stale or stray answer
            if int(log["blockNumber"]) == end and "0x" + bytes(log["blockHash"]).hex() != end_hash:
                raise _RetryError
            kept.append(log)
        kept.sort(key=lambda x: (x["blockNumber"], x["logIndex"]))
        return kept, Cursor(end, end_hash, int(last["timestamp"]))

    def _logs(self, start: int, end: int) -> list[LogReceipt] | None:
        query: Any = {"fromBlock": start, "toBlock": end, "topics": [self.topics]}
        try:
            return list(self.w3.eth.get_logs(query))
        except (requests.ConnectionError, ConnectionError) as exc:
            raise IndexSyncError(
                f"the node did not answer getLogs({start}..{end}): {exc}"
            ) from None
        except (Web3Exception, ValueError, requests.RequestException) as exc:
            if end > start:
                self.span = max((end - start + 1) // 2, 1)
                return None
            try:  # one block with more logs than the node will give: ask by address
                return self._logs_by_address(start)
            except (Web3Exception, ValueError, requests.RequestException):
                raise IndexSyncError(f"the node refused getLogs for block {start}: {exc}") from None

    def _logs_by_address(self, block: int) -> list[LogReceipt]:
        """One block's logs of the followed contracts only (tokens made in it first)."""
        tokenized = "0x" + self.codec.topic_of("PatentRegistry", "PatentTokenized").hex()
        query: Any = {
            "fromBlock": block,
            "toBlock": block,
            "address": self._registry,
            "topics": [tokenized],
        }
        made = self.w3.eth.get_logs(query)
        self.builder.discover_tokens(list(made))
        followed = sorted(self.builder.contracts)
        found: list[LogReceipt] = []
        for i in range(0, len(followed), ADDRESSES_PER_QUERY):
            chunk: Any = followed[i : i + ADDRESSES_PER_QUERY]
            found += self.w3.eth.get_logs(
                {"fromBlock": block, "toBlock": block, "address": chunk, "topics": [self.topics]}
            )
        return found

    def _apply(self, cursor: Cursor, logs: list[LogReceipt], end: Cursor) -> int:
        """Writes the range and moves the cursor to `end`, in one transaction, if the
        cursor is still where this indexer left it (another indexer may share the index)."""
        try:
            self.builder.discover_tokens(logs)
            with self.engine.begin() as conn:
                if self.cursor(conn, lock=True) != cursor:
                    raise _RetryError
                rows = self.builder.rows(conn, logs)
                write(conn, rows, self._block_time)
                self._set_cursor(conn, end)
        except _RetryError:
            self._forget()  # another indexer moved the cursor: what it wrote is news here
            raise
        except SQLAlchemyError as exc:
            self._forget()
            raise IndexSyncError(
                f"the index database refused blocks {cursor.block + 1}..{end.block}: {exc}"
            ) from None
        except BaseException:
            self._forget()
            raise
        return len(rows.events)

    def _forget(self) -> None:
        """Nothing of the range was committed: forget what it taught the caches."""
        with self.engine.connect() as conn:
            self.builder.load(conn)

    def _block_time(self, number: int) -> int:
        return int(self._block(number)["timestamp"])

    def _block(self, number: int) -> Any:
        return self._node(lambda: self.w3.eth.get_block(number), f"block {number}")

    def _node(self, ask: Callable[[], Any], what: str) -> Any:
        try:
            return ask()
        except (Web3Exception, requests.RequestException, ConnectionError) as exc:
            raise IndexSyncError(f"the node did not give {what}: {exc}") from exc
