"""`ipledger report register|statements|flows|risk|subsidy|export|verify`: the
supervisor's reports, read from the index alone (`--db`, or $IPLEDGER_INDEX; no node),
each with `--json` and `--csv`; the signed audit bundle and its check.

The index's readers (SQLAlchemy) load only when one of these verbs runs.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from eth_account.messages import encode_defunct
from rich.table import Table
from rich.text import Text
from web3.exceptions import Web3Exception

from ipledger.chain.tx import KeyAccount, Sender
from ipledger.cli.common import (
    DbOpt,
    JsonOpt,
    ProjectOpt,
    Target,
    console,
    date_option,
    emit_json,
    engine_for,
    one_line_errors,
    verb,
)
from ipledger.errors import IpledgerError
from ipledger.models import parse_address, parse_patent

CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV (one row per line).")]
BlockOpt = Annotated[
    int | None, typer.Option("--block", help="Record date as a block (default: the index's last).")
]


def _out(rows: list[dict[str, Any]], *, as_json: bool, as_csv: bool, data: Any, title: str) -> None:
    if as_json:
        emit_json(data)
    elif as_csv:
        if rows:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    elif not rows:
        console.print(Text(f"{title}: nothing in the index"))
    else:
        table = Table(title=title)
        for name in rows[0]:
            table.add_column(name, overflow="fold")
        for row in rows:
            table.add_row(*(Text("" if v is None else str(v)) for v in row.values()))
        console.print(table)


def _reader(db: str | None, project: Path | None) -> Any:
    from ipledger.read.indexed import IndexReader

    return IndexReader.open(engine_for(db, project))


def report_register_cmd(
    patent: Annotated[str, typer.Argument(help='"HK 30012345", or the 0x patent id.')],
    block: BlockOpt = None,
    db: DbOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """The holders of a patent's tokens at a record date (block)."""
    from ipledger.read.registers import register

    with one_line_errors(), _reader(db, project) as reader:
        pid = "0x" + parse_patent(patent).hex()
        result = register(reader, pid, block=block, loan_book=reader.loan_book())
    rows = [h.as_json() for h in result.holders]
    title = f"Register of {result.reference or pid} at block {result.block}"
    _out(rows, as_json=as_json, as_csv=as_csv, data=result.as_json(), title=title)


def report_statements_cmd(
    holder: Annotated[str | None, typer.Argument(help="A holder's address: its statement.")] = None,
    patent: Annotated[
        str | None, typer.Option(help="A patent: one deposit's distribution.")
    ] = None,
    deposit: Annotated[
        int | None, typer.Option(help="The deposit's number (default: the last).")
    ] = None,
    since: Annotated[int | None, date_option("From this date (ISO 8601 or unix seconds).")] = None,
    until: Annotated[int | None, date_option("To this date (ISO 8601 or unix seconds).")] = None,
    db: DbOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """A holder's revenue statement over a period, or one deposit's distribution."""
    from ipledger.read.registers import distribution, statement

    with one_line_errors(), _reader(db, project) as reader:
        if holder is not None:
            result: Any = statement(reader, parse_address(holder), from_time=since, to_time=until)
            rows = [line.as_json() for line in result.lines]
            title = (
                f"Statement of {result.holder}: entitled {result.entitled}, "
                f"unclaimed {result.unclaimed}"
            )
        elif patent is not None:
            pid = "0x" + parse_patent(patent).hex()
            count = len(reader.events("RevenueDeposited", address=reader.token_of(pid).address))
            seq = count if deposit is None else deposit
            result = distribution(reader, pid, seq)
            rows = [e.as_json() for e in result.entitlements]
            title = f"Deposit {result.seq} of {reader.reference(pid) or pid}: {result.amount}"
        else:
            raise ValueError("give a holder's address, or --patent for a deposit's distribution")
    _out(rows, as_json=as_json, as_csv=as_csv, data=result.as_json(), title=title)


def report_flows_cmd(
    since: Annotated[int | None, date_option("From this date (ISO 8601 or unix seconds).")] = None,
    until: Annotated[int | None, date_option("To this date (ISO 8601 or unix seconds).")] = None,
    cross_border: Annotated[
        bool, typer.Option("--cross-border", help="Only flows between jurisdictions.")
    ] = False,
    db: DbOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Every movement of revenue rights between dates, with both parties' jurisdictions."""
    from ipledger.read.supervision import flows

    with one_line_errors(), _reader(db, project) as reader:
        start = None if since is None else (reader.block_at_time(since - 1) or -1) + 1
        end = None if until is None else reader.block_at_time(until)
        found = (
            []
            if end is None and until is not None
            else flows(reader, from_block=start, to_block=end, loan_book=reader.loan_book())
        )
    found = [f for f in found if f.cross_border or not cross_border]
    rows = [f.as_json() for f in found]
    _out(rows, as_json=as_json, as_csv=as_csv, data=rows, title="Flows of revenue rights")


def report_risk_cmd(
    block: BlockOpt = None,
    db: DbOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Concentration per patent, valuations and their changes, and the loan book."""
    from ipledger.read.supervision import risk

    with one_line_errors(), _reader(db, project) as reader:
        result = risk(reader, block=block, loan_book=reader.loan_book())
    if as_json:
        emit_json(result.as_json())
        return
    _out([c.as_json() for c in result.concentration], as_json=False, as_csv=as_csv, data=None,
         title=f"Concentration at block {result.block}")  # fmt: skip
    if not as_csv:
        _out([v.as_json() for v in result.valuations], as_json=False, as_csv=False, data=None,
             title="Valuations and their changes")  # fmt: skip
        console.print(Text(f"loans: {result.loans.as_json()}"))


def report_subsidy_cmd(
    year: Annotated[int | None, typer.Option(help="Calendar year (default: this one).")] = None,
    db: DbOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Subsidised valuations used in a year against the cap."""
    from ipledger.read.supervision import subsidy

    with one_line_errors(), _reader(db, project) as reader:
        result = subsidy(reader, year=year)
    row = {"year": result.year, "cap": result.cap, "used": result.used}
    _out(
        [row], as_json=as_json, as_csv=as_csv, data=result.as_json(), title="Subsidised valuations"
    )


@verb(signs=True)
def report_export_cmd(
    out: Annotated[Path, typer.Option("--out", help="A new folder for the bundle.")],
    db: DbOpt = None,
    *,
    target: Target,
) -> None:
    """Write the audit bundle, its manifest signed by the exporter's key."""
    from ipledger.read.bundle import export_bundle

    with one_line_errors():
        ledger, sender = target.signer()
        with _reader(db, target.project) as reader:
            manifest = export_bundle(
                reader,
                out,
                sign=lambda body: sign_message(ledger.w3, sender, body),
                signer=sender.address,
                chain_id=ledger.w3.eth.chain_id,
                loan_book=reader.loan_book(),
            )
    target.done(
        {"out": str(out), **manifest},
        f"wrote {len(manifest['files'])} files to {out} at block {manifest['block']}, "
        f"manifest signed by {manifest['exporter']}",
    )


def report_verify_cmd(
    folder: Annotated[Path, typer.Argument(help="The bundle's folder.")],
    signer: Annotated[str | None, typer.Option(help="The exporter it must be signed by.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a bundle against its signed manifest; exit 1 on any altered file."""
    from ipledger.read.bundle import verify_bundle

    with one_line_errors():
        check = verify_bundle(folder)
        expected = None if signer is None else parse_address(signer)
    wrong_signer = expected is not None and check.signer != expected
    if as_json:
        emit_json({**check.as_json(), "ok": check.ok and not wrong_signer})
    else:
        for kind in ("altered", "missing", "unlisted"):
            for name in getattr(check, kind):
                console.print(Text(f"{kind}: {name}", style="red"))
        if wrong_signer:
            console.print(Text(f"signed by {check.signer}, not {expected}", style="red"))
        if check.signer != check.exporter:
            console.print(
                Text(
                    f"signed by {check.signer}, not the exporter it names ({check.exporter})",
                    style="red",
                )
            )
        verdict = "intact" if check.ok and not wrong_signer else "NOT intact"
        console.print(Text(f"{folder}: {check.files} files, signed by {check.signer}: {verdict}"))
        if expected is None:
            console.print(Text("the signer was not checked against an expected key: pass --signer"))
    if not check.ok or wrong_signer:
        raise typer.Exit(code=1)


def sign_message(w3: Any, sender: Sender, body: bytes) -> bytes:
    """An EIP-191 personal signature of `body` by `sender` (a local key, or the node's)."""
    if isinstance(sender, KeyAccount):
        return bytes(sender.account.sign_message(encode_defunct(body)).signature)
    try:
        return bytes(w3.eth.sign(sender.address, data=body))
    except (Web3Exception, ValueError) as exc:
        raise IpledgerError(
            f"the node will not sign for {sender.address} ({exc}): sign with --keystore"
        ) from None
