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
from typing import Any

from eth_abi.abi import encode
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from pydantic import BaseModel, ConfigDict
from web3.types import EventData

from ipledger.models.types import EvidenceKind

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


class EvidenceEntry(BaseModel):
    """One entry of a trail, as its event records it."""

    model_config = ConfigDict(frozen=True)

    patent_id: bytes
    seq: int
    kind: EvidenceKind
    content_hash: bytes
    submitter: ChecksumAddress
    timestamp: int
    previous_hash: bytes
    entry_hash: bytes
    uri: str
    block_number: int | None = None
    tx_hash: bytes | None = None

    @classmethod
    def from_event(cls, event: EventData) -> EvidenceEntry:
        args: Any = event["args"]
        return cls(
            patent_id=args["patentId"],
            seq=args["seq"],
            kind=EvidenceKind(args["kind"]),
            content_hash=args["contentHash"],
            submitter=args["submitter"],
            timestamp=args["timestamp"],
            previous_hash=args["previousHash"],
            entry_hash=args["entryHash"],
            uri=args["uri"],
            block_number=event["blockNumber"],
            tx_hash=bytes(event["transactionHash"]),
        )


class TrailProblem(BaseModel):
    model_config = ConfigDict(frozen=True)

    seq: int  # the entry number (1-based) the problem is at
    problem: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.problem}"


class TrailVerification(BaseModel):
    model_config = ConfigDict(frozen=True)

    patent_id: bytes
    head_hash: bytes
    count: int
    entries: list[EvidenceEntry]
    documents_checked: int
    problems: list[TrailProblem]
    unchecked: list[int] = []  # entries naming no document, when documents were given

    @property
    def ok(self) -> bool:
        return not self.problems


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
