"""Only what the chain holds is final: a rejected report, corrected and dropped again, is
validated afresh; a quarantined file, corrected, settles its entry; each run says what
it did and logs a line per report."""

from __future__ import annotations

import json

import pytest

from ipledger.mirror.service import RunSummary
from ipledger.models import parse_patent
from tests.support.mirror import REPORTS, MirrorEnv, write_reports

pytestmark = pytest.mark.chain


def test_a_corrected_rejected_report_is_taken_in_again(env: MirrorEnv) -> None:
    lines: list[str] = []
    mirror = env.mirror(log=lines.append)
    first = mirror.run_until_settled(env.source)
    assert first.as_json(mirror.outbox.counts())["thisRun"] == {
        "takenIn": len(REPORTS),
        "resubmitted": 0,
        "sent": len(REPORTS),
        "confirmed": len(REPORTS),
        "failed": 0,
        "conflicts": 0,
        "quarantined": 0,
    }
    assert f"{REPORTS[0]}: taken in from {REPORTS[0]}.json" in lines
    assert f"{REPORTS[0]}: confirmed" in lines
    # A report of the valuer's that an earlier run rejected (here: recorded so).
    [report_id] = write_reports(env.source, env.valuer.address, 1, "FIX")
    mirror.ingest(env.source, RunSummary())
    mirror.outbox.set_state([report_id], "rejected", reason="cannot sign: a broken field")
    path = env.source / f"{report_id[:3]}0.json"
    stale = json.loads(path.read_text())
    path.write_text(json.dumps({**stale, "value": {"amount": 2_000_000, "currency": "HKD"}}))
    lines.clear()
    again = mirror.run_until_settled(env.source)
    counts = mirror.outbox.counts()
    mirror.close()
    assert again.as_json(counts)["thisRun"]["resubmitted"] == 1
    assert again.as_json(counts)["thisRun"]["confirmed"] == 1
    assert counts == {"confirmed": len(REPORTS) + 1}
    assert f"{report_id}: corrected and taken in again from FIX0.json" in lines
    latest = env.ledger.valuations.latest_valuation(parse_patent("HK 30012345"))
    assert latest is not None
    assert latest.value == 2_000_000  # the corrected value, not the rejected one


def test_a_corrected_quarantined_file_leaves_the_status(env: MirrorEnv) -> None:
    mirror = env.mirror()
    (env.source / "LATE.json").write_text("{ not json")
    first = mirror.run_until_settled(env.source)
    assert "LATE.json" in first.quarantined
    assert [f for f, _ in mirror.outbox.quarantined()] == ["LATE.json"]
    [report_id] = write_reports(env.source, env.valuer.address, 1, "LATE")
    (env.source / "LATE0.json").rename(env.source / "LATE.json")
    mirror.run_until_settled(env.source)
    counts = mirror.outbox.counts()
    assert mirror.outbox.get(report_id) is not None
    assert mirror.outbox.quarantined() == []  # settled: not a stale reason
    mirror.close()
    assert "quarantined" not in counts
