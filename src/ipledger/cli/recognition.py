"""CLI verbs of mutual recognition: a valuer accredited in a jurisdiction recognises
another jurisdiction's valuation there (EIP-712, signed by its key or relayed with its
signature), the recogniser or the accreditor withdraws it, and the accreditor sets
which jurisdictions a jurisdiction accepts directly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ipledger.chain.tx import KeyAccount
from ipledger.cli.admin_ops import ReportArg, report_id
from ipledger.cli.challenges import ValuerOpt
from ipledger.cli.common import (
    PatentArg,
    Target,
    one_line_errors,
    registered_patent,
    sha256_file,
    verb,
)
from ipledger.cli.render import units
from ipledger.errors import IpledgerError
from ipledger.mirror.reports import minor_units
from ipledger.models import jurisdiction_bytes, parse_address

JurisdictionArg = Annotated[
    str, typer.Option("--jurisdiction", help="Where it is to count (ISO 3166-1 alpha-2).")
]


@verb(signs=True)
def recognise_cmd(
    patent: PatentArg,
    report: ReportArg,
    review: Annotated[Path, typer.Option(help="The review (its sha256 goes on the trail).")],
    jurisdiction: JurisdictionArg = "HK",
    valuer: ValuerOpt = None,
    signature: Annotated[
        str | None,
        typer.Option(help="The recogniser's EIP-712 signature, to relay (with --recogniser)."),
    ] = None,
    recogniser: Annotated[
        str | None, typer.Option(help="Who signed --signature (a valuer accredited there).")
    ] = None,
    *,
    target: Target,
) -> None:
    """Recognise another jurisdiction's valuation in JURISDICTION: signed by the signer
    (a valuer accredited there), or relayed with --signature and --recogniser."""
    with one_line_errors():
        digest = sha256_file(review)
        rid = report_id(report, valuer)
        if (signature is None) != (recogniser is None):
            raise ValueError("--signature and --recogniser go together")
        code = _jurisdiction(jurisdiction)
        signed = None if signature is None else _signature(signature)
        ledger, sender = target.signer()
        pid = registered_patent(ledger, patent)
        if signed is None:
            if not isinstance(sender, KeyAccount):
                raise IpledgerError("the recogniser signs with its key: pass --keystore")
            who = sender.address
            signed = ledger.recognition.sign(sender.account, report_id=rid, patent_id=pid,
                                             jurisdiction=code, review_hash=digest)  # fmt: skip
        else:
            who = parse_address(recogniser or "")
        ledger.recognition.recognise(
            report_id=rid, patent_id=pid, jurisdiction=code, recogniser=who,
            review_hash=digest, signature=signed, sender=sender,
        )  # fmt: skip
    data = {"patentId": "0x" + pid.hex(), "reportId": "0x" + rid.hex(), "jurisdiction": code,
            "recogniser": who, "reviewHash": "0x" + digest.hex()}  # fmt: skip
    target.done(data, f"0x{rid.hex()} recognised in {code} by {who}")


@verb(signs=True)
def withdraw_recognition_cmd(
    report: ReportArg,
    reason: Annotated[Path, typer.Option(help="Why (its sha256 goes on the trail).")],
    jurisdiction: JurisdictionArg = "HK",
    valuer: ValuerOpt = None,
    *,
    target: Target,
) -> None:
    """Withdraw a recognition (its recogniser, or the accreditor): the valuation stops
    counting in JURISDICTION."""
    with one_line_errors():
        digest = sha256_file(reason)
        rid = report_id(report, valuer)
        code = _jurisdiction(jurisdiction)
        ledger, sender = target.signer()
        ledger.recognition.withdraw(rid, code, digest, sender=sender)
    data = {"reportId": "0x" + rid.hex(), "jurisdiction": code, "withdrawn": True,
            "reasonHash": "0x" + digest.hex()}  # fmt: skip
    target.done(data, f"recognition of 0x{rid.hex()} in {code} withdrawn")


@verb(signs=True)
def accept_cmd(
    where: Annotated[str, typer.Argument(help="The jurisdiction whose policy this is.")],
    source: Annotated[str, typer.Argument(metavar="FROM", help="Whose valuers' valuations.")],
    direct: Annotated[
        bool,
        typer.Option("--direct/--needs-recognition", help="Count without a recognition, or not."),
    ] = True,
    *,
    target: Target,
) -> None:
    """Set WHERE's policy for valuations by FROM's valuers (accreditor): counted directly,
    or only once a valuer accredited in WHERE recognises each."""
    with one_line_errors():
        a, b = _jurisdiction(where), _jurisdiction(source)
        ledger, sender = target.signer()
        ledger.recognition.set_direct(a, b, direct=direct, sender=sender)
    how = "directly" if direct else "once recognised"
    target.done({"where": a, "from": b, "direct": direct},
                f"{a} counts valuations by {b} valuers {how}")  # fmt: skip


@verb(signs=False)
def latest_cmd(
    patent: PatentArg,
    jurisdiction: Annotated[
        str | None,
        typer.Option(help="Where it must count (by its valuer, policy, or a recognition)."),
    ] = None,
    *,
    target: Target,
) -> None:
    """The latest valuation of PATENT that counts now (in JURISDICTION, when given): what
    implied values and collateral there rest on."""
    with one_line_errors():
        ledger = target.ledger()
        pid = registered_patent(ledger, patent)
        code = None if jurisdiction is None else _jurisdiction(jurisdiction)
        latest = (
            ledger.valuations.latest_valuation(pid)
            if code is None
            else ledger.recognition.latest_valuation_in(pid, code)
        )
    where = f" in {code}" if code else ""
    if latest is None:
        target.done(None, f"no valuation of {patent} counts{where} now")
        return
    places = minor_units(latest.currency)
    value = f"{latest.currency} {units(latest.value, places, places)}"
    said = f"{value} by {latest.valuer}, report 0x{latest.report_id.hex()}"
    target.done(latest.as_json(), f"{patent}{where}: {said}")


def _jurisdiction(text: str) -> str:
    """An ISO 3166-1 alpha-2 code as typed ("hk" is "HK"); a clear error otherwise."""
    code = text.strip().upper()
    jurisdiction_bytes(code)  # raises ValueError naming what is wrong
    return code


def _signature(text: str) -> bytes:
    """A 65-byte signature typed as hex (0x optional)."""
    try:
        raw = bytes.fromhex(text.strip().removeprefix("0x"))
    except ValueError:
        raise ValueError(f"--signature {text!r} is not hex") from None
    if len(raw) != 65:
        raise ValueError(f"--signature is {len(raw)} bytes; a signature is 65 (r, s, v)")
    return raw
