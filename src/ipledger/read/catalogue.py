"""The overview of every patent on the ledger, sortable and paged: from the index when
there is one (a fixed number of queries however many patents it holds), else from the
chain through the lens (no holder counts: only the index keeps registers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ipledger.models.ledger import Field, Status
from ipledger.models.reads import Overview, OverviewTotals, PatentRow, PatentSummary
from ipledger.read.indexed import IndexReader, letters
from ipledger.read.indexed_holdings import latest_of

PER_PAGE = 25
SORTS: dict[str, Callable[[PatentRow], Any]] = {
    "reference": lambda r: r.reference or "",
    "field": lambda r: r.field.value,
    "jurisdiction": lambda r: r.jurisdiction,
    "status": lambda r: r.status.value,
    "supply": lambda r: r.total_supply,
    "holders": lambda r: r.holders or 0,
    # Valuations in different currencies are not compared: grouped by currency, then value.
    "valuation": lambda r: (
        (r.latest_valuation.currency, r.latest_valuation.value) if r.latest_valuation else ("", -1)
    ),
    "age": lambda r: -r.latest_valuation.valuation_date if r.latest_valuation else 1,
    # Amounts in different payment tokens are not compared: grouped by token, then amount.
    "revenue": lambda r: (r.payment_token or "", r.revenue_deposited),
}


def overview(
    rows: list[PatentRow],
    *,
    sort: str = "reference",
    descending: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
    indexed_block: int | None = None,
) -> Overview:
    """One page of `rows` in the order asked for, with totals over all of them."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if page < 1 or not 1 <= per_page <= 500:
        raise ValueError("page must be 1 or more and per_page between 1 and 500")
    ordered = sorted(rows, key=SORTS[sort], reverse=descending)
    pages = max(1, -(-len(rows) // per_page))
    page = min(page, pages)  # past the end: the last page, not an empty ledger
    start = (page - 1) * per_page
    return Overview(
        patents=ordered[start : start + per_page],
        total=len(rows),
        page=page,
        pages=pages,
        per_page=per_page,
        sort=sort,
        descending=descending,
        totals=_totals(rows),
        indexed_block=indexed_block,
    )


def _totals(rows: list[PatentRow]) -> OverviewTotals:
    revenue: dict[str, int] = {}
    valued: dict[str, int] = {}
    for r in rows:
        if r.payment_token is not None and r.revenue_deposited:
            revenue[r.payment_token] = revenue.get(r.payment_token, 0) + r.revenue_deposited
        if r.latest_valuation is not None:
            v = r.latest_valuation
            valued[v.currency] = valued.get(v.currency, 0) + v.value
    return OverviewTotals(
        patents=len(rows),
        tokenised=sum(1 for r in rows if r.token is not None),
        revenue_deposited=revenue,
        valued=valued,
    )


def rows_from_summaries(summaries: list[PatentSummary]) -> list[PatentRow]:
    """The lens's summaries as rows (holders unknown without an index)."""
    return [PatentRow(**s.model_dump()) for s in summaries]


def rows_from_index(reader: IndexReader) -> list[PatentRow]:
    """Every registered patent as the index has it at its block."""
    block = reader.indexed_block()
    now = reader.block_time(block) or 0
    found: dict[str, dict[str, Any]] = {}
    for e in reader.events(
        "PatentRegistered", "PatentStatusChanged", "PatentOwnerChanged", "PatentMetadataUpdated"
    ):
        a, pid = e.args, e.patent_id or ""
        if e.event == "PatentRegistered":
            found[pid] = {
                "patent_id": pid,
                "reference": f"{letters(a['jurisdiction'])} {a['publicationNumber']}",
                "owner": a["owner"],
                "field": Field(int(a["field"])),
                "status": Status(int(a["status"])),
                "jurisdiction": letters(a["jurisdiction"]),
                "expiry": int(a["expiry"]),
                "token": None,
                "total_supply": 0,
                "revenue_deposited": 0,
                "evidence_entries": 0,
                "latest_valuation": None,
            }
        elif e.event == "PatentStatusChanged":
            found[pid]["status"] = Status(int(a["status"]))
        elif e.event == "PatentOwnerChanged":
            found[pid]["owner"] = a["owner"]
        else:
            found[pid]["expiry"] = int(a["expiry"])
    by_token: dict[str, str] = {}
    for t in reader.tokens():
        if t.patent_id in found:
            by_token[t.address] = t.patent_id
            found[t.patent_id].update(
                token=t.address, total_supply=t.supply, payment_token=t.payment_token
            )
    for e in reader.events("RevenueDeposited", addresses=list(by_token)):
        found[by_token[e.address]]["revenue_deposited"] += int(e.args["amount"])
    for e in reader.events("EvidenceAppended"):
        if e.patent_id in found:
            found[e.patent_id]["evidence_entries"] += 1
    holders = _holders(reader, block, by_token)
    for pid, latest in reader.latest_valuations(list(found), now).items():
        found[pid]["latest_valuation"] = None if latest is None else latest_of(latest.args)
    return [
        PatentRow(**row, holders=holders.get(row["token"], 0) if row["token"] else None)
        for row in found.values()
    ]


def _holders(reader: IndexReader, block: int, by_token: dict[str, str]) -> dict[str, int]:
    """Token -> its holders as the register counts them: the loan book's escrow is not a
    holder, its borrowers are (as the supervisor's concentration counts pledges)."""
    book = reader.loan_book()
    counts = reader.holder_counts(leave_out=book)
    patents = {pid: token for token, pid in by_token.items()}
    for pid, borrowers in reader.pledged_many(list(patents), block).items():
        token = patents[pid]
        free = reader.balances_at(token, block)
        counts[token] = counts.get(token, 0) + sum(1 for b in borrowers if b not in free)
    return counts
