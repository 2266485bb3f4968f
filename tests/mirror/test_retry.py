"""How the mirror waits out a node that is away: it backs off from 0.2 s, doubling to at
most 5 s, starts again from 0.2 s after a good pass, and gives up at its deadline with
what it did. (Sleeps are recorded, not slept.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import ipledger.mirror.service as service
from ipledger.mirror.service import Mirror, RunSummary
from tests.support.mirror import MirrorEnv


def _flaky(mirror: Mirror, monkeypatch: pytest.MonkeyPatch, failures: Iterator[bool]) -> None:
    real = mirror.reconcile

    def reconcile(summary: RunSummary) -> None:
        if next(failures, False):
            mirror.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
            raise ConnectionError("node away")
        real(summary)

    monkeypatch.setattr(mirror, "reconcile", reconcile)


def test_backoff_doubles_to_five_seconds_and_starts_again_after_a_good_pass(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(service.time, "sleep", slept.append)
    lines: list[str] = []
    mirror = env.mirror(log=lines.append, confirmations=2)  # the good pass leaves it sent
    # Seven failures, a good first pass (two reconciles), then one more failure (while the
    # node is away a block is mined: then the batch is deep enough).
    _flaky(mirror, monkeypatch, iter([True] * 7 + [False, False, True]))
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    waits = [line.rsplit(" ", 1)[1] for line in lines if line.startswith("node unavailable")]
    assert waits == ["0.2s", "0.4s", "0.8s", "1.6s", "3.2s", "5.0s", "5.0s", "0.2s"]
    assert all(line.startswith("node unavailable (ConnectionError)") for line in lines[:7])
    assert slept[:7] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]
    assert set(slept[7:]) == {0.2}  # between passes, and the last backoff
    assert (summary.sent, mirror.outbox.counts()) == (4, {"confirmed": 4})


def test_a_node_away_past_the_deadline_ends_the_run_with_an_empty_summary(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service.time, "sleep", lambda seconds: None)
    mirror = env.mirror()
    _flaky(mirror, monkeypatch, iter(lambda: True, False))  # away for ever
    summary = mirror.run_until_settled(env.source, timeout=0.2)
    mirror.close()
    assert summary == RunSummary()
    assert mirror.outbox.counts() == {}
