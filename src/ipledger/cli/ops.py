"""CLI verbs for the registrar, compliance officer, issuer and agents: each a thin call
into the typed clients, against the deployment recorded for the node's chain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ipledger.cli.common import (
    FieldChoice,
    KindOpt,
    PatentArg,
    StatusChoice,
    Target,
    date_option,
    fail,
    positive_units,
    registered_patent,
    sha256_file,
    verb,
)
from ipledger.errors import IpledgerError
from ipledger.models import (
    Field,
    Status,
    parse_address,
    parse_patent,
    parse_patent_ref,
)
from ipledger.models.units import iso


@verb(signs=True)
def register_cmd(
    patent: PatentArg,
    owner: Annotated[str, typer.Option(help="Owner address.")],
    field: Annotated[FieldChoice, typer.Option(help="Technical field.", case_sensitive=False)],
    expiry: Annotated[int, date_option("End of term: an ISO date (2045-06-30).")],
    metadata: Annotated[Path, typer.Option(help="Metadata document (its sha256 is recorded).")],
    status: Annotated[StatusChoice, typer.Option(case_sensitive=False)] = StatusChoice.granted,
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
            parse_patent(patent),
            name=f"{patent} revenue rights",
            symbol=symbol,
            supply=positive_units(supply * 10**18, f"--supply {supply}"),
            initial_holder=holder,
            payment_token=parse_address(payment_token or ledger.addresses.payment_token),
            sender=sender,
        )
    except (IpledgerError, ValueError) as exc:
        raise fail(exc) from None
    target.done(
        {"patentId": "0x" + parse_patent(patent).hex(), "token": token},
        f"{patent}: token {token}",
    )


@verb(signs=True)
def set_investor_cmd(
    investor: Annotated[str, typer.Argument(help="Investor address.")],
    jurisdiction: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 of the KYC.")],
    expiry: Annotated[int, date_option("KYC valid until: an ISO date (2027-12-31).")],
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
    target.done({"investor": checksum, "expiry": expiry}, f"listed {checksum} until {iso(expiry)}")


@verb(signs=True)
def append_evidence_cmd(
    patent: PatentArg,
    kind: KindOpt,
    document: Annotated[Path, typer.Option(help="The document (its sha256 is recorded).")],
    uri: Annotated[str, typer.Option(help="Where the document can be fetched.")] = "",
    *,
    target: Target,
) -> None:
    """Append a document to a patent's evidence trail (evidence writer)."""
    try:
        ledger, sender = target.signer()
        pid = registered_patent(ledger, patent)
        entry, _ = ledger.evidence.append(
            pid,
            kind,
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
