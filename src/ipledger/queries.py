"""What investors and regulators read from the ledger."""

from __future__ import annotations

from pathlib import Path

from ipledger.evidence import TrailVerification, verify_entries
from ipledger.ledger import Ledger


def evidence_trail(
    ledger: Ledger, patent_id: bytes, *, documents: Path | None = None
) -> TrailVerification:
    """A patent's evidence trail rebuilt from events and verified against the chain's
    head (and, given `documents`, each document's sha256 against its entry)."""
    head_hash, count = ledger.evidence.head(patent_id)
    entries = ledger.evidence.entries(patent_id)
    return verify_entries(
        entries, patent_id=patent_id, head_hash=head_hash, count=count, documents=documents
    )
