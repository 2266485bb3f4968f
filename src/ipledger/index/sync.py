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
from dataclasses import dataclass, field
from typing import Any

import requests
from eth_utils.address import to_checksum_address
from sqlalchemy import Connection, Engine, delete, desc, insert, select
from web3 import Web3
from web3.exceptions import BlockNotFound, Web3Exception
from web3.types import LogReceipt

from ipledger.errors import IpledgerError
from ipledger.index.events import TOKEN, Decoded, EventCodec, suite_contracts
from ipledger.index.schema import ROLLED_BACK, balances, blocks, events, tokens
from ipledger.index.store import Binding, bind, get_meta, put_meta
from ipledger.models import SuiteAddresses
from ipledger.toolchain.artifacts import Artifact

ZERO = "0x0000000000000000000000000000000000000000"
FIRST_SPAN = 2_000  # blocks per getLogs to start with; halved when a node refuses
MAX_SPAN = 50_000


class IndexSyncError(IpledgerError):
    """The node would not give the logs the index needs."""


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


@dataclass
class _Range:
    """One range's rows, written in one transaction."""

    events: list[dict[str, Any]] = field(default_factory=list)
    balances: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[dict[str, Any]] = field(default_factory=list)
    blocks: dict[int, tuple[str, int | None]] = field(default_factory=dict)


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
        self.binding = Binding(
            chain_id=chain_id,
            patent_registry=to_checksum_address(addresses.patent_registry),
            first_block=first_block,
        )
        self._suite = suite_contracts(addresses)
        self._registry = to_checksum_address(addresses.patent_registry)
        self._tokenized = self.codec.topic_of("PatentRegistry", "PatentTokenized")
        with engine.begin() as conn:
            bind(conn, self.binding)
            # Readers (reports, the API) need the suite's addresses without a node.
            put_meta(conn, "suite", addresses.model_dump_json(by_alias=True))
            self._load_contracts(conn)

    # ---- the cursor ------------------------------------------------------------------

    def cursor(self, conn: Connection) -> tuple[int, str | None]:
        """The last committed block and its hash (before the suite's first: no hash)."""
        stored = get_meta(conn, "cursor")
        if stored is None:
            return self.first_block - 1, None
        data = json.loads(stored)
        return int(data["block"]), data["hash"]

    def _set_cursor(self, conn: Connection, number: int, block_hash: str | None) -> None:
        put_meta(conn, "cursor", json.dumps({"block": number, "hash": block_hash}))

    # ---- passes ----------------------------------------------------------------------

    def sync(self, *, until: int | None = None) -> SyncReport:
        """Applies every confirmed block not yet applied (up to `until` if given)."""
        head = self._node(lambda: self.w3.eth.block_number, "the head block")
        rolled_back = self._rewind()
        with self.engine.connect() as conn:
            start = self.cursor(conn)[0] + 1
        target = head - self.confirmations if until is None else min(until, head)
        report = SyncReport(from_block=start, to_block=start - 1, head=head)
        report.rolled_back_to = rolled_back
        while start <= target:
            end = min(start + self.span - 1, target)
            logs = self._logs(start, end)
            if logs is None:  # refused: the span was halved, try again
                continue
            report.events += self._apply(logs, end)
            report.ranges += 1
            report.to_block = end
            start = end + 1
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
        with self.engine.connect() as conn:
            number, block_hash = self.cursor(conn)
        if block_hash is None or self._hash_at(number) == block_hash:
            return None
        with self.engine.begin() as conn:
            stored = conn.execute(
                select(blocks.c.block_number, blocks.c.block_hash).order_by(
                    desc(blocks.c.block_number)
                )
            )
            fork, fork_hash = self.first_block - 1, None
            for n, h in stored:
                if self._hash_at(n) == h:
                    fork, fork_hash = n, h
                    break
            for table in ROLLED_BACK:
                conn.execute(delete(table).where(table.c.block_number > fork))
            self._set_cursor(conn, fork, fork_hash)
            self._load_contracts(conn)
        return fork

    def _hash_at(self, number: int) -> str | None:
        try:
            block = self._node(lambda: self.w3.eth.get_block(number), f"block {number}")
        except IndexSyncError as exc:
            if isinstance(exc.__cause__, BlockNotFound):
                return None
            raise
        return "0x" + bytes(block["hash"]).hex()

    # ---- one range -------------------------------------------------------------------

    def _logs(self, start: int, end: int) -> list[LogReceipt] | None:
        """The range's logs, or None when the node refused the range (the span is halved)."""
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
            raise IndexSyncError(f"the node refused getLogs for block {start}: {exc}") from None

    def _apply(self, logs: list[LogReceipt], end: int) -> int:
        end_block = self._node(lambda: self.w3.eth.get_block(end), f"block {end}")
        rows = _Range()
        try:
            ordered = sorted(logs, key=lambda x: (x["blockNumber"], x["logIndex"]))
            self._discover_tokens(ordered)
            with self.engine.begin() as conn:
                for log in ordered:
                    decoded = self._decode(log)
                    if decoded is not None:
                        self._collect(conn, decoded, rows)
                end_hash = "0x" + bytes(end_block["hash"]).hex()
                self._write(conn, rows)
                self._set_cursor(conn, end, end_hash)
        except BaseException:
            # Nothing of the range was committed: forget what it taught the caches.
            with self.engine.connect() as conn:
                self._load_contracts(conn)
            raise
        return len(rows.events)

    def _discover_tokens(self, logs: list[LogReceipt]) -> None:
        """Tokens made in the range, followed from the start of it: a token's mint is
        logged before the registry's PatentTokenized, in the same transaction."""
        for log in logs:
            topics = log["topics"]
            if not topics or bytes(topics[0]) != self._tokenized:
                continue
            if self.codec.checksum(str(log["address"])) != self._registry:
                continue
            d = self.codec.decode(log, "PatentRegistry")
            if d is not None:
                self.contracts[d.args["token"]] = TOKEN
                self._token_patent[d.args["token"]] = d.args["patentId"]

    def _decode(self, log: LogReceipt) -> Decoded | None:
        contract = self.contracts.get(self.codec.checksum(str(log["address"])))
        return None if contract is None else self.codec.decode(log, contract)

    def _collect(self, conn: Connection, d: Decoded, rows: _Range) -> None:
        patent = d.patent_id
        if d.contract == TOKEN:
            patent = self._token_patent[d.address]
            if d.event == "Transfer":
                self._move(conn, d, rows)
        elif d.event == "PatentTokenized":
            token = d.args["token"]
            rows.tokens.append(
                {
                    "address": token,
                    "patent_id": d.args["patentId"],
                    "supply": d.args["supply"],
                    "payment_token": d.args["paymentToken"],
                    "block_number": d.block_number,
                }
            )
        rows.events.append(
            {
                "block_number": d.block_number,
                "log_index": d.log_index,
                "tx_hash": d.tx_hash,
                "address": d.address,
                "contract": d.contract,
                "event": d.event,
                "patent_id": patent,
                "args": json.dumps(d.args, sort_keys=True),
            }
        )
        rows.blocks.setdefault(d.block_number, (d.block_hash, d.timestamp))

    def _move(self, conn: Connection, d: Decoded, rows: _Range) -> None:
        value = int(d.args["value"])
        for holder, sign in ((d.args["from"], -1), (d.args["to"], 1)):
            if holder == ZERO:
                continue
            key = (d.address, holder)
            balance = self._balance(conn, key) + sign * value
            self._balances[key] = balance
            rows.balances.append(
                {
                    "token": d.address,
                    "holder": holder,
                    "block_number": d.block_number,
                    "log_index": d.log_index,
                    "balance": str(balance),
                }
            )

    def _balance(self, conn: Connection, key: tuple[str, str]) -> int:
        if key not in self._balances and not self._cache_complete:
            row = conn.execute(
                select(balances.c.balance)
                .where(balances.c.token == key[0], balances.c.holder == key[1])
                .order_by(desc(balances.c.block_number), desc(balances.c.log_index))
                .limit(1)
            ).first()
            self._balances[key] = int(row[0]) if row else 0
        return self._balances.get(key, 0)

    def _write(self, conn: Connection, rows: _Range) -> None:
        if rows.tokens:
            conn.execute(insert(tokens), rows.tokens)
        if rows.events:
            conn.execute(insert(events), rows.events)
        if rows.balances:
            conn.execute(insert(balances), rows.balances)
        missing = [n for n, (_h, t) in rows.blocks.items() if t is None]
        for n in missing:  # a node that does not put the time in its logs
            block = self._block(n)
            rows.blocks[n] = (rows.blocks[n][0], int(block["timestamp"]))
        stored = {
            r[0]
            for r in conn.execute(
                select(blocks.c.block_number).where(blocks.c.block_number.in_(list(rows.blocks)))
            )
        }
        new = [
            {"block_number": n, "block_hash": h, "timestamp": t}
            for n, (h, t) in sorted(rows.blocks.items())
            if n not in stored
        ]
        if new:
            conn.execute(insert(blocks), new)

    def _load_contracts(self, conn: Connection) -> None:
        """The followed contracts: the suite's, and every token the index has seen made.
        The balance cache starts again (after a rollback it may hold undone rows)."""
        self.contracts: dict[str, str] = dict(self._suite)
        self._token_patent: dict[str, str] = {}
        self._balances: dict[tuple[str, str], int] = {}
        # An index with no balances yet: every balance written from here on is cached,
        # so one not in the cache is zero (no query per new holder on a first sync).
        self._cache_complete = conn.execute(select(balances.c.token).limit(1)).first() is None
        for address, patent in conn.execute(select(tokens.c.address, tokens.c.patent_id)):
            self.contracts[address] = TOKEN
            self._token_patent[address] = patent

    def _block(self, number: int) -> Any:
        return self._node(lambda: self.w3.eth.get_block(number), f"block {number}")

    def _node(self, ask: Callable[[], Any], what: str) -> Any:
        try:
            return ask()
        except (Web3Exception, requests.RequestException, ConnectionError) as exc:
            raise IndexSyncError(f"the node did not give {what}: {exc}") from exc
