"""The mirror's durable state: a SQLite outbox (WAL), one row per valuation report.

States: validated -> signed -> sent (tx hash; the raw transaction is stored before it is
broadcast) -> confirmed | rejected (reason) | conflict (the id is on chain with other
content). A sent batch whose transaction reverted goes back to signed with `solo` set,
to be retried one report per transaction; one whose nonce another transaction took goes
back to signed, to be sent again at a fresh nonce. Every transition is committed before
the next step's side effect, so a crash anywhere leaves a state to resume from.

A row is never replaced: bad files are recorded in `quarantine`, a table of their own,
so a malformed re-export can never erase a signed or sent report's state.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipledger.errors import IpledgerError
from ipledger.mirror.outbox_schema import MIGRATIONS, SCHEMA, VIEWS
from ipledger.models import Valuation

TERMINAL = ("confirmed", "rejected", "conflict")


@dataclass(frozen=True)
class Row:
    report_id: str
    content_hash: str
    path: str
    state: str
    reason: str | None
    valuation: Valuation | None
    signature: bytes | None
    tx_hash: str | None
    solo: bool = False  # to be sent alone (its batch reverted)


class OutboxMismatchError(IpledgerError):
    """An outbox used for another chain or registry than the one it was written for."""


class Outbox:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a committed transition survives power loss
        self.db.executescript(SCHEMA)
        for (table, column), statement in MIGRATIONS.items():
            columns = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in columns:
                self.db.execute(statement)
        self.db.executescript(VIEWS)
        self._move_old_quarantine_rows()

    def _move_old_quarantine_rows(self) -> None:
        """Outboxes written before `quarantine` had its own table kept bad files as report
        rows keyed by file name, which would refuse a corrected report of that id."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO quarantine (file, moved_to, content_hash, reason, at) "
                "SELECT path, path, content_hash, COALESCE(reason, ''), updated_at "
                "FROM reports WHERE state = 'quarantined'"
            )
            db.execute("DELETE FROM reports WHERE state = 'quarantined'")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def get(self, report_id: str) -> Row | None:
        cur = self.db.execute(
            "SELECT report_id, content_hash, path, state, reason, valuation, signature, "
            "tx_hash, solo FROM reports WHERE report_id = ?",
            (report_id,),
        )
        found = cur.fetchone()
        return _row(found) if found else None

    def rows(self, *states: str) -> list[Row]:
        cur = self.db.execute(
            "SELECT report_id, content_hash, path, state, reason, valuation, signature, "
            "tx_hash, solo FROM reports ORDER BY report_id"
        )
        return [row for row in map(_row, cur.fetchall()) if row.state in states]

    def insert_many(self, rows: list[dict[str, Any]]) -> None:
        """New validated reports, in one commit (one fsync for a folder of reports). A
        report id already present is left as it is, unless it was rejected: then the
        corrected report takes its place, validated afresh."""
        with self.transaction() as db:
            for r in rows:
                db.execute(
                    "INSERT INTO reports (report_id, content_hash, path, state, valuation, "
                    "updated_at, taken_at) VALUES (?, ?, ?, 'validated', ?, ?, ?) "
                    "ON CONFLICT(report_id) DO UPDATE SET content_hash = excluded.content_hash, "
                    "path = excluded.path, state = 'validated', reason = NULL, "
                    "valuation = excluded.valuation, signature = NULL, tx_hash = NULL, "
                    "solo = 0, updated_at = excluded.updated_at, taken_at = excluded.taken_at "
                    "WHERE reports.state = 'rejected'",
                    (
                        r["report_id"],
                        r["content_hash"],
                        r["path"],
                        r["valuation"].model_dump_json(),
                        time.time(),
                        time.time(),
                    ),
                )

    def quarantine(
        self, *, file: str, moved_to: str | None, content_hash: str | None, reason: str
    ) -> None:
        """Record a bad file: its own row, whatever report it claimed to be."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO quarantine (file, moved_to, content_hash, reason, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    _utf8(file),
                    None if moved_to is None else _utf8(moved_to),
                    content_hash,
                    _utf8(reason),
                    time.time(),
                ),
            )

    def left_in_place(self) -> set[tuple[str, str | None]]:
        """(file, content hash) of bad files that could not be moved out of the folder."""
        cur = self.db.execute("SELECT file, content_hash FROM quarantine WHERE moved_to IS NULL")
        return {(f, h) for f, h in cur.fetchall()}

    def quarantined(self) -> list[tuple[str, str]]:
        """(file, reason) of every quarantined file still in question, oldest first: one
        whose name later brought a report in (corrected and dropped again) is settled."""
        cur = self.db.execute("SELECT file, reason FROM open_quarantine ORDER BY id")
        return [(f, r) for f, r in cur.fetchall()]

    def set_signed(self, signatures: list[tuple[str, bytes]]) -> None:
        """Mark reports signed, with their signatures, in one commit."""
        with self.transaction() as db:
            for report_id, signature in signatures:
                db.execute(
                    "UPDATE reports SET state = 'signed', signature = ?, updated_at = ? "
                    "WHERE report_id = ?",
                    (signature, time.time(), report_id),
                )

    def known(self) -> dict[str, tuple[str, str]]:
        """report id -> (content hash, state), for every row."""
        cur = self.db.execute("SELECT report_id, content_hash, state FROM reports")
        return {rid: (h, st) for rid, h, st in cur.fetchall()}

    def set_state(
        self,
        report_ids: list[str],
        state: str,
        *,
        reason: str | None = None,
        signature: bytes | None = None,
        tx_hash: str | None = None,
    ) -> None:
        with self.transaction() as db:
            for report_id in report_ids:
                db.execute(
                    "UPDATE reports SET state = ?, reason = COALESCE(?, reason), "
                    "signature = COALESCE(?, signature), tx_hash = ?, updated_at = ? "
                    "WHERE report_id = ?",
                    (state, reason, signature, tx_hash, time.time(), report_id),
                )

    def record_tx(
        self, *, tx_hash: str, nonce: int, raw: bytes, report_ids: list[str], sender: str = ""
    ) -> None:
        """The signed transaction and its reports' `sent` state, in one commit, before
        anything is broadcast."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO txs (tx_hash, nonce, raw, state, updated_at, sender) "
                "VALUES (?, ?, ?, 'sent', ?, ?)",
                (tx_hash, nonce, raw, time.time(), sender or None),
            )
            for report_id in report_ids:
                db.execute(
                    "UPDATE reports SET state = 'sent', tx_hash = ?, updated_at = ? "
                    "WHERE report_id = ?",
                    (tx_hash, time.time(), report_id),
                )

    def unsend(self, tx_hash: str) -> None:
        """A transaction the node refused outright (it never reached the chain): forgotten,
        its reports back to signed, in one commit."""
        with self.transaction() as db:
            db.execute("DELETE FROM txs WHERE tx_hash = ?", (tx_hash,))
            db.execute(
                "UPDATE reports SET state = 'signed', tx_hash = NULL, updated_at = ? "
                "WHERE tx_hash = ? AND state = 'sent'",
                (time.time(), tx_hash),
            )

    def txs(self, state: str) -> list[tuple[str, int, bytes]]:
        cur = self.db.execute(
            "SELECT tx_hash, nonce, raw FROM txs WHERE state = ? ORDER BY nonce", (state,)
        )
        return [(h, n, bytes(r)) for h, n, r in cur.fetchall()]

    def reports_of(self, tx_hash: str) -> list[Row]:
        cur = self.db.execute(
            "SELECT report_id, content_hash, path, state, reason, valuation, signature, "
            "tx_hash, solo FROM reports WHERE tx_hash = ? ORDER BY report_id",
            (tx_hash,),
        )
        return [_row(r) for r in cur.fetchall()]

    def bind(self, chain_id: int, registry: str) -> None:
        """Tie this outbox to one chain and registry on first use; refuse it for another
        (a node reset and a new deployment, or another network): its confirmations and
        nonces would be wrong there."""
        wanted = {"chainId": str(chain_id), "registry": registry}
        with self.transaction() as db:
            found = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if not found:
                db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", wanted.items())
                return
        if found != wanted:
            raise OutboxMismatchError(
                f"outbox {self.path} belongs to registry {found.get('registry')} on chain "
                f"{found.get('chainId')}, not {registry} on chain {chain_id} (a node reset "
                "and a new deployment?): give this one its own --outbox"
            )

    def next_nonce(self, sender: str) -> int:
        """The highest nonce of `sender`'s transactions still in flight (-1: none); what
        is settled the node counts itself."""
        cur = self.db.execute(
            "SELECT MAX(nonce) FROM txs WHERE state = 'sent' AND (sender = ? OR sender IS NULL)",
            (sender,),
        )
        (highest,) = cur.fetchone()
        return -1 if highest is None else int(highest)

    def counts(self) -> dict[str, int]:
        """Reports by state, and `quarantined` files (when there are any)."""
        cur = self.db.execute("SELECT state, COUNT(*) FROM reports GROUP BY state")
        counts = {state: int(n) for state, n in cur.fetchall()}
        (bad,) = self.db.execute("SELECT COUNT(*) FROM open_quarantine").fetchone()
        if bad:
            counts["quarantined"] = int(bad)
        return counts

    def finish_tx(
        self,
        tx_hash: str,
        state: str,
        *,
        verdicts: dict[str, tuple[str, str | None]] | None = None,
        retry: list[str] | None = None,
        solo: bool = False,
        block_number: int | None = None,
        block_hash: str | None = None,
    ) -> None:
        """A transaction's final state and its reports' outcomes, in one commit:
        `verdicts` (report id -> (state, reason)), and `retry` back to signed."""
        with self.transaction() as db:
            db.execute(
                "UPDATE txs SET state = ?, block_number = ?, block_hash = ?, updated_at = ? "
                "WHERE tx_hash = ?",
                (state, block_number, block_hash, time.time(), tx_hash),
            )
            self._write_verdicts(db, verdicts or {})
            self._write_retry(db, retry or [], solo)

    def set_verdicts(self, verdicts: dict[str, tuple[str, str | None]]) -> None:
        with self.transaction() as db:
            self._write_verdicts(db, verdicts)

    def release_stranded(self) -> None:
        """Reports still `sent` under a transaction that is no longer `sent` (an outbox
        written before outcomes were committed with their transaction) go back to
        `signed`; the registry check before any send keeps them from going twice."""
        with self.transaction() as db:
            db.execute(
                "UPDATE reports SET state = 'signed', tx_hash = NULL, updated_at = ? "
                "WHERE state = 'sent' AND tx_hash NOT IN (SELECT tx_hash FROM txs "
                "WHERE state = 'sent')",
                (time.time(),),
            )

    @staticmethod
    def _write_verdicts(
        db: sqlite3.Connection, verdicts: dict[str, tuple[str, str | None]]
    ) -> None:
        """Outcomes of reports; each keeps the transaction it was settled under."""
        for report_id, (state, reason) in verdicts.items():
            db.execute(
                "UPDATE reports SET state = ?, reason = COALESCE(?, reason), updated_at = ? "
                "WHERE report_id = ?",
                (state, reason, time.time(), report_id),
            )

    @staticmethod
    def _write_retry(db: sqlite3.Connection, report_ids: list[str], solo: bool) -> None:
        for report_id in report_ids:
            db.execute(
                "UPDATE reports SET state = 'signed', tx_hash = NULL, solo = ?, "
                "updated_at = ? WHERE report_id = ?",
                (int(solo), time.time(), report_id),
            )


def _row(r: tuple[Any, ...]) -> Row:
    return Row(
        report_id=r[0],
        content_hash=r[1],
        path=r[2],
        state=r[3],
        reason=r[4],
        valuation=Valuation.model_validate_json(r[5]) if r[5] else None,
        signature=bytes(r[6]) if r[6] is not None else None,
        tx_hash=r[7],
        solo=bool(r[8]),
    )


def _utf8(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
