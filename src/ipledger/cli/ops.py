"""CLI verbs for the registrar, compliance officer, issuer and agents: each a thin call
into the typed clients, against the deployment recorded for the node's chain."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ipledger.cli.common import (
    PatentArg,
    Target,
    fail,
    patent_ref_id,
    sha256_file,
    verb,
)
from ipledger.errors import IpledgerError
from ipledger.models import EvidenceKind, Field, Status, parse_address, parse_patent_ref

# Names, not numbers, on the command line.
FieldName = StrEnum("FieldName", {f.name.lower(): f.name.lower() for f in Field})  # type: ignore[misc]
StatusName = StrEnum("StatusName", {s.name.lower(): s.name.lower() for s in Status})  # type: ignore[misc]
KindName = StrEnum("KindName", {k.name.lower(): k.name.lower() for k in EvidenceKind})  # type: ignore[misc]


@verb(signs=True)
def register_cmd(
    patent: PatentArg,
    owner: Annotated[str, typer.Option(help="Owner address.")],
    field: Annotated[FieldName, typer.Option(help="Technical field.", case_sensitive=False)],
    expiry: Annotated[int, typer.Option(help="End of term, unix seconds.")],
    metadata: Annotated[Path, typer.Option(help="Metadata document (its sha256 is recorded).")],
    status: Annotated[StatusName, typer.Option(case_sensitive=False)] = StatusName.granted,  # type: ignore[attr-defined]
    *,
    target: Target,
) -> None:
    """Register a patent (registrar)."""
    try:
        jurisdiction, number = parse_patent_ref(patent)
        ledger, sender = target.signer()
        pid = ledger.patents.register_patent(
            jurisdiction=jurisdiction,
            publication_number=number,
            owner=owner,
            field=Field[field.name.upper()],
            status=Status[status.name.upper()],
            expiry=expiry,
            metadata_hash=sha256_file(metadata),
            sender=sender,
        )
    except (IpledgerError, ValueError) as exc:
        raise fail(exc) from None
    target.done(
        {"patentId": "0x" + pid.hex(), "patent": f"{jurisdiction} {number}"},
        f"registered {jurisdiction} {number}: 0x{pid.hex()}",
    )


@verb(signs=True)
def tokenize_cmd(
    patent: PatentArg,
    supply: Annotated[int, typer.Option(help="Whole tokens (18 decimals).")],
    holder: Annotated[str, typer.Option(help="Initial holder (the issuer).")],
    symbol: Annotated[str, typer.Option()],
    payment_token: Annotated[
        str | None,
        typer.Option(
            help="The ERC-20 revenue is paid in (default: the suite's, named at deployment; "
            "a dev chain's is the test HKD)."
        ),
    ] = None,
    *,
    target: Target,
) -> None:
    """Split a patent's revenue rights into tokens (registrar)."""
    try:
        ledger, sender = target.signer()
        token, _ = ledger.patents.tokenize(
            patent_ref_id(patent),
            name=f"{patent} revenue rights",
            symbol=symbol,
            supply=supply * 10**18,
            initial_holder=holder,
            payment_token=parse_address(payment_token or ledger.addresses.payment_token),
            sender=sender,
        )
    except (IpledgerError, ValueError) as exc:
        raise fail(exc) from None
    target.done(
        {"patentId": "0x" + patent_ref_id(patent).hex(), "token": token},
        f"{patent}: token {token}",
    )


@verb(signs=True)
def set_investor_cmd(
    investor: Annotated[str, typer.Argument(help="Investor address.")],
    jurisdiction: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 of the KYC.")],
    expiry: Annotated[int, typer.Option(help="KYC valid until, unix seconds.")],
    *,
    target: Target,
) -> None:
    """List an eligible investor (compliance)."""
    try:
        checksum = parse_address(investor)
        ledger, sender = target.signer()
        ledger.investors.set_investor(
            checksum, jurisdiction=jurisdiction, expiry=expiry, sender=sender
        )
    except (IpledgerError, ValueError) as exc:
        raise fail(exc) from None
    target.done({"investor": checksum, "expiry": expiry}, f"listed {checksum} until {expiry}")


@verb(signs=True)
def append_evidence_cmd(
    patent: PatentArg,
    kind: Annotated[KindName, typer.Option(case_sensitive=False)],
    document: Annotated[Path, typer.Option(help="The document (its sha256 is recorded).")],
    uri: Annotated[str, typer.Option(help="Where the document can be fetched.")] = "",
    *,
    target: Target,
) -> None:
    """Append a document to a patent's evidence trail (evidence writer)."""
    try:
        ledger, sender = target.signer()
        pid = patent_ref_id(patent)
        if not ledger.patents.is_registered(pid):
            raise IpledgerError(f"patent {patent} (0x{pid.hex()}) is not registered")
        entry, _ = ledger.evidence.append(
            pid,
            EvidenceKind[kind.name.upper()],
            sha256_file(document),
            uri or document.name,
            sender=sender,
        )
    except (IpledgerError, ValueError) as exc:
        raise fail(exc) from None
    target.done(
        {"seq": entry.seq, "entryHash": "0x" + entry.entry_hash.hex()},
        f"entry {entry.seq} of {patent}: 0x{entry.entry_hash.hex()}",
    )
