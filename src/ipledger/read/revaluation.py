"""Which patents need a revaluation, for valuers' scheduling: the latest valuation that
counts falls due at its valid-until or when it reaches its field's maximum age
(`ValuationRegistry.maxValuationAge`), whichever is first; a patent whose newest live
valuation is already over that age is stale; one with none that counts has none."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ipledger.clients.ledger import Ledger
from ipledger.models import Field, Model
from ipledger.models.ledger import FieldName
from ipledger.models.types import Bytes32
from ipledger.read.labels import Labels

DAY = 86_400


class RevaluationDue(Model):
    patent_id: Bytes32
    reference: str | None
    field: FieldName
    status: str  # "due" (within the window), "stale" (over its field's age), "none"
    report_id: Bytes32 | None = None  # the valuation that counts, or the stale one
    valuation_date: int | None = None
    due_at: int | None = None  # unix seconds: valid-until or maximum age, the earlier
    days_left: int | None = None  # negative once past


def valuations_due(ledger: Ledger, *, within_days: int = 90,
                   labels: Labels | None = None) -> list[RevaluationDue]:  # fmt: skip
    """Patents whose valuation falls due within `within_days`, is stale, or is missing;
    soonest first (missing and stale ones first of all)."""
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    references = (labels or Labels(ledger)).all_references()
    attested = _by_patent(ledger.valuations.attested_events_all())
    ages = {f: ledger.valuations.max_age(f) for f in Field}
    found = []
    for pid in ledger.patents.patent_ids():
        field = ledger.patents.patent(pid).field
        latest = ledger.valuations.latest_valuation(pid)
        base: dict[str, Any] = {
            "patent_id": pid,
            "reference": references.get(bytes(pid)),
            "field": field,
        }
        if latest is not None:
            due = _due_at(latest.valuation_date, latest.valid_until, ages[field])
            left = _days(due, now)
            if left <= within_days:
                found.append(RevaluationDue(**base, status="due", report_id=latest.report_id,
                                            valuation_date=latest.valuation_date, due_at=due,
                                            days_left=left))  # fmt: skip
            continue
        stale = _newest_stale(ledger, attested.get(bytes(pid), []), ages[field], now)
        if stale is None:
            found.append(RevaluationDue(**base, status="none"))
        else:
            report, date, due = stale
            found.append(RevaluationDue(**base, status="stale", report_id=report,
                                        valuation_date=date, due_at=due,
                                        days_left=_days(due, now)))  # fmt: skip
    order = {"none": 0, "stale": 1, "due": 2}
    return sorted(found, key=lambda r: (order[r.status], r.due_at or 0))


def _days(due: int, now: int) -> int:
    """Whole days from `now` to `due`, negative once past (6.5 days late is -6)."""
    return (due - now) // DAY if due >= now else -((now - due) // DAY)


def _due_at(valuation_date: int, valid_until: int, max_age: int) -> int:
    return min(valid_until, valuation_date + max_age) if max_age else valid_until


def _by_patent(events: Iterable[Any]) -> dict[bytes, list[Any]]:
    out: dict[bytes, list[Any]] = {}
    for e in events:
        out.setdefault(bytes(e["args"]["patentId"]), []).append(e["args"])
    return out


def _newest_stale(ledger: Ledger, attested: list[Any], max_age: int,
                  now: int) -> tuple[bytes, int, int] | None:  # fmt: skip
    """The newest valuation that would count but for its age: (report, date, due)."""
    if not max_age:
        return None
    for a in sorted(attested, key=lambda a: int(a["valuationDate"]), reverse=True):
        if now >= int(a["validUntil"]) or ledger.valuations.is_revoked(a["reportId"]):
            continue
        if now < int(a["valuationDate"]) + max_age or ledger.valuations.is_withdrawn(a["valuer"]):
            continue
        return bytes(a["reportId"]), int(a["valuationDate"]), int(a["valuationDate"]) + max_age
    return None
