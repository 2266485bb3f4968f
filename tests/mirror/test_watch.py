"""`ipledger mirror --watch`, run as its own process against anvil: it mirrors reports
as they arrive, and a supervisor's SIGTERM (or Ctrl-C) ends it after the pass under way
with its summary and exit status 0."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from tests.support.chain import wait_until
from tests.support.mirror import REPORTS, Harness, copy_reports, rid, write_reports

PILOT_VALUER = "0x554C3bA2F52fA5adb7cA4506166c4A5E71853DFa"


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_watch_mirrors_arrivals_and_stops_cleanly(
    harness: Harness, tmp_path: Path, stop: signal.Signals
) -> None:
    source = harness.source
    copy_reports(source)
    process = subprocess.Popen(
        [*harness.command, "--watch"],
        env=harness.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        registry = harness.ledger.valuations
        attested = registry.is_attested
        assert wait_until(lambda: all(attested(rid(r)) for r in REPORTS), 60), "pilot"
        # Reports arrive while it watches, moved in whole as a producer should.
        late = write_reports(tmp_path / "staging", PILOT_VALUER, 5, "late-")
        for name in sorted(p.name for p in (tmp_path / "staging").iterdir()):
            if name.endswith(".txt"):  # documents first
                (tmp_path / "staging" / name).rename(source / name)
        for path in sorted((tmp_path / "staging").glob("*.json")):
            path.rename(source / path.name)
        assert wait_until(lambda: all(attested(rid(r)) for r in late), 60), "arrivals"
        assert process.poll() is None  # still watching
        process.send_signal(stop)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    summary = json.loads(out)
    assert (summary["confirmed"], summary["pending"], summary["failed"]) == (9, 0, 0)
    assert summary["sentThisRun"] == 9
    assert summary["thisRun"]["confirmed"] == 9
    for report_id in late:  # a line per report it handles, on stderr (JSON on stdout)
        assert f"{report_id}: taken in from" in err
        assert f"{report_id}: confirmed" in err
