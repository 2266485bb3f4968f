"""The intake's per-file boundary: a file that vanishes is skipped without a trace, an
unexpected error in one file quarantines that file alone, with the error's words."""

from __future__ import annotations

from pathlib import Path

import pytest

import ipledger.mirror.intake as intake
from ipledger.mirror.checks import ChainChecks
from ipledger.mirror.reports import ValuationReport
from ipledger.mirror.service import RunSummary
from tests.support.mirror import REPORTS, MirrorEnv


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
