"""The supervision index: the suite's events in SQL (SQLite or PostgreSQL), reorg-safe
and resumable."""
