"""CLI verbs of valuation challenges: a holder of the patent's tokens, a lender with a
pledge on it, or the registrar disputes a valuation citing evidence; the accreditor
upholds (revokes it for cause) or dismisses the challenge, citing its decision. Each
names what it changed, in text or `--json`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ipledger.cli.admin_ops import ReportArg, report_id
from ipledger.cli.common import (
    PatentArg,
    Target,
    one_line_errors,
    registered_patent,
    sha256_file,
    verb,
)

ValuerOpt = Annotated[
    str | None, typer.Option(help="The valuer, when the report is given by its own id.")
]


@verb(signs=True)
def challenge_cmd(
    patent: PatentArg,
    report: ReportArg,
    evidence: Annotated[Path, typer.Option(help="Why (its sha256 goes on the patent's trail).")],
    loan: Annotated[
        int | None, typer.Option(help="As the lender of this open loan pledging the patent.")
    ] = None,
    valuer: ValuerOpt = None,
    *,
    target: Target,
) -> None:
    """Challenge a valuation: it counts nowhere until the accreditor decides (a holder of
    at least 1% of the patent's tokens, the lender of an open loan pledging it, or the
    registrar)."""
    with one_line_errors():
        digest = sha256_file(evidence)
        rid = report_id(report, valuer)
        ledger, sender = target.signer()
        pid = registered_patent(ledger, patent)
        book = ledger.addresses.loan_book if loan is not None else None
        ledger.valuations.challenge(pid, rid, digest, loan_book=book, loan_id=loan or 0,
                                    sender=sender)  # fmt: skip
    data = {"patentId": "0x" + pid.hex(), "reportId": "0x" + rid.hex(), "challenged": True}
    target.done({**data, "evidenceHash": "0x" + digest.hex()}, f"challenged 0x{rid.hex()}")


@verb(signs=True)
def resolve_cmd(
    patent: PatentArg,
    report: ReportArg,
    upheld: Annotated[
        bool, typer.Option("--upheld/--dismissed", help="Revoke it for cause, or restore it.")
    ],
    decision: Annotated[Path, typer.Option(help="The decision (its sha256 goes on the trail).")],
    valuer: ValuerOpt = None,
    *,
    target: Target,
) -> None:
    """Decide a challenge (accreditor): upheld revokes the valuation for cause; dismissed
    lets it count again."""
    with one_line_errors():
        digest = sha256_file(decision)
        rid = report_id(report, valuer)
        ledger, sender = target.signer()
        pid = registered_patent(ledger, patent)
        ledger.valuations.resolve_challenge(pid, rid, upheld=upheld, decision_hash=digest,
                                            sender=sender)  # fmt: skip
    verdict = "upheld: revoked for cause" if upheld else "dismissed: it counts again"
    data = {"patentId": "0x" + pid.hex(), "reportId": "0x" + rid.hex(), "upheld": upheld}
    target.done({**data, "decisionHash": "0x" + digest.hex()}, f"0x{rid.hex()} {verdict}")
