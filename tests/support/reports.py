"""Malformed valuation reports, each with the field its error must name."""

from __future__ import annotations

BAD_CASES: list[tuple[dict[str, object], str]] = [
    ({"value": {"amount": 1.5, "currency": "HKD"}}, "value.amount"),
    ({"value": {"amount": "100", "currency": "HKD"}}, "value.amount"),
    ({"value": {"amount": -5, "currency": "HKD"}}, "value.amount"),
    ({"value": {"amount": 0, "currency": "HKD"}}, "value.amount"),
    ({"value": {"amount": 10**30, "currency": "HKD"}}, "value.amount"),
    ({"value": {"amount": 5, "currency": "XYZ"}}, "value.currency"),
    ({"value": {"amount": 5, "currency": "HKD", "extra": 1}}, "value.extra"),
    (
        {
            "scores": {
                "citationNetwork": 101,
                "commercialApplication": 1,
                "technologyMaturity": 1,
                "marketPotential": 1,
            }
        },
        "scores.citationNetwork",
    ),
    (
        {
            "scores": {
                "citationNetwork": -1,
                "commercialApplication": 1,
                "technologyMaturity": 1,
                "marketPotential": 1,
            }
        },
        "scores.citationNetwork",
    ),
    ({"method": "guess"}, "method"),
    ({"valuer": "0x1234"}, "valuer"),
    ({"patent": "30012345"}, "patent"),
    ({"reportHash": "abc"}, "reportHash"),
    ({"valuationDate": "2026-13-01"}, "valuationDate"),
    ({"validUntil": "2020-01-01"}, "validUntil"),
    ({"unexpected": True}, "unexpected"),
    ({"subsidised": "yes"}, "subsidised"),
    ({"reportId": ""}, "reportId"),
    ({"document": "../etc/passwd"}, "document"),
    ({"document": "missing.txt"}, "document"),
    ({"reportHash": "00" * 32}, "reportHash"),
]
