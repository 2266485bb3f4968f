"""CLI verbs of the ledger's officers: a patent's status and owner (registrar), valuers'
accreditation (accreditor), revoking a valuation (its valuer, or the accreditor for
cause), and roles (admin). Each names what it changed, in text or `--json`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ipledger.cli.common import (
    FieldChoice,
    PatentArg,
    RoleChoice,
    StatusChoice,
    Target,
    date_option,
    one_line_errors,
    registered_patent,
    sha256_file,
    verb,
)
from ipledger.errors import IpledgerError
from ipledger.models import Field, Role, Status, parse_address, parse_bytes32, report_id_of
from ipledger.models.units import iso

DAY = 86_400

ReportArg = Annotated[
    str,
    typer.Argument(help="The report: its on-chain id (0x + 64 hex), or the valuer's own id."),
]


def report_id(report: str, valuer: str | None) -> bytes:
    """The on-chain id of `report`: as typed (0x + 64 hex), or the valuer's own id."""
    if report.startswith("0x"):
        return parse_bytes32(report, "report id")
    if valuer is None:
        raise ValueError(f"report {report!r}: name its --valuer, or give its 0x id")
    return report_id_of(parse_address(valuer), report)


@verb(signs=True)
def set_status_cmd(
    patent: PatentArg,
    status: Annotated[StatusChoice, typer.Argument(case_sensitive=False)],
    *,
    target: Target,
) -> None:
    """Record a patent's legal status (registrar): lapsed, expired and revoked patents
    take no more revenue."""
    with one_line_errors():
        ledger, sender = target.signer()
        pid = registered_patent(ledger, patent)
        ledger.patents.set_status(pid, Status[status.name.upper()], sender=sender)
    data = {"patentId": "0x" + pid.hex(), "status": status.value}
    target.done(data, f"{patent}: {status.value}")


@verb(signs=True)
def set_owner_cmd(
    patent: PatentArg,
    owner: Annotated[str, typer.Argument(help="The new owner's address.")],
    *,
    target: Target,
) -> None:
    """Record a patent's new owner (registrar; an assignment)."""
    with one_line_errors():
        new_owner = parse_address(owner)
        ledger, sender = target.signer()
        pid = registered_patent(ledger, patent)
        ledger.patents.set_owner(pid, new_owner, sender=sender)
    data = {"patentId": "0x" + pid.hex(), "owner": new_owner}
    target.done(data, f"{patent}: owned by {new_owner}")


@verb(signs=True)
def accredit_cmd(
    valuer: Annotated[str, typer.Argument(help="The valuer's signing address.")],
    name: Annotated[str, typer.Option(help="The valuer's name.")],
    until: Annotated[int, date_option("Accredited until: an ISO date (2027-12-31).")],
    jurisdiction: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2.")] = "HK",
    *,
    target: Target,
) -> None:
    """Accredit a valuer, or renew its accreditation (accreditor)."""
    with one_line_errors():
        who = parse_address(valuer)
        ledger, sender = target.signer()
        ledger.valuations.set_valuer(
            who, name=name, jurisdiction=jurisdiction, accredited_until=until, sender=sender
        )
    data = {"valuer": who, "name": name, "accreditedUntil": until}
    target.done(data, f"accredited {name} ({who}) until {iso(until)}")


@verb(signs=True)
def withdraw_cmd(
    valuer: Annotated[str, typer.Argument(help="The valuer's signing address.")],
    *,
    target: Target,
) -> None:
    """Withdraw a valuer's accreditation for cause (accreditor): its valuations stop
    counting, and it cannot be accredited again."""
    with one_line_errors():
        who = parse_address(valuer)
        ledger, sender = target.signer()
        ledger.valuations.remove_valuer(who, sender=sender)
    target.done({"valuer": who, "withdrawn": True}, f"withdrew {who}")


@verb(signs=True)
def revoke_cmd(
    report: ReportArg,
    reason: Annotated[str, typer.Option(help="Why, as recorded on chain.")],
    *,
    target: Target,
) -> None:
    """Revoke one of the signer's own valuations (the valuer)."""
    with one_line_errors():
        ledger, sender = target.signer()
        rid = report_id(report, sender.address)
        if not ledger.valuations.is_attested(rid):
            raise IpledgerError(f"report {report} (0x{rid.hex()}) is not attested")
        ledger.valuations.revoke(rid, reason, sender=sender)
    target.done({"reportId": "0x" + rid.hex(), "revoked": True}, f"revoked 0x{rid.hex()}")


@verb(signs=True)
def revoke_for_cause_cmd(
    patent: PatentArg,
    report: ReportArg,
    reason: Annotated[str, typer.Option(help="Why, as recorded on chain.")],
    evidence: Annotated[Path, typer.Option(help="The finding (its sha256 goes on the trail).")],
    valuer: Annotated[
        str | None, typer.Option(help="The valuer, when the report is given by its own id.")
    ] = None,
    *,
    target: Target,
) -> None:
    """Revoke a valuation for cause, citing evidence (accreditor)."""
    with one_line_errors():
        digest = sha256_file(evidence)
        rid = report_id(report, valuer)
        ledger, sender = target.signer()
        pid = registered_patent(ledger, patent)
        ledger.valuations.revoke_for_cause(pid, rid, reason, digest, sender=sender)
    data = {"patentId": "0x" + pid.hex(), "reportId": "0x" + rid.hex(), "revoked": True}
    target.done({**data, "evidenceHash": "0x" + digest.hex()}, f"revoked 0x{rid.hex()}")


def _role(role: StrEnum, holder: str, grant: bool, target: Target) -> None:
    with one_line_errors():
        who = parse_address(holder)
        the_role = Role[role.name.upper()]
        ledger, sender = target.signer()
        where = ledger.roles(the_role.contract)
        (where.grant_role if grant else where.revoke_role)(the_role, who, sender=sender)
    data = {"role": role.value, "contract": the_role.contract, "account": who, "granted": grant}
    verb = "granted" if grant else "revoked"
    target.done(
        data,
        f"{verb} {role.value} ({the_role.contract}) {'to' if grant else 'from'} {who}",
    )


@verb(signs=True)
def grant_role_cmd(
    role: Annotated[RoleChoice, typer.Argument(case_sensitive=False)],
    holder: Annotated[str, typer.Argument(help="Who gets it.")],
    *,
    target: Target,
) -> None:
    """Grant a role (the role's admin)."""
    _role(role, holder, True, target)


@verb(signs=True)
def revoke_role_cmd(
    role: Annotated[RoleChoice, typer.Argument(case_sensitive=False)],
    holder: Annotated[str, typer.Argument(help="Who loses it.")],
    *,
    target: Target,
) -> None:
    """Revoke a role (the role's admin)."""
    _role(role, holder, False, target)


@verb(signs=True)
def max_age_cmd(
    field: Annotated[FieldChoice, typer.Argument(help="Technical field.", case_sensitive=False)],
    days: Annotated[
        int, typer.Argument(help="Maximum valuation age in days (0: no limit).", min=0)
    ],
    *,
    target: Target,
) -> None:
    """Set the revaluation policy (accreditor): a valuation of a patent in FIELD stops
    counting DAYS after its valuation date, and is due for revaluation."""
    with one_line_errors():
        ledger, sender = target.signer()
        chosen = Field[field.name.upper()]
        ledger.valuations.set_max_age(chosen, days * DAY, sender=sender)
    said = (
        f"valuations of {field.name} patents count for {days} days"
        if days
        else (f"valuations of {field.name} patents count until their valid-until")
    )
    target.done({"field": field.name, "maxAgeDays": days, "maxAge": days * DAY}, said)
