"""The mirror outbox's SQLite schema: its tables, the view of quarantine entries still in
question, and the columns added since the first release (see `outbox.Outbox`)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    report_id    TEXT PRIMARY KEY,   -- the valuer's report id
    content_hash TEXT NOT NULL,      -- sha256 of the report file
    path         TEXT NOT NULL,
    state        TEXT NOT NULL,
    reason       TEXT,
    valuation    TEXT,               -- the Valuation, as JSON
    signature    BLOB,
    tx_hash      TEXT,
    updated_at   REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS txs (
    tx_hash      TEXT PRIMARY KEY,
    nonce        INTEGER NOT NULL,
    raw          BLOB NOT NULL,      -- persisted before broadcast
    state        TEXT NOT NULL,      -- sent | mined | failed | dropped
    block_number INTEGER,
    block_hash   TEXT,
    updated_at   REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_state ON reports(state);
-- What this outbox belongs to: one chain, one valuation registry (see `bind`).
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS quarantine (
    id           INTEGER PRIMARY KEY,
    file         TEXT NOT NULL,      -- its name in the source folder
    moved_to     TEXT,               -- where it now lies (quarantine/...)
    content_hash TEXT,
    reason       TEXT NOT NULL,
    at           REAL NOT NULL
);
"""
# Quarantine entries still in question: no report was taken in from that file name since
# (a corrected file dropped again settles its entry; a later state change of a report
# taken in before does not). Made after the migrations, whose columns it reads.
VIEWS = """
DROP VIEW IF EXISTS open_quarantine;
CREATE VIEW open_quarantine AS
    SELECT * FROM quarantine q WHERE NOT EXISTS (
        SELECT 1 FROM reports r WHERE COALESCE(r.taken_at, 0) >= q.at
        AND (r.path = q.file OR substr(r.path, -length(q.file) - 1) = '/' || q.file));
"""
# Columns added after the first release, for outboxes created before them.
MIGRATIONS = {
    ("reports", "solo"): "ALTER TABLE reports ADD COLUMN solo INTEGER NOT NULL DEFAULT 0",
    ("txs", "sender"): "ALTER TABLE txs ADD COLUMN sender TEXT",  # NULL: written before
    ("reports", "taken_at"): "ALTER TABLE reports ADD COLUMN taken_at REAL",
}
