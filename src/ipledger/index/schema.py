"""The index's tables, one schema for SQLite and PostgreSQL, and its migrations.

Every table is append-only and keyed by the block that wrote the row, so a reorg is
undone by one `DELETE ... WHERE block_number > fork` per table and nothing is updated
in place. Current state (a balance, a loan's state) is the latest row; state at a record
date is the latest row at or below that block.

Amounts are decimal strings: uint256 values do not fit SQLite's 64-bit integers, and
one representation keeps the queries the same on both databases.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
)

metadata = MetaData()

# What the index follows and how far it has got: chain id, suite addresses, the last
# committed block and its hash, the schema version.
meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# Every block with an event (the last applied block's hash is in `meta`, as the
# cursor): their hashes find the fork point after a reorg; their times date the events.
blocks = Table(
    "blocks",
    metadata,
    Column("block_number", BigInteger, primary_key=True),
    Column("block_hash", String(66), nullable=False),
    Column("timestamp", BigInteger, nullable=False),
)

# Every event of the suite and its tokens, decoded: the record the rest derives from.
events = Table(
    "events",
    metadata,
    Column("block_number", BigInteger, primary_key=True),
    Column("log_index", Integer, primary_key=True),
    Column("tx_hash", String(66), nullable=False),
    Column("address", String(42), nullable=False),
    Column("contract", String(32), nullable=False),
    Column("event", String(64), nullable=False),
    Column("patent_id", String(66)),  # the patent it concerns, when it concerns one
    Column("args", Text, nullable=False),  # JSON: amounts as decimal strings, bytes 0x-hex
    Index("events_by_name", "event", "patent_id"),
    Index("events_by_patent", "patent_id"),
    Index("events_by_address", "address", "event"),
)

# Each revenue-rights token: its patent, supply and payment token.
tokens = Table(
    "tokens",
    metadata,
    Column("address", String(42), primary_key=True),
    Column("patent_id", String(66), nullable=False, unique=True),
    Column("supply", String(80), nullable=False),
    Column("payment_token", String(42), nullable=False),
    Column("block_number", BigInteger, nullable=False),
)

# A holder's balance after each change: the register at any block is the latest row of
# each holder at or below it.
balances = Table(
    "balances",
    metadata,
    Column("token", String(42), primary_key=True),
    Column("holder", String(42), primary_key=True),
    Column("block_number", BigInteger, primary_key=True),
    Column("log_index", Integer, primary_key=True),
    Column("balance", String(80), nullable=False),
    Index("balances_by_holder", "holder", "token"),
)

SCHEMA_VERSION = 1

# Appended to, never edited: each step brings a database at version i to i + 1.
Migration = Callable[[Connection], None]


def _v1(conn: Connection) -> None:
    metadata.create_all(conn)


MIGRATIONS: list[Migration] = [_v1]

# Tables a reorg rolls back (all but `meta`, whose cursor is rewritten with them).
ROLLED_BACK = (events, balances, tokens, blocks)


def schema_version(conn: Connection) -> int:
    """The database's schema version; 0 for an empty database."""
    if not conn.dialect.has_table(conn, "meta"):
        return 0
    row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
    return int(row[0]) if row else 0
