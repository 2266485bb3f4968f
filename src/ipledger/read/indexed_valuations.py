"""Which valuation counts, from the index: the registry's rule (newest by valuation date
that is not revoked, expired, stale, challenged or by a withdrawn valuer) and, asked in a
jurisdiction, `ValuationRecognition`'s. A part of `IndexReader`, kept apart so that each
file reads as one concern; built once per reader, on first use."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ipledger.read.recognition import Recognitions

if TYPE_CHECKING:
    from ipledger.read.indexed import EventRow, IndexReader

Jurisdiction = str | Callable[[], str | None] | None


@dataclass
class ValuationState:
    """What decides whether a valuation counts, read from the index's events once."""

    dead: set[str]  # revoked report ids
    withdrawn: set[str]  # valuers withdrawn for cause
    max_age: dict[int, int]  # the revaluation policy: field -> seconds
    challenged: set[str]
    recognitions: Recognitions
    fields: dict[str, int] = field(default_factory=dict)  # patent -> field, as asked for

    @classmethod
    def from_index(cls, reader: IndexReader) -> ValuationState:
        revoked = reader.events("ValuationRevoked", "ValuationRevokedForCause")
        withdrawn = {e.args["valuer"] for e in reader.events("ValuerRemoved")}
        return cls(
            dead={e.args["reportId"] for e in revoked},
            withdrawn=withdrawn,
            max_age={
                int(e.args["field"]): int(e.args["maxAge"])
                for e in reader.events("MaxValuationAgeSet")
            },
            challenged=open_challenges(reader),
            recognitions=Recognitions.from_index(reader, withdrawn),
        )

    def latest(
        self, reader: IndexReader, patent_ids: Sequence[str], now: int, jurisdiction: Jurisdiction
    ) -> dict[str, EventRow | None]:
        """See `IndexReader.latest_valuations`."""
        # Each patent's field, only with a policy and only for the patents asked about
        # (a holder's few among 100,000 indexed patents stays a few rows).
        wanted = [p for p in patent_ids if p not in self.fields] if self.max_age else []
        if wanted:
            for e in reader.events("PatentRegistered", patent_ids=wanted):
                self.fields[e.args["patentId"]] = int(e.args["field"])
        where = _once(jurisdiction)
        by_patent: dict[str, list[EventRow]] = {p: [] for p in patent_ids}
        for e in reader.events("ValuationAttested", patent_ids=patent_ids):
            by_patent[e.patent_id or ""].append(e)
        out: dict[str, EventRow | None] = {}
        for pid, attested in by_patent.items():
            attested.sort(key=lambda e: (int(e.args["valuationDate"]), e.position), reverse=True)
            out[pid] = next((e for e in attested if self._counts(e, now, where)), None)
        return out

    def _counts(self, e: EventRow, now: int, where: Callable[[], str | None]) -> bool:
        a = e.args
        return (
            a["reportId"] not in self.dead
            and now < int(a["validUntil"])
            and a["valuer"] not in self.withdrawn
            and not self._stale(e, now)
            and a["reportId"] not in self.challenged
            and self.recognitions.counts_in(a["reportId"], a["valuer"], where())
        )

    def _stale(self, e: EventRow, now: int) -> bool:
        max_age = self.max_age.get(self.fields.get(e.patent_id or "", -1), 0)
        return max_age != 0 and now >= int(e.args["valuationDate"]) + max_age


def open_challenges(reader: IndexReader, until: int | None = None) -> set[str]:
    """Report ids under a challenge not yet resolved (they count nowhere meanwhile)."""
    open_: set[str] = set()
    for e in reader.events("ValuationChallenged", "ChallengeResolved", until=until):
        if e.event == "ValuationChallenged":
            open_.add(e.args["reportId"])
        else:
            open_.discard(e.args["reportId"])
    return open_


def _once(value: Jurisdiction) -> Callable[[], str | None]:
    """`value`, or what the callable `value` answers, asked at most once."""
    if not callable(value):
        return lambda: value
    answers: list[str | None] = []

    def ask() -> str | None:
        if not answers:
            answers.append(value())
        return answers[0]

    return ask
