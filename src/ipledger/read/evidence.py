"""Rebuilding and verifying a patent's hash-chained evidence trail.

The chain stores only each patent's head hash and entry count; entries live in
`EvidenceAppended` events. Verification recomputes every entry hash from its fields
and the previous hash, checks the numbering and links, ends at the on-chain head, and,
given a folder of documents, checks each document's sha256 against its entry. Every
problem names the entry number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from eth_abi.abi import encode
from eth_utils.crypto import keccak

from ipledger.models.reads import EvidenceEntry, TrailProblem, TrailVerification

ZERO = b"\0" * 32


def entry_hash(
    *,
    previous: bytes,
    patent_id: bytes,
    kind: int,
    content_hash: bytes,
    submitter: str,
    timestamp: int,
    seq: int,
) -> bytes:
    """`keccak256(abi.encode(previous, patentId, kind, contentHash, submitter, timestamp))`
    with its low 64 bits replaced by `seq` (see `IEvidenceTrail`)."""
    digest = keccak(
        encode(
            ["bytes32", "bytes32", "uint8", "bytes32", "address", "uint64"],
            [previous, patent_id, kind, content_hash, submitter, timestamp],
        )
    )
    return digest[:24] + seq.to_bytes(8, "big")


def _document_problems(entry: EvidenceEntry, documents: Path) -> list[TrailProblem]:
    if not entry.uri:
        return []
    path = documents / PurePosixPath(entry.uri).name
    if not path.is_file():
        return [
            TrailProblem(seq=entry.seq, problem=f"document {path.name} is missing from {documents}")
        ]
    digest = hashlib.sha256(path.read_bytes()).digest()
    if digest != entry.content_hash:
        return [
            TrailProblem(
                seq=entry.seq,
                problem=f"document {path.name} was altered: sha256 {digest.hex()} "
                f"!= recorded {entry.content_hash.hex()}",
            )
        ]
    return []


def verify_entries(
    entries: Sequence[EvidenceEntry],
    *,
    patent_id: bytes,
    head_hash: bytes,
    count: int,
    documents: Path | None = None,
) -> TrailVerification:
    """Check `entries` (in the order the chain emitted them) against the on-chain head."""
    problems: list[TrailProblem] = []
    previous = ZERO
    checked = 0
    unchecked: list[int] = []
    for position, entry in enumerate(entries, start=1):
        if entry.seq != position:
            kind = "a gap" if entry.seq > position else "out of order"
            problems.append(
                TrailProblem(seq=position, problem=f"{kind}: found entry {entry.seq} here")
            )
        if entry.previous_hash != previous:
            problems.append(
                TrailProblem(seq=entry.seq, problem="does not link to the entry before it")
            )
        recomputed = entry_hash(
            previous=previous,
            patent_id=patent_id,
            kind=int(entry.kind),
            content_hash=entry.content_hash,
            submitter=entry.submitter,
            timestamp=entry.timestamp,
            seq=position,
        )
        if recomputed != entry.entry_hash:
            problems.append(
                TrailProblem(seq=entry.seq, problem="its hash does not match its fields (altered)")
            )
        previous = recomputed
        if documents is not None and entry.uri:
            checked += 1
            problems.extend(_document_problems(entry, documents))
        elif documents is not None:
            unchecked.append(entry.seq)
    if len(entries) != count or previous != head_hash:
        problems.append(
            TrailProblem(
                seq=len(entries),
                problem=f"the trail rebuilt from events ({len(entries)} entries, head "
                f"{previous.hex()}) does not end at the chain's head ({count} entries, "
                f"{head_hash.hex()})",
            )
        )
    return TrailVerification(
        patent_id=patent_id,
        head_hash=head_hash,
        count=count,
        entries=list(entries),
        documents_checked=checked,
        problems=problems,
        unchecked=unchecked,
    )
