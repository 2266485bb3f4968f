"""Malformed valuation reports, each with the field its error must name and a piece of
the problem it must state."""

from __future__ import annotations

from typing import NamedTuple


class BadCase(NamedTuple):
    change: dict[str, object]  # merged over a good report
    field: str
    problem: str  # how the error's problem begins (after pydantic's "Value error, ")


def _scores(citation: int) -> dict[str, object]:
    return {
        "scores": {
            "citationNetwork": citation,
            "commercialApplication": 1,
            "technologyMaturity": 1,
            "marketPotential": 1,
        }
    }


BAD_CASES: list[BadCase] = [
    BadCase(
        {"value": {"amount": 1.5, "currency": "HKD"}},
        "value.amount",
        "Input should be a valid integer",
    ),
    BadCase(
        {"value": {"amount": "100", "currency": "HKD"}},
        "value.amount",
        "Input should be a valid integer",
    ),
    BadCase(
        {"value": {"amount": -5, "currency": "HKD"}},
        "value.amount",
        "Input should be greater than 0",
    ),
    BadCase(
        {"value": {"amount": 0, "currency": "HKD"}},
        "value.amount",
        "Input should be greater than 0",
    ),
    BadCase(
        {"value": {"amount": 10**15 + 1, "currency": "HKD"}},
        "value.amount",
        "Input should be less than or equal to 1000000000000000",
    ),
    BadCase(
        {"value": {"amount": 5, "currency": "XYZ"}},
        "value.currency",
        "'XYZ' is not an ISO 4217 currency the sandbox accepts",
    ),
    BadCase(
        {"value": {"amount": 5, "currency": "HKD", "extra": 1}},
        "value.extra",
        "Extra inputs are not permitted",
    ),
    BadCase(_scores(101), "scores.citationNetwork", "Input should be less than or equal to 100"),
    BadCase(_scores(-1), "scores.citationNetwork", "Input should be greater than or equal to 0"),
    BadCase({"method": "guess"}, "method", "Input should be 'income', 'market' or 'cost'"),
    BadCase({"purpose": "speculation"}, "purpose", "Input should be 'licensing', 'finance'"),
    BadCase(
        {"dimensions": {"legal": 101, "technical": 1, "economic": 1}},
        "dimensions.legal",
        "Input should be less than or equal to 100",
    ),
    BadCase({"dimensions": {"legal": 1, "technical": 1}}, "dimensions.economic", "Field required"),
    BadCase(
        {"dimensions": {"legal": 1, "technical": "1", "economic": 1}},
        "dimensions.technical",
        "Input should be a valid integer",
    ),
    BadCase(
        {"scoringModel": {"name": "IP@Score", "version": "2", "inputHash": "ab" * 32}},
        "scoringModel.name",
        "String should match pattern",
    ),
    BadCase(
        {"scoringModel": {"name": "M" * 30, "version": "2.1", "inputHash": "ab" * 32}},
        "scoringModel.version",
        "name@version must fit in 32 characters",
    ),
    BadCase(
        {"scoringModel": {"name": "M", "version": "2", "inputHash": "xyz"}},
        "scoringModel.inputHash",
        "String should match pattern",
    ),
    BadCase({"scoringModel": None}, "scoringModel", "Input should be a valid dictionary"),
    BadCase({"valuer": "0x1234"}, "valuer", "'0x1234' is not an Ethereum address"),
    BadCase({"patent": "30012345"}, "patent", "'30012345' is not a patent reference"),
    BadCase({"patent": "hk 30012345"}, "patent", "is not canonical: write it 'HK 30012345'"),
    BadCase({"reportHash": "abc"}, "reportHash", "String should match pattern"),
    BadCase(
        {"valuationDate": "2026-13-01"},
        "valuationDate",
        "Input should be a valid date or datetime, month value is outside",
    ),
    BadCase({"validUntil": "2020-01-01"}, "validUntil", "is not after valuationDate"),
    BadCase({"validUntil": "2026-09-30"}, "validUntil", "is not after valuationDate"),
    BadCase({"valuationDate": "1999-12-31"}, "valuationDate", "is outside 2000-01-01..2100-12-31"),
    BadCase({"validUntil": "2101-01-01"}, "validUntil", "is outside 2000-01-01..2100-12-31"),
    # The last valuation date allowed, with a validity past the range: validity is named.
    BadCase(
        {"valuationDate": "2100-12-31", "validUntil": "2101-01-01"},
        "validUntil",
        "is outside 2000-01-01..2100-12-31",
    ),
    # The first date allowed for both: the validity is in range, but not after the date.
    BadCase(
        {"valuationDate": "2000-01-01", "validUntil": "2000-01-01"},
        "validUntil",
        "is not after valuationDate",
    ),
    BadCase({"unexpected": True}, "unexpected", "Extra inputs are not permitted"),
    BadCase({"subsidised": "yes"}, "subsidised", "Input should be a valid boolean"),
    BadCase({"reportId": ""}, "reportId", "String should have at least 1 character"),
    BadCase({"reportId": "R" * 65}, "reportId", "String should have at most 64 characters"),
    BadCase({"standard": "S" * 65}, "standard", "String should have at most 64 characters"),
    BadCase({"document": "../etc/passwd"}, "document", "String should match pattern"),
    BadCase({"document": "missing.txt"}, "document", "missing.txt is missing beside the report"),
    BadCase({"reportHash": "00" * 32}, "reportHash", "does not match sha256 of "),
]
