"""The wind-down / audit bundle: every register, distribution, unclaimed balance,
valuation, loan and evidence trail the index holds, written to a folder with a manifest
of each file's sha256, signed by the exporter (EIP-191), and checked back.

The manifest names every file; `verify_bundle` recomputes each hash, names any file
altered, missing or added, and recovers who signed the manifest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils.exceptions import ValidationError

from ipledger.errors import IpledgerError
from ipledger.models.types import Model
from ipledger.read.indexed import IndexReader
from ipledger.read.registers import distribution, register, unclaimed
from ipledger.read.supervision import flows, loan_risk, valuation_changes

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"

# Signs the manifest's bytes as an EIP-191 personal message; the 65-byte signature.
Signer = Callable[[bytes], bytes]


class BundleError(IpledgerError, ValueError):
    """A bundle that cannot be written or read."""


class BundleCheck(Model):
    folder: str
    signer: str | None  # who signed the manifest (recovered), None if unreadable
    exporter: str | None  # who the manifest says exported it
    block: int | None
    files: int
    altered: list[str]
    missing: list[str]
    unlisted: list[str]

    @property
    def ok(self) -> bool:
        """Every listed file intact, none added, and signed by the exporter it names
        (whether that exporter is the one expected is the caller's `--signer` check)."""
        signed = self.signer is not None and self.signer == self.exporter
        return signed and not (self.altered or self.missing or self.unlisted)


def export_bundle(reader: IndexReader, out: Path, *, sign: Signer, signer: str, chain_id: int,
                  loan_book: str | None) -> dict[str, Any]:  # fmt: skip
    """Writes the bundle to `out` (which must be empty or new); the manifest."""
    if out.exists() and any(out.iterdir()):
        raise BundleError(f"{out} is not empty: export into a new folder")
    block = reader.indexed_block()
    files: dict[str, bytes] = {}
    for token in reader.tokens():
        pid = _safe_id(token.patent_id)
        reg = register(reader, pid, block=block, loan_book=loan_book)
        files[f"register/{pid}.json"] = _json(reg.as_json())
        files[f"register/{pid}.csv"] = _csv([h.as_json() for h in reg.holders])
        seqs = len(reader.events("RevenueDeposited", address=token.address))
        files[f"distributions/{pid}.json"] = _json(
            [distribution(reader, pid, s).as_json() for s in range(1, seqs + 1)]
        )
    for pid in sorted({_safe_id(e.args["patentId"]) for e in reader.events("PatentRegistered")}):
        trail = [
            dict(e.args, block=e.block, txHash=e.tx_hash)
            for e in reader.events("EvidenceAppended", patent_id=pid)
        ]
        files[f"evidence/{pid}.json"] = _json(trail)
    files["unclaimed.json"] = _json(
        {p: {h: str(n) for h, n in o.items()} for p, o in unclaimed(reader).items()}
    )
    as_of = reader.block_time(block) or 0
    files["valuations.json"] = _json([v.as_json() for v in valuation_changes(reader, block, as_of)])
    loan_events = reader.events(*_LOAN_EVENTS)
    files["loans.json"] = _json(
        {
            "summary": loan_risk(reader, block).as_json(),
            "events": [
                dict(e.args, event=e.event, block=e.block, txHash=e.tx_hash) for e in loan_events
            ],
        }
    )
    files["flows.csv"] = _csv(
        [f.as_json() for f in flows(reader, to_block=block, loan_book=loan_book)]
    )
    manifest = {
        "chainId": chain_id,
        "block": block,
        "timestamp": as_of,
        "exporter": signer,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    body = _json(manifest)
    for name, data in {**files, MANIFEST: body}.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (out / SIGNATURE).write_text("0x" + sign(body).hex() + "\n")
    return manifest


def verify_bundle(folder: Path) -> BundleCheck:
    """Checks every file of the bundle at `folder` against its signed manifest."""
    try:
        body = (folder / MANIFEST).read_bytes()
        manifest = json.loads(body)
        listed = manifest["files"]
        if not isinstance(listed, dict) or not all(isinstance(v, str) for v in listed.values()):
            raise TypeError("its files are not a map of names to sha256 digests")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BundleError(f"{folder / MANIFEST}: not a bundle's manifest ({exc})") from None
    root = folder.resolve()
    for name in listed:
        if (
            Path(name).is_absolute()
            or ".." in Path(name).parts
            or not (root / name).resolve().is_relative_to(root)
        ):
            raise BundleError(f"{folder / MANIFEST}: file name {name!r} points outside the bundle")
    signer = _recover(folder / SIGNATURE, body)
    altered, missing = [], []
    for name, digest in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            missing.append(name)
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            altered.append(name)
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {
        MANIFEST,
        SIGNATURE,
    }
    return BundleCheck(
        folder=str(folder),
        signer=signer,
        exporter=manifest.get("exporter") if isinstance(manifest.get("exporter"), str) else None,
        block=manifest.get("block"),
        files=len(listed),
        altered=altered,
        missing=missing,
        unlisted=sorted(present - set(listed)),
    )


def _recover(path: Path, body: bytes) -> str | None:
    try:
        signature = bytes.fromhex(path.read_text().strip().removeprefix("0x"))
        return str(Account.recover_message(encode_defunct(body), signature=signature))
    except (OSError, ValueError, TypeError, ValidationError):  # no signature, or not one
        return None


def _safe_id(patent_id: str) -> str:
    """A patent id from the index, as a file name: 0x and 64 hex digits, nothing else."""
    if not re.fullmatch(r"0x[0-9a-f]{64}", patent_id):
        raise BundleError(f"the index holds a patent id that is not one: {patent_id!r}")
    return patent_id


_LOAN_EVENTS = (
    "LoanOffered", "OfferCancelled", "LoanOpened", "Pledged", "Released", "RevenueSwept",
    "Repaid", "LoanCalled", "LoanCured", "BidPlaced", "LoanEnforced", "PledgeHeld",
)  # fmt: skip


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


def _csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue().encode()
