"""How the pages show amounts, addresses and times: each amount in its own token's or
currency's units (exact: integer arithmetic), addresses shortened with the whole one a
copy away, times in ISO (UTC) that the browser adds local time to."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from ipledger.mirror.reports import minor_units
from ipledger.models.units import iso, show_units

TOKEN_DECIMALS = 18  # every revenue-rights token (the ERC-20 default, as the suite deploys them)


def units(amount: int | None, decimals: int | None, places: int = 2) -> str:
    """Base units in whole units; raw base units where the token does not say its decimals."""
    if amount is None:
        return "—"
    if decimals is None:
        return f"{amount:,} base units"
    return show_units(int(amount), decimals, places)


def money(amount: int | None, symbol: str | None, decimals: int | None) -> str:
    if amount is None:
        return "—"
    return f"{symbol or ''} {units(amount, decimals)}".strip()


def valuation(value: int, currency: str) -> str:
    """A valuation in its currency's own units (minor units on chain)."""
    return f"{currency} {show_units(int(value), minor_units(currency))}"


def change(value: str | None, currency: str) -> str:
    """A signed change of a valuation (minor units, a decimal string) in the currency."""
    if value is None:
        return "—"
    amount = int(value)
    return ("+" if amount > 0 else "-" if amount < 0 else "") + valuation(abs(amount), currency)


def patent_path(reference: str | None, patent_id: bytes) -> str:
    """A patent page's path: by reference ("/patents/HK%2030012345"), or by id when the
    reference has a "/" (WO 2020/123456), which no path segment can carry."""
    if reference and "/" not in reference:
        return "/patents/" + quote(reference)
    return "/patents/0x" + bytes(patent_id).hex()


def tokens(amount: int) -> str:
    return show_units(int(amount), TOKEN_DECIMALS, 0)


def percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{100 * int(part) / int(whole):.2f}%"


def bps(value: int) -> str:
    if value >= 2**32 - 1:
        return "no collateral"
    return f"{value / 100:.2f}%"


def address(value: str | None) -> Markup:
    """0x1234…abcd with the whole address in its title and a copy button (shown by script)."""
    if not value:
        return Markup("—")
    return Markup(
        '<span class="addr"><code title="{0}">{1}</code><button type="button" class="copy" '
        'data-copy="{0}" hidden aria-label="Copy {0}">Copy</button></span>'
    ).format(value, f"{value[:6]}…{value[-4:]}")


def when(seconds: int | None) -> Markup:
    """The time in ISO (UTC); the page's script adds the reader's local time."""
    if not seconds:
        return Markup("—")
    return Markup('<time datetime="{}">{}</time>').format(_machine(int(seconds)), iso(int(seconds)))


def age(seconds: int | None, now: int) -> str:
    """How long ago, in days: a valuation's age."""
    if seconds is None:
        return "—"
    days = max(0, now - int(seconds)) // 86400
    return f"{days} day{'s' if days != 1 else ''}"


def _machine(seconds: int) -> str:
    if not 0 <= seconds <= 253402300799:
        return ""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


FILTERS: dict[str, Any] = {
    "units": units,
    "money": money,
    "valuation": valuation,
    "tokens": tokens,
    "change": change,
    "percent": percent,
    "bps": bps,
    "address": address,
    "when": when,
}
GLOBALS: dict[str, Any] = {"patent_path": patent_path, "age": age}
