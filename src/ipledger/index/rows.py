"""What one range of logs writes: decoded events, balance rows, new tokens, block times;
and what the indexer remembers between ranges (which contracts it follows, balances it
has written), forgotten whenever a range is not committed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, desc, insert, select
from web3.types import LogReceipt

from ipledger.index.events import TOKEN, Decoded, EventCodec
from ipledger.index.schema import balances, blocks, events, tokens

ZERO = "0x0000000000000000000000000000000000000000"


@dataclass
class Rows:
    """One range's rows, written in one transaction."""

    events: list[dict[str, Any]] = field(default_factory=list)
    balances: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[dict[str, Any]] = field(default_factory=list)
    blocks: dict[int, tuple[str, int | None]] = field(default_factory=dict)


class RowBuilder:
    """Turns logs into rows: the suite's contracts and every token they made."""

    def __init__(self, codec: EventCodec, suite: dict[str, str], registry: str) -> None:
        self.codec = codec
        self._suite = suite
        self._registry = registry
        self._tokenized = codec.topic_of("PatentRegistry", "PatentTokenized")
        self.contracts: dict[str, str] = {}
        self._token_patent: dict[str, str] = {}
        self._balances: dict[tuple[str, str], int] = {}
        self._cache_complete = False

    def load(self, conn: Connection) -> None:
        """The followed contracts: the suite's, and every token the index has seen made.
        The balance cache starts again (after a rollback it may hold undone rows)."""
        self.contracts = dict(self._suite)
        self._token_patent = {}
        self._balances = {}
        # An index with no balances yet: every balance written from here on is cached,
        # so one not in the cache is zero (no query per new holder on a first sync).
        self._cache_complete = conn.execute(select(balances.c.token).limit(1)).first() is None
        for address, patent in conn.execute(select(tokens.c.address, tokens.c.patent_id)):
            self.contracts[address] = TOKEN
            self._token_patent[address] = patent

    def discover_tokens(self, logs: list[LogReceipt]) -> None:
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

    def rows(self, conn: Connection, logs: list[LogReceipt]) -> Rows:
        rows = Rows()
        for log in logs:
            contract = self.contracts.get(self.codec.checksum(str(log["address"])))
            decoded = None if contract is None else self.codec.decode(log, contract)
            if decoded is not None:
                self._collect(conn, decoded, rows)
        return rows

    def _collect(self, conn: Connection, d: Decoded, rows: Rows) -> None:
        patent = d.patent_id
        if d.contract == TOKEN:
            patent = self._token_patent[d.address]
            if d.event == "Transfer":
                self._move(conn, d, rows)
        elif d.event == "PatentTokenized":
            rows.tokens.append(
                {
                    "address": d.args["token"],
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

    def _move(self, conn: Connection, d: Decoded, rows: Rows) -> None:
        sender, receiver = d.args["from"], d.args["to"]
        if sender == receiver:  # a transfer to oneself changes no balance
            return
        value = int(d.args["value"])
        for holder, sign in ((sender, -1), (receiver, 1)):
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


def write(conn: Connection, rows: Rows, block_time: Callable[[int], int]) -> None:
    """The range's rows; each new block with its time (asked of the node when its logs
    did not carry it)."""
    if rows.tokens:
        conn.execute(insert(tokens), rows.tokens)
    if rows.events:
        conn.execute(insert(events), rows.events)
    if rows.balances:
        conn.execute(insert(balances), rows.balances)
    numbers = list(rows.blocks)
    stored = {
        r[0]
        for r in conn.execute(
            select(blocks.c.block_number).where(blocks.c.block_number.in_(numbers))
        )
    }
    new = [
        {"block_number": n, "block_hash": h, "timestamp": block_time(n) if t is None else t}
        for n, (h, t) in sorted(rows.blocks.items())
        if n not in stored
    ]
    if new:
        conn.execute(insert(blocks), new)
