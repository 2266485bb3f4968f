"""The pages as `ipledger serve` renders them, without a server: the pilot shows each
page's size and time once its index is built (what a browser would be sent)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from ipledger.api.pages import supervisor, views
from ipledger.api.pages.pages import RECENT, TEMPLATES
from ipledger.api.tokens import SCOPES
from ipledger.clients.ledger import Ledger
from ipledger.models import parse_patent
from ipledger.models.types import Model
from ipledger.read.labels import Labels


class PagePreview(Model):
    path: str
    title: str
    bytes: int  # the HTML sent (the stylesheet and script are served once, cached)
    milliseconds: float  # the views' reads and the rendering, on this machine


def preview(ledger: Ledger, index: Engine, *, patent: str, investor: str) -> list[PagePreview]:
    """The overview, one patent's page, one investor's and the supervisor's."""
    labels = Labels(ledger)
    common: dict[str, Any] = {"units_of": labels.units, "units_of_token": _token_units(ledger)}
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    pages: list[tuple[str, str, str, Callable[[], dict[str, Any]]]] = [
        ("/", "Patents", "overview.html",
         lambda: {"view": views.patents_overview(ledger, index), "now": now}),
        (f"/patents/{patent}", patent, "patent.html",
         lambda: {"view": views.patent_page(ledger, index, parse_patent(patent))}),
        (f"/investors/{investor}", "Investor", "investor.html",
         lambda: {"view": views.investor_page(ledger, index, investor), "investor": investor,
                  "recent": RECENT}),
        ("/regulator", "Supervisor", "regulator.html",
         lambda: {"view": supervisor.supervisor_page(ledger, index, set(SCOPES))}),
    ]  # fmt: skip
    found = []
    for path, title, template, context in pages:
        start = time.perf_counter()
        html = TEMPLATES.env.get_template(template).render(**common, **context())
        elapsed = (time.perf_counter() - start) * 1000
        found.append(PagePreview(path=path, title=title, bytes=len(html.encode()),
                                 milliseconds=round(elapsed, 1)))  # fmt: skip
    return found


def _token_units(ledger: Ledger) -> Callable[[str], tuple[str | None, int | None]]:
    labels = Labels(ledger)
    return lambda token: labels.units(ledger.token(token).payment_token())
