"""Crash safety: the mirror, run as its own process against anvil, is killed (SIGKILL)
at each step boundary and restarted; the chain ends with exactly one attestation per
valid report."""

from __future__ import annotations

import json
import random
import subprocess
import time
from pathlib import Path

import pytest

from ipledger.clients.ledger import Ledger
from ipledger.mirror.service import CRASH_ENV
from tests.support.mirror import REPORTS, Harness, copy_reports, rid, write_reports

BOUNDARIES = ["after_sign", "after_send", "before_receipt", "after_receipt"]


def _attested(ledger: Ledger) -> list[bytes]:
    events = ledger.valuations.contract.events.ValuationAttested().get_logs(from_block=0)
    return sorted(e["args"]["reportId"] for e in events)


def _sent_once(harness: Harness, batches: int) -> None:
    """Exactly once, as the relayer did it: one transaction per batch, and no report
    sent again (the registry would skip it, and the mirror count it confirmed)."""
    assert harness.ledger.w3.eth.get_transaction_count(harness.relayer) == batches
    skipped = harness.ledger.valuations.contract.events.AttestationSkipped().get_logs(from_block=0)
    assert skipped == []


# What the restarted run still has to send: after signing, everything; after the batch
# was stored and broadcast, nothing (it is reconciled from the stored transaction).
LEFT_TO_SEND = {"after_sign": 4, "after_send": 0, "before_receipt": 0, "after_receipt": 0}


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_killed_at_each_boundary_then_restarted(
    harness: Harness, tmp_path: Path, boundary: str
) -> None:
    copy_reports(tmp_path / "in")
    crashed = subprocess.run(
        harness.command, env={**harness.env, CRASH_ENV: boundary}, capture_output=True, timeout=120
    )
    assert crashed.returncode == -9, crashed.stderr  # killed where asked
    finished = subprocess.run(
        harness.command, env=harness.env, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr
    summary = json.loads(finished.stdout)
    assert (summary["confirmed"], summary["failed"], summary["pending"]) == (4, 0, 0)
    assert summary["sentThisRun"] == LEFT_TO_SEND[boundary]
    assert _attested(harness.ledger) == sorted(rid(r) for r in REPORTS)
    _sent_once(harness, batches=1)


@pytest.mark.slow
def test_killed_at_random_points_over_hundreds_of_reports(harness: Harness, tmp_path: Path) -> None:
    ids = write_reports(tmp_path / "in", "0x554C3bA2F52fA5adb7cA4506166c4A5E71853DFa", 300, "R")
    chance = random.Random(20261126)
    kills = 0
    for _ in range(4):
        process = subprocess.Popen(
            harness.command, env=harness.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(chance.uniform(0.5, 2.5))
        if process.poll() is None:
            process.kill()  # SIGKILL, wherever it is
            kills += 1
        process.wait(timeout=30)
    finished = subprocess.run(
        harness.command, env=harness.env, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr
    assert kills >= 1
    assert json.loads(finished.stdout)["confirmed"] == 300
    assert _attested(harness.ledger) == sorted(rid(r) for r in ids)
    _sent_once(harness, batches=6)  # 300 reports in batches of 50
