"""What the mirror's parts share, on its own: a run's summary, the crash harness's step
boundary, reading a row's valuation, and matching an attestation event to it."""

from __future__ import annotations

import os
import signal

import pytest

from ipledger.mirror.common import (
    CRASH_ENV,
    MirrorError,
    RunSummary,
    checkpoint,
    report_id_of_row,
    safe,
    same_valuation,
    signed_items,
    valuation_of,
)
from ipledger.mirror.outbox import Row
from ipledger.models import patent_id
from tests.support.valuations import make_valuation

VALUER = "0x554C3bA2F52fA5adb7cA4506166c4A5E71853DFa"
VALUATION = make_valuation(valuer=VALUER, patent_id=patent_id("HK", "30012345"), now=1_790_000_000)


def _row(valuation: object = VALUATION, signature: bytes | None = b"sig") -> Row:
    return Row("HKTIS-2026-0001", "h", "in/a.json", "signed", None, valuation, signature, None)  # type: ignore[arg-type]


def test_a_runs_passes_add_up_and_are_told_apart_from_the_totals() -> None:
    run = RunSummary(
        quarantined={"a.json": "bad"}, conflicts=["X: c"], sent=2, taken_in=3, resubmitted=2
    )
    run.settled = {"confirmed": 1}
    run.add(
        RunSummary(
            quarantined={"b.json": "worse"},
            conflicts=["Y: d"],
            sent=1,
            taken_in=1,
            resubmitted=1,
            settled={"confirmed": 2, "rejected": 1, "conflict": 1},
        )
    )
    totals = {
        "confirmed": 9,
        "rejected": 2,
        "quarantined": 4,
        "validated": 1,
        "signed": 2,
        "sent": 3,
    }
    assert run.as_json(totals) == {
        "confirmed": 9,
        "quarantined": 4,
        "failed": 2,
        "conflicts": ["X: c", "Y: d"],
        "sentThisRun": 3,
        "quarantineReasons": {"a.json": "bad", "b.json": "worse"},
        "pending": 6,
        "thisRun": {
            "takenIn": 4,
            "resubmitted": 3,
            "sent": 3,
            "confirmed": 3,
            "failed": 1,
            "conflicts": 1,
            "quarantined": 2,
        },
    }
    assert RunSummary().as_json({}) == {
        "confirmed": 0,
        "quarantined": 0,
        "failed": 0,
        "conflicts": [],
        "sentThisRun": 0,
        "quarantineReasons": {},
        "pending": 0,
        "thisRun": dict.fromkeys(
            ("takenIn", "resubmitted", "sent", "confirmed", "failed", "conflicts", "quarantined"), 0
        ),
    }


def test_a_checkpoint_kills_only_at_its_own_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CRASH_ENV, "after_send")
    checkpoint("after_sign")  # another step: nothing happens
    pid = os.fork()
    if pid == 0:  # the child stops where the harness names
        checkpoint("after_send")
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) == signal.SIGKILL
    monkeypatch.delenv(CRASH_ENV)
    checkpoint("after_send")


def test_undecodable_names_are_escaped() -> None:
    assert safe("ok.json") == "ok.json"
    assert safe("bad\udcff.json") == "bad\\udcff.json"


def test_a_rows_valuation_carries_its_label() -> None:
    assert valuation_of(_row()) == VALUATION
    unlabelled = VALUATION.model_copy(update={"label": ""})  # stored before labels were sent
    assert valuation_of(_row(unlabelled)).label == "HKTIS-2026-0001"
    assert report_id_of_row(_row()) == VALUATION.report_id
    assert signed_items([_row(), _row(signature=None)]) == [(VALUATION, b"sig"), (VALUATION, b"")]
    with pytest.raises(MirrorError, match=r"^outbox row HKTIS-2026-0001 holds no valuation$"):
        valuation_of(_row(valuation=None))


def _event_args() -> dict[str, object]:
    v = VALUATION
    return {
        "patentId": v.patent_id,
        "valuer": v.valuer,
        "value": v.value,
        "currency": v.currency.encode("ascii"),
        "valuationDate": v.valuation_date,
        "validUntil": v.valid_until,
        "method": int(v.method),
        "standard": v.standard,
        "scores": [
            v.citation_network,
            v.commercial_application,
            v.technology_maturity,
            v.market_potential,
        ],
        "reportHash": v.report_hash,
        "subsidised": v.subsidised,
    }


@pytest.mark.parametrize(
    ("field", "other"),
    [
        ("patentId", b"\x01" * 32),
        ("valuer", "0x" + "22" * 20),
        ("value", 1),
        ("currency", b"CNY"),
        ("valuationDate", 1),
        ("validUntil", 2),
        ("method", 2),
        ("standard", "other"),
        ("scores", [0, 0, 0, 0]),
        ("reportHash", b"\x02" * 32),
        ("subsidised", False),
    ],
)
def test_an_event_matches_only_the_very_valuation(field: str, other: object) -> None:
    assert same_valuation(_event_args(), VALUATION)
    assert not same_valuation({**_event_args(), field: other}, VALUATION)
