"""Units people mean: ISO 8601 dates and amounts in a token's own units, read exactly
and shown whole. Base units and unix seconds stay in the JSON fields named for them."""

from __future__ import annotations

import datetime as dt
import re

_DIGITS = re.compile(r"[0-9]+")
_AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]+))?")


LATEST = 253402300799  # 9999-12-31T23:59:59Z: beyond it, a typo (milliseconds?), not a date


def timestamp(text: str, what: str = "date") -> int:
    """Unix seconds of an ISO 8601 date (midnight UTC, "2045-06-30") or date-time
    ("2045-06-30T17:00:00+08:00"; UTC when it names no offset). Digits alone are unix
    seconds, as scripts written before dates were accepted pass them."""
    text = text.strip()
    if _DIGITS.fullmatch(text) and len(text) > 8:  # 20450630 is a date, not 1970
        seconds = int(text)
        if seconds > LATEST:
            raise ValueError(f"{what} {text} is after the year 9999 (milliseconds, not seconds?)")
        return seconds
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{what} {text!r} is not an ISO 8601 date like 2045-06-30 "
            "(or 2045-06-30T17:00:00+08:00, or unix seconds)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    seconds = int(when.timestamp())
    if seconds < 0:
        raise ValueError(f"{what} {text!r} is before 1970")
    return seconds


def iso(seconds: int) -> str:
    """A unix time as people read it: the ISO date alone at midnight UTC, else the
    date-time in UTC ("2027-06-30", "2027-06-30T09:15:00Z"); a time no calendar holds
    (from a contract, up to 2**64) as its seconds."""
    if not 0 <= seconds <= LATEST:
        return f"{seconds} (unix seconds)"
    when = dt.datetime.fromtimestamp(seconds, dt.UTC)
    if when.time() == dt.time(0):
        return when.date().isoformat()
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_units(text: str, decimals: int, what: str = "amount") -> int:
    """Base units of an amount typed in the token's own units ("500000", "0.5"): ASCII
    digits, at most `decimals` places, exact (integer arithmetic, never rounded)."""
    match = _AMOUNT.fullmatch(text.strip())
    if match is None or len((match.group(2) or "").rstrip("0")) > decimals:
        raise ValueError(
            f"{what} {text!r} must be a number like 500000 or 0.5, with at most "
            f"{decimals} decimal places"
        )
    whole, fraction = match.group(1), (match.group(2) or "")[:decimals].ljust(decimals, "0")
    return int(whole + fraction)  # the digits themselves: exact at any size


def show_units(amount: int, decimals: int, places: int = 2) -> str:
    """`amount` base units in whole units, grouped by thousands, never rounded: at least
    `places` decimals (fewer when the token has fewer), more when the amount has them.
    Integer arithmetic throughout: exact for any uint256."""
    whole, fraction = divmod(amount, 10**decimals)
    digits = str(fraction).rjust(decimals, "0").rstrip("0") if decimals else ""
    digits = digits.ljust(min(places, decimals), "0")
    return f"{whole:,}" + (f".{digits}" if digits else "")


def money(amount: int, decimals: int, symbol: str, places: int = 2) -> str:
    """An amount with its unit, as a statement prints it: "HKD 18,500,000.00"."""
    return f"{symbol} {show_units(amount, decimals, places)}"
