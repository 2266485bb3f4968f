"""CLI verbs for the registrar, compliance officer, issuer and agents: each a thin call
into the typed clients, against the deployment recorded for the node's chain."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from ipledger.cli import (
    AccountOpt,
    JsonOpt,
    KeystoreOpt,
    ProjectOpt,
    RpcOpt,
    _emit_json,
    _fail,
    app,
    console,
    open_ledger,
    resolve_sender,
)
from ipledger.errors import IpledgerError
from ipledger.keys import DEV_CHAIN_IDS
from ipledger.ledger import Ledger
from ipledger.tx import Sender
from ipledger.types import EvidenceKind, Field, Status, parse_address, parse_patent_ref, patent_id

PatentArg = Annotated[str, typer.Argument(help='Patent, e.g. "HK 30012345".')]

# Names, not numbers, on the command line.
FieldName = StrEnum("FieldName", {f.name.lower(): f.name.lower() for f in Field})  # type: ignore[misc]
StatusName = StrEnum("StatusName", {s.name.lower(): s.name.lower() for s in Status})  # type: ignore[misc]
KindName = StrEnum("KindName", {k.name.lower(): k.name.lower() for k in EvidenceKind})  # type: ignore[misc]


def _context(
    project: Path | None, rpc: str | None, keystore: Path | None, account: int
) -> tuple[Ledger, Sender]:
    ledger = open_ledger(project, rpc)
    return ledger, resolve_sender(ledger.w3, keystore, account)


def _ref(patent: str) -> tuple[str, str]:
    """(jurisdiction, canonical number) from what was typed ("hk30012345" too); a
    ValueError (one line from the verb's error handling) suggests the canonical form."""
    return parse_patent_ref(patent)


def _pid(patent: str) -> bytes:
    return patent_id(*_ref(patent))


def _done(as_json: bool, data: dict[str, Any], text: str) -> None:
    if as_json:
        _emit_json(data)
    else:
        console.print(Text(text), highlight=False)


def _sha256_file(path: Path) -> bytes:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError as exc:
        raise typer.BadParameter(f"{path}: {exc.strerror}") from None


@app.command("register")
def register_cmd(
    patent: PatentArg,
    owner: Annotated[str, typer.Option(help="Owner address.")],
    field: Annotated[FieldName, typer.Option(help="Technical field.", case_sensitive=False)],
    expiry: Annotated[int, typer.Option(help="End of term, unix seconds.")],
    metadata: Annotated[Path, typer.Option(help="Metadata document (its sha256 is recorded).")],
    status: Annotated[StatusName, typer.Option(case_sensitive=False)] = StatusName.granted,  # type: ignore[attr-defined]
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Register a patent (registrar)."""
    try:
        jurisdiction, number = _ref(patent)
        ledger, sender = _context(project, rpc, keystore, account)
        pid = ledger.patents.register_patent(
            jurisdiction=jurisdiction,
            publication_number=number,
            owner=owner,
            field=Field[field.name.upper()],
            status=Status[status.name.upper()],
            expiry=expiry,
            metadata_hash=_sha256_file(metadata),
            sender=sender,
        )
    except (IpledgerError, ValueError) as exc:
        raise _fail(exc) from None
    _done(
        as_json,
        {"patentId": "0x" + pid.hex(), "patent": f"{jurisdiction} {number}"},
        f"registered {jurisdiction} {number}: 0x{pid.hex()}",
    )


@app.command("tokenize")
def tokenize_cmd(
    patent: PatentArg,
    supply: Annotated[int, typer.Option(help="Whole tokens (18 decimals).")],
    holder: Annotated[str, typer.Option(help="Initial holder (the issuer).")],
    symbol: Annotated[str, typer.Option()],
    payment_token: Annotated[
        str | None,
        typer.Option(
            help="The ERC-20 revenue is paid in. Required except on a dev chain, where it "
            "defaults to the suite's test HKD (never for real money)."
        ),
    ] = None,
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Split a patent's revenue rights into tokens (registrar)."""
    try:
        ledger, sender = _context(project, rpc, keystore, account)
        if payment_token is None and ledger.w3.eth.chain_id not in DEV_CHAIN_IDS:
            raise IpledgerError(
                f"chain {ledger.w3.eth.chain_id} is not a dev chain: name the ERC-20 revenue "
                "is paid in with --payment-token (the suite's test HKD is for dev chains only)"
            )
        token, _ = ledger.patents.tokenize(
            _pid(patent),
            name=f"{patent} revenue rights",
            symbol=symbol,
            supply=supply * 10**18,
            initial_holder=holder,
            payment_token=parse_address(payment_token or ledger.addresses.payment_token),
            sender=sender,
        )
    except (IpledgerError, ValueError) as exc:
        raise _fail(exc) from None
    _done(
        as_json, {"patentId": "0x" + _pid(patent).hex(), "token": token}, f"{patent}: token {token}"
    )


@app.command("set-investor")
def set_investor_cmd(
    investor: Annotated[str, typer.Argument(help="Investor address.")],
    jurisdiction: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 of the KYC.")],
    expiry: Annotated[int, typer.Option(help="KYC valid until, unix seconds.")],
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """List an eligible investor (compliance)."""
    try:
        checksum = parse_address(investor)
        ledger, sender = _context(project, rpc, keystore, account)
        ledger.investors.set_investor(
            checksum, jurisdiction=jurisdiction, expiry=expiry, sender=sender
        )
    except (IpledgerError, ValueError) as exc:
        raise _fail(exc) from None
    _done(as_json, {"investor": checksum, "expiry": expiry}, f"listed {checksum} until {expiry}")


@app.command("deposit")
def deposit_cmd(
    patent: PatentArg,
    amount: Annotated[int, typer.Option(help="Payment-token base units.")],
    report: Annotated[Path, typer.Option(help="Licence revenue report (its sha256 is recorded).")],
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Pay licence revenue into a patent's token (revenue depositor; approve first)."""
    try:
        ledger, sender = _context(project, rpc, keystore, account)
        token = _token(ledger, patent)
        payment = ledger.client("TestHKD", token.payment_token())  # any ERC-20's ABI will do
        allowance = payment._call("allowance", sender.address, token.address)
        if allowance < amount:
            payment._send("approve", token.address, amount, sender=sender)
        receipt = token.deposit_revenue(amount, _sha256_file(report), sender=sender)
    except (IpledgerError, ValueError) as exc:
        raise _fail(exc) from None
    tx = receipt["transactionHash"].to_0x_hex()
    _done(
        as_json,
        {"token": token.address, "amount": str(amount), "tx": tx},
        f"deposited {amount} ({tx})",
    )


@app.command("claim")
def claim_cmd(
    patent: PatentArg,
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Claim the revenue the signer has earned on a patent's token."""
    try:
        ledger, sender = _context(project, rpc, keystore, account)
        amount, _ = _token(ledger, patent).claim(sender=sender)
    except (IpledgerError, ValueError) as exc:
        raise _fail(exc) from None
    _done(as_json, {"claimed": str(amount)}, f"claimed {amount}")


@app.command("append-evidence")
def append_evidence_cmd(
    patent: PatentArg,
    kind: Annotated[KindName, typer.Option(case_sensitive=False)],
    document: Annotated[Path, typer.Option(help="The document (its sha256 is recorded).")],
    uri: Annotated[str, typer.Option(help="Where the document can be fetched.")] = "",
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Append a document to a patent's evidence trail (evidence writer)."""
    try:
        ledger, sender = _context(project, rpc, keystore, account)
        pid = _pid(patent)
        if not ledger.patents.is_registered(pid):
            raise IpledgerError(f"patent {patent} (0x{pid.hex()}) is not registered")
        entry, _ = ledger.evidence.append(
            pid,
            EvidenceKind[kind.name.upper()],
            _sha256_file(document),
            uri or document.name,
            sender=sender,
        )
    except (IpledgerError, ValueError) as exc:
        raise _fail(exc) from None
    _done(
        as_json,
        {"seq": entry.seq, "entryHash": "0x" + entry.entry_hash.hex()},
        f"entry {entry.seq} of {patent}: 0x{entry.entry_hash.hex()}",
    )


def _token(ledger: Ledger, patent: str) -> Any:
    address = ledger.patents.token_of(_pid(patent))
    if address is None:
        raise IpledgerError(f"patent {patent} has no revenue-rights token")
    return ledger.token(address)
