"""Valuation report files: every bad input is refused with the field and the problem."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ipledger.mirror.reports import ReportError, load_report
from tests.support.reports import BAD_CASES

PILOT = Path(__file__).resolve().parents[1] / "examples" / "pilot" / "valuations"


def _write(folder: Path, report: dict[str, object], document: bytes = b"report body") -> Path:
    (folder / "doc.txt").write_bytes(document)
    path = folder / "report.json"
    path.write_text(json.dumps(report))
    return path


@pytest.fixture
def good() -> dict[str, object]:
    report: dict[str, object] = json.loads((PILOT / "HKTIS-2026-0001.json").read_text())
    report["document"] = "doc.txt"
    report["reportHash"] = hashlib.sha256(b"report body").hexdigest()
    return report


def test_pilot_reports_load() -> None:
    for path in sorted(PILOT.glob("*.json")):
        report = load_report(path)
        assert report.to_valuation().value == report.value.amount


def test_good_report_converts_to_valuation(tmp_path: Path, good: dict[str, object]) -> None:
    valuation = load_report(_write(tmp_path, good)).to_valuation()
    assert valuation.currency == "HKD"
    assert valuation.valuation_date < valuation.valid_until


@pytest.mark.parametrize(("change", "field", "problem"), BAD_CASES)
def test_bad_report_names_the_field(
    tmp_path: Path, good: dict[str, object], change: dict[str, object], field: str, problem: str
) -> None:
    path = _write(tmp_path, {**good, **change})
    with pytest.raises(ReportError) as info:
        load_report(path)
    assert info.value.field == field
    assert info.value.problem.removeprefix("Value error, ").startswith(problem)
    assert str(info.value) == f"report.json: {field}: {info.value.problem}"


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"value": NaN}', ""])
def test_malformed_json_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "report.json"
    path.write_text(text)
    with pytest.raises(ReportError) as info:
        load_report(path)
    assert info.value.field == "file"


def test_missing_field_is_named(tmp_path: Path, good: dict[str, object]) -> None:
    del good["standard"]
    with pytest.raises(ReportError) as info:
        load_report(_write(tmp_path, good))
    assert (info.value.field, info.value.problem) == ("standard", "Field required")
