"""Valuation report files at their edges: the limits themselves are accepted, one past
them is refused, and what is refused before validation (bytes, depth, duplicate keys,
links) is named with the problem."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import time
from pathlib import Path

import pytest

from ipledger.mirror.files import (
    UnsafeFileError,
    json_depth,
    read_regular_file,
    sha256_of_regular_file,
)
from ipledger.mirror.reports import (
    MAX_DEPTH,
    MAX_REPORT_BYTES,
    ReportError,
    ValuationReport,
    load_report,
    minor_units,
)
from ipledger.models import Method, Purpose, patent_id, report_id_of

PILOT = Path(__file__).resolve().parents[1] / "examples" / "pilot" / "valuations"
BODY = b"report body"


@pytest.fixture
def good() -> dict[str, object]:
    report: dict[str, object] = json.loads((PILOT / "HKTIS-2026-0001.json").read_text())
    report["document"] = "doc.txt"
    report["reportHash"] = hashlib.sha256(BODY).hexdigest()
    return report


def _write(folder: Path, report: dict[str, object]) -> Path:
    (folder / "doc.txt").write_bytes(BODY)
    path = folder / "report.json"
    path.write_text(json.dumps(report))
    return path


def _refusal(path: Path) -> tuple[str, str]:
    with pytest.raises(ReportError) as info:
        load_report(path)
    return info.value.field, info.value.problem


def test_the_limits_themselves_are_accepted(tmp_path: Path, good: dict[str, object]) -> None:
    good |= {
        "value": {"amount": 10**15, "currency": "JPY"},
        "valuationDate": "2000-01-01",
        "validUntil": "2100-12-31",
        "reportId": "R" * 64,
        "standard": "S" * 64,
        "reportHash": "0x" + hashlib.sha256(BODY).hexdigest(),
        "scores": {
            "citationNetwork": 0,
            "commercialApplication": 100,
            "technologyMaturity": 0,
            "marketPotential": 100,
        },
    }
    report = load_report(_write(tmp_path, good))
    assert report.value.amount == 10**15
    assert report.report_hash_bytes == hashlib.sha256(BODY).digest()


def test_a_report_becomes_exactly_its_valuation(tmp_path: Path, good: dict[str, object]) -> None:
    good |= {
        "method": "market",
        "subsidised": False,
        "scores": {
            "citationNetwork": 1,
            "commercialApplication": 2,
            "technologyMaturity": 3,
            "marketPotential": 4,
        },
    }
    report: ValuationReport = load_report(_write(tmp_path, good))
    v = report.to_valuation()
    valuer = str(good["valuer"])
    assert v.report_id == report_id_of(valuer, "HKTIS-2026-0001")
    assert v.label == "HKTIS-2026-0001"
    assert v.patent_id == patent_id("HK", "30012345")
    assert v.valuer == valuer
    assert (v.value, v.currency) == (1850000000, "HKD")
    assert v.valuation_date == 1790726400  # 2026-09-30T00:00:00Z
    assert v.valid_until == 1845936000  # 2028-06-30T00:00:00Z
    assert v.method == Method.MARKET
    assert v.standard == "GB/T 42748-2023"
    scores = (v.citation_network, v.commercial_application, v.technology_maturity)
    assert (*scores, v.market_potential) == (1, 2, 3, 4)
    # The standard's purpose and indicators, and the model behind the machine scores.
    assert v.purpose == Purpose.FINANCE
    assert (v.legal_value, v.technical_value, v.economic_value) == (86, 82, 78)
    assert v.scoring_model == "HKSTP-IPScore@2.1"
    assert v.scoring_input.hex() == good["scoringModel"]["inputHash"]  # type: ignore[index]
    assert v.report_hash == hashlib.sha256(BODY).digest()
    assert v.subsidised is False


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b'{"a": 1, "a": 2}', "is not valid JSON (key 'a' is given twice"),
        (b'{"value": NaN}', "is not valid JSON (NaN is not a number"),
        (b'{"value": -Infinity}', "is not valid JSON (-Infinity is not a number"),
        (b"[1, 2]", "is not a JSON object"),
        (b'{"a": 1}\xff', "is not UTF-8 (invalid start byte at byte 8)"),
        (b"\xff\xfe{\x00}\x00", "is not UTF-8 (invalid start byte at byte 0)"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "nests 9 levels deep (at most 8)"),
    ],
)
def test_what_cannot_be_read_as_a_report_is_named(tmp_path: Path, raw: bytes, problem: str) -> None:
    path = tmp_path / "report.json"
    path.write_bytes(raw)
    field, said = _refusal(path)
    assert field == "file"
    assert said.startswith(problem), said


def test_depth_at_the_limit_reaches_validation(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text('{"x": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}")
    assert _refusal(path)[0] != "file"


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('{"a": "[[[{{{"}', 1),
        ('{"a": "\\"[[[", "b": [[]]}', 3),
        ('{"a": "\\\\", "b": [[]]}', 3),
        ("[][][]", 1),
        ("[[], [[]]]", 3),
        ("XXXXXXXXX", 0),
        ("[X[[]]]", 3),
        ("[]}]{[", 1),
        ("", 0),
    ],
)
def test_json_depth_counts_only_structure(text: str, depth: int) -> None:
    assert json_depth(text) == depth


def test_a_report_at_the_size_limit_is_read_and_one_byte_more_is_not(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_bytes(b"{" + b" " * (MAX_REPORT_BYTES - 2) + b"}")
    assert _refusal(path)[0] != "file"  # read, then refused for its content
    path.write_bytes(b"{" + b" " * (MAX_REPORT_BYTES - 1) + b"}")
    assert _refusal(path) == (
        "file",
        f"is {MAX_REPORT_BYTES + 1} bytes (at most {MAX_REPORT_BYTES})",
    )


def test_links_and_folders_are_refused_by_name(tmp_path: Path, good: dict[str, object]) -> None:
    target = _write(tmp_path, good)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert _refusal(link) == ("file", "is a symbolic link (links are never followed)")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    assert _refusal(folder) == ("file", "is not a regular file")
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "absent.json"))):
        load_report(tmp_path / "absent.json")


def test_a_document_that_is_a_link_is_refused(tmp_path: Path, good: dict[str, object]) -> None:
    (tmp_path / "elsewhere.txt").write_bytes(BODY)
    path = _write(tmp_path, good)
    (tmp_path / "doc.txt").unlink()
    os.symlink(tmp_path / "elsewhere.txt", tmp_path / "doc.txt")
    assert _refusal(path) == ("document", "doc.txt is a symbolic link (links are never followed)")


def test_file_reads_hash_in_chunks_and_stop_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    data = os.urandom((1 << 20) * 2 + 17)  # spans three read chunks
    path.write_bytes(data)
    assert sha256_of_regular_file(path, limit=len(data)) == hashlib.sha256(data).hexdigest()
    assert read_regular_file(path, limit=len(data)) == data
    with pytest.raises(
        UnsafeFileError, match=rf"^is {len(data)} bytes \(at most {len(data) - 1}\)$"
    ):
        read_regular_file(path, limit=len(data) - 1)


def test_minor_units_follow_iso_4217() -> None:
    assert (minor_units("JPY"), minor_units("HKD"), minor_units("CNY")) == (0, 2, 2)


def test_dates_are_utc_midnight_whatever_the_machines_zone(
    tmp_path: Path, good: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mirror run in Hong Kong (UTC+8) signs the same timestamps as one run in UTC."""
    monkeypatch.setenv("TZ", "HKT-8")
    time.tzset()
    try:
        valuation = load_report(_write(tmp_path, good)).to_valuation()
    finally:
        monkeypatch.undo()
        time.tzset()
    assert (valuation.valuation_date, valuation.valid_until) == (1790726400, 1845936000)


def test_a_report_that_cannot_be_read_is_named(
    tmp_path: Path, good: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(path: Path, *, limit: int) -> bytes:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("ipledger.mirror.reports.read_regular_file", failing)
    path = _write(tmp_path, good)
    with pytest.raises(ReportError) as info:
        load_report(path)
    assert (info.value.path, info.value.field) == (path, "file")
    assert info.value.problem == "cannot be read (Input/output error)"


def test_a_file_that_cannot_be_opened_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.json"
    path.write_text("{}")

    def refuse(*args: object, **kwargs: object) -> int:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("ipledger.mirror.files.os.open", refuse)
    with pytest.raises(UnsafeFileError, match=r"^cannot be opened \(Permission denied\)$"):
        read_regular_file(path, limit=10)
