"""Opening an index: a SQLite file by default, PostgreSQL by URL; migrated to the
current schema and bound to one chain's suite."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from ipledger.errors import IpledgerError
from ipledger.index.schema import MIGRATIONS, SCHEMA_VERSION, meta, schema_version

DEFAULT_PATH = Path(".ipledger") / "index.sqlite"


class IndexStoreError(IpledgerError):
    """The index cannot be opened or does not belong to this chain's suite."""


class IndexMismatchError(IndexStoreError):
    """The index follows another chain or another deployment."""


@dataclass(frozen=True)
class Binding:
    """What an index follows: one suite on one chain."""

    chain_id: int
    patent_registry: str
    first_block: int


def database_url(db: str | None, root: Path) -> str:
    """`db` as a SQLAlchemy URL: a `postgresql://` URL (driven by psycopg), a
    `sqlite:///` URL, or a file path; the project's `.ipledger/index.sqlite` by default."""
    if db is None:
        db = str(root / DEFAULT_PATH)
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if "://" in db:
        return db
    path = Path(db).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def open_engine(url: str) -> Engine:
    """An engine on `url`, with the schema brought up to date."""
    try:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise IndexStoreError(f"index database {shown_url(url)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.begin() as conn:
            migrate(conn)
    except OperationalError as exc:
        raise IndexStoreError(f"index database {shown_url(url)}: {exc.orig}") from None
    return engine


def migrate(conn: Connection) -> None:
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise IndexStoreError(
            f"the index is at schema version {version}; this ipledger knows up to "
            f"{SCHEMA_VERSION}: upgrade ipledger"
        )
    for step in MIGRATIONS[version:]:
        step(conn)
    if version < SCHEMA_VERSION:
        put_meta(conn, "schema_version", str(SCHEMA_VERSION))


def bind(conn: Connection, binding: Binding) -> None:
    """Records what a new index follows; refuses an index that follows something else."""
    stored = get_meta(conn, "binding")
    if stored is None:
        put_meta(conn, "binding", json.dumps(binding.__dict__, sort_keys=True))
        return
    was = Binding(**json.loads(stored))
    if (was.chain_id, was.patent_registry) != (binding.chain_id, binding.patent_registry):
        raise IndexMismatchError(
            f"this index follows the suite at {was.patent_registry} on chain {was.chain_id}, "
            f"not the one at {binding.patent_registry} on chain {binding.chain_id}: "
            "give this suite an index of its own (--db)"
        )


def get_meta(conn: Connection, key: str) -> str | None:
    row = conn.execute(select(meta.c.value).where(meta.c.key == key)).first()
    return None if row is None else str(row[0])


def put_meta(conn: Connection, key: str, value: str) -> None:
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(meta).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def shown_url(url: str) -> str:
    """`url` without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    # WAL: readers (the API, reports) never wait for the indexer's commits.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
