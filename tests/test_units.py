"""Units people mean: amounts shown whole (any uint256, never rounded), typed exactly,
dates read and shown in ISO 8601 and refused when they cannot be dates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipledger.models.units import iso, money, parse_units, show_units, timestamp


@given(st.integers(0, 2**256 - 1), st.integers(0, 36))
def test_a_shown_amount_reads_back_exactly(amount: int, decimals: int) -> None:
    shown = show_units(amount, decimals, places=0)
    assert parse_units(shown.replace(",", ""), decimals) == amount


def test_amounts_keep_every_digit_and_their_grouping() -> None:
    assert show_units(123456789012345678901234567891, 18) == "123,456,789,012.345678901234567891"
    assert show_units(18_500_000_000000, 6) == "18,500,000.00"
    assert show_units(1, 6) == "0.000001"
    assert show_units(250_000 * 10**18, 18, 0) == "250,000"
    assert show_units(7, 0) == "7"
    assert money(1_850_000_000, 2, "HKD") == "HKD 18,500,000.00"


def test_typed_amounts_are_exact_or_refused() -> None:
    assert parse_units("500000", 6) == 500_000_000_000
    assert parse_units("1.000", 2) == 100  # zeros past the token's decimals say nothing
    for bad in ("1.001", "1e3", "-5", "1,000", "", "٣"):
        with pytest.raises(ValueError, match="must be a number like 500000"):
            parse_units(bad, 2)


def test_dates_in_iso_and_out() -> None:
    assert timestamp("2045-06-30") == 2382393600
    assert timestamp("2045-06-30T08:00:00+08:00") == 2382393600
    assert timestamp("2382393600") == 2382393600  # unix seconds, as older scripts pass
    assert iso(2382393600) == "2045-06-30"
    assert iso(2382393601) == "2045-06-30T00:00:01Z"
    assert iso(2**64 - 1) == f"{2**64 - 1} (unix seconds)"  # what a contract may hold
    with pytest.raises(ValueError, match="milliseconds"):
        timestamp("2382393600000")
    with pytest.raises(ValueError, match="is not an ISO 8601 date"):
        timestamp("30/06/2045")
