"""The intake's per-file boundary: a file that vanishes is skipped without a trace, an
unexpected error in one file quarantines that file alone, with the error's words."""

from __future__ import annotations

import errno
import hashlib
import json
from pathlib import Path

import pytest

import ipledger.mirror.intake as intake
from ipledger.mirror.checks import ChainChecks
from ipledger.mirror.outbox import Outbox
from ipledger.mirror.quarantine import Quarantine
from ipledger.mirror.reports import ValuationReport
from ipledger.mirror.service import RunSummary
from tests.support.mirror import REPORTS, MirrorEnv, write_reports


def test_a_file_that_vanishes_while_read_is_skipped(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = intake.read_report_bytes

    def vanishing(path: Path) -> bytes:
        if path.name == f"{REPORTS[1]}.json":
            raise FileNotFoundError(path)
        return real(path)

    monkeypatch.setattr(intake, "read_report_bytes", vanishing)
    mirror = env.mirror()
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    assert (summary.taken_in, summary.quarantined) == (3, {})
    assert mirror.outbox.get(REPORTS[1]) is None
    monkeypatch.undo()  # it is back: the next pass takes it in
    mirror.ingest(env.source, summary)
    mirror.close()
    assert (summary.taken_in, mirror.outbox.counts()) == (4, {"validated": 4})


def test_an_unexpected_error_quarantines_that_file_alone(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ChainChecks.check
    bad = f"{REPORTS[2]}.json"

    def failing(self: ChainChecks, path: Path, report: ValuationReport) -> None:
        if path.name == bad:
            raise RuntimeError("boom")
        real(self, path, report)

    monkeypatch.setattr(ChainChecks, "check", failing)
    lines: list[str] = []
    mirror = env.mirror(log=lines.append)
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.close()
    assert summary.quarantined == {bad: f"{bad}: boom"}
    assert f"quarantined {bad}: {bad}: boom" in lines
    assert (summary.conflicts, summary.taken_in) == ([], 3)
    assert mirror.outbox.quarantined() == [(bad, f"{bad}: boom")]
    assert (env.source / "quarantine" / bad).exists()
    assert not (env.source / bad).exists()


def _quarantine_rows(env: MirrorEnv) -> list[tuple[object, ...]]:
    box = Outbox(env.outbox_path)
    try:
        return box.db.execute(
            "SELECT file, moved_to, content_hash, reason FROM quarantine ORDER BY id"
        ).fetchall()
    finally:
        box.close()


def test_a_quarantined_file_is_recorded_with_its_hash_and_where_it_went(env: MirrorEnv) -> None:
    (env.source / "bad.json").write_text("{not json")
    (env.source / "folder.json").mkdir()  # cannot be read: no hash
    mirror = env.mirror()
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.close()
    bad_reason = summary.quarantined["bad.json"]
    assert bad_reason.startswith("bad.json: file: is not valid JSON")
    assert _quarantine_rows(env) == [
        (
            "bad.json",
            str(env.source / "quarantine" / "bad.json"),
            hashlib.sha256(b"{not json").hexdigest(),
            bad_reason,
        ),
        (
            "folder.json",
            str(env.source / "quarantine" / "folder.json"),
            None,
            "folder.json: file: is not a regular file",
        ),
    ]


def test_a_file_that_cannot_be_moved_stays_and_is_recorded_once(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: Quarantine, name: str, reason: str) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Quarantine, "move", full)
    (env.source / "bad.json").write_text("{not json")
    mirror = env.mirror()
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.ingest(env.source, summary)  # a second pass records nothing new
    mirror.close()
    reason = summary.quarantined["bad.json"]
    assert _quarantine_rows(env) == [
        (
            "bad.json",
            None,
            hashlib.sha256(b"{not json").hexdigest(),
            f"{reason} (left in place: No space left on device)",
        )
    ]
    assert (env.source / "bad.json").exists()
    assert summary.taken_in == 4  # the rest went on


def test_a_second_file_with_a_taken_report_id_in_the_same_pass_is_a_conflict(
    env: MirrorEnv,
) -> None:
    """Two files in one folder claim the same report id with different content: the
    first is taken in, the second is quarantined as a conflict naming the field."""
    [report_id] = write_reports(env.source, env.valuer.address, 1, "TWIN")
    first = json.loads((env.source / "TWIN0.json").read_text())
    twin = {**first, "value": {"amount": 3_000_000, "currency": "HKD"}}
    (env.source / "TWIN1.json").write_text(json.dumps(twin))
    (env.source / "TWIN1.txt").write_bytes((env.source / "TWIN0.txt").read_bytes())
    mirror = env.mirror()
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.close()
    reason = (
        f"TWIN1.json: reportId: {report_id} was already taken (validated) with different "
        "content: not re-sent"
    )
    assert summary.quarantined == {"TWIN1.json": reason}
    assert summary.conflicts == [reason]
    assert summary.taken_in == len(REPORTS) + 1


def test_two_corrected_reports_in_one_pass_count_two_resubmitted(env: MirrorEnv) -> None:
    ids = write_reports(env.source, env.valuer.address, 2, "FIX")
    mirror = env.mirror()
    mirror.ingest(env.source, RunSummary())
    mirror.outbox.set_state(ids, "rejected", reason="cannot sign: a broken field")
    for n in range(2):
        path = env.source / f"FIX{n}.json"
        stale = json.loads(path.read_text())
        path.write_text(
            json.dumps({**stale, "value": {"amount": 2_000_000 + n, "currency": "HKD"}})
        )
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.close()
    assert (summary.resubmitted, summary.taken_in) == (2, 2)


def test_a_report_taken_in_is_not_judged_again_when_the_chain_changes(env: MirrorEnv) -> None:
    """Once taken in, a file is left alone by later passes: its valuer losing its
    accreditation afterwards does not put the file in quarantine (the chain will say,
    when it is sent)."""
    mirror = env.mirror()
    mirror.ingest(env.source, RunSummary())
    env.ledger.valuations.set_valuer(
        env.valuer.address, name="HKTIS", jurisdiction="HK", accredited_until=1,
        sender=env.actors.admin,
    )  # fmt: skip
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.close()
    assert (summary.taken_in, summary.quarantined) == (0, {})
