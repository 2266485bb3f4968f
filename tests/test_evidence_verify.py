"""Trail verification by itself (no chain): each kind of tampering is named, with the
entry number, in the words investors and the supervisor read."""

from __future__ import annotations

from pathlib import Path

from ipledger.models import EvidenceEntry, EvidenceKind
from ipledger.read.evidence import ZERO, entry_hash, verify_entries

PID = b"\x07" * 32
WRITER = "0x" + "12" * 20


def _trail(n: int = 3) -> list[EvidenceEntry]:
    entries, previous = [], ZERO
    for seq in range(1, n + 1):
        content = bytes([seq]) * 32
        digest = entry_hash(
            previous=previous,
            patent_id=PID,
            kind=int(EvidenceKind.GRANT),
            content_hash=content,
            submitter=WRITER,
            timestamp=1_700_000_000 + seq,
            seq=seq,
        )
        entries.append(
            EvidenceEntry(
                patent_id=PID,
                seq=seq,
                kind=EvidenceKind.GRANT,
                content_hash=content,
                submitter=WRITER,
                timestamp=1_700_000_000 + seq,
                previous_hash=previous,
                entry_hash=digest,
                uri="" if seq == 2 else f"doc{seq}.pdf",
            )
        )
        previous = digest
    return entries


def _problems(
    entries: list[EvidenceEntry], *, count: int = 3, head: bytes | None = None
) -> list[str]:
    head = _trail()[-1].entry_hash if head is None else head
    found = verify_entries(entries, patent_id=PID, head_hash=head, count=count)
    return [str(p) for p in found.problems]


def test_an_intact_trail_has_no_problems_and_its_sequence_numbers_are_big_endian() -> None:
    trail = _trail()
    assert _problems(trail) == []
    assert [e.entry_hash[-8:] for e in trail] == [n.to_bytes(8, "big") for n in (1, 2, 3)]


def test_a_missing_entry_is_a_gap_and_swapped_ones_are_out_of_order() -> None:
    first, second, third = _trail()
    gap = _problems([first, third])
    assert gap[0] == "entry 2: a gap: found entry 3 here"
    swapped = _problems([first, third, second])
    assert swapped[0] == "entry 2: a gap: found entry 3 here"
    assert "entry 3: out of order: found entry 2 here" in swapped


def test_a_broken_link_and_an_altered_entry_are_named() -> None:
    first, second, third = _trail()
    unlinked = second.model_copy(update={"previous_hash": b"\x01" * 32})
    assert "entry 2: does not link to the entry before it" in _problems([first, unlinked, third])
    altered = second.model_copy(update={"content_hash": b"\xee" * 32})
    assert "entry 2: its hash does not match its fields (altered)" in _problems(
        [first, altered, third]
    )


def test_a_trail_short_of_the_chains_count_is_named_even_when_its_head_matches() -> None:
    problems = _problems(_trail(), count=4)
    assert len(problems) == 1
    assert problems[0].startswith("entry 3: the trail rebuilt from events (3 entries")


def test_entries_naming_no_document_are_listed_when_documents_are_checked(tmp_path: Path) -> None:
    for seq in (1, 3):
        (tmp_path / f"doc{seq}.pdf").write_bytes(b"x")
    head = _trail()[-1].entry_hash
    checked = verify_entries(_trail(), patent_id=PID, head_hash=head, count=3, documents=tmp_path)
    assert checked.unchecked == [2]
    assert checked.documents_checked == 2
    unchecked = verify_entries(_trail(), patent_id=PID, head_hash=head, count=3)
    assert unchecked.unchecked == []
    assert unchecked.documents_checked == 0
