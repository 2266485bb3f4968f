"""Where a valuation counts (mutual recognition), read the way `ValuationRecognition`
decides it: from the chain's events or the index's rows, so both give the same answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ipledger.models.reads import RecognitionRecord

if TYPE_CHECKING:
    from ipledger.read.indexed import IndexReader

RECOGNITION_EVENTS = ("ValuationRecognised", "RecognitionWithdrawn")


def hex32(value: Any) -> str:
    """bytes32 from a node (bytes) or from the index (0x-hex), as 0x-hex."""
    return value.lower() if isinstance(value, str) else "0x" + bytes(value).hex()


def code(value: Any) -> str:
    """A bytes2 jurisdiction from a node (b"HK") or from the index (0x484b), as letters."""
    if isinstance(value, str) and not value.startswith("0x"):
        return value  # letters already
    raw = bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)
    return raw.rstrip(b"\0").decode("ascii", "replace")


def recognition_records(
    events: Iterable[tuple[str, Mapping[str, Any], int]],
    withdrawn: Callable[[str], bool],
) -> dict[str, list[RecognitionRecord]]:
    """Each report's recognitions (report id as 0x-hex), from (event name, args, block) in
    chain order; a withdrawal marks its recognition, and `withdrawn` (a valuer withdrawn
    for cause) its recogniser."""
    out: dict[str, list[RecognitionRecord]] = {}
    for name, a, block in events:
        report, where = hex32(a["reportId"]), code(a["jurisdiction"])
        mine = out.setdefault(report, [])
        if name == "ValuationRecognised":
            mine.append(
                RecognitionRecord(
                    jurisdiction=where,
                    recogniser=a["recogniser"],
                    review_hash=a["reviewHash"],
                    block_number=block,
                    recogniser_withdrawn=withdrawn(a["recogniser"]),
                )
            )
        else:
            out[report] = [
                r.model_copy(update={"withdrawn": True}) if r.jurisdiction == where else r
                for r in mine
            ]
    return out


@dataclass
class Recognitions:
    """The state `ValuationRecognition.latestValuationIn` consults, from the index."""

    homes: dict[str, str] = field(default_factory=dict)  # valuer -> its jurisdiction
    direct: set[tuple[str, str]] = field(default_factory=set)  # (where, from) accepted directly
    active: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (report, where) -> recogniser
    withdrawn: set[str] = field(default_factory=set)  # valuers withdrawn for cause

    @classmethod
    def from_index(
        cls, reader: IndexReader, withdrawn: set[str], until: int | None = None
    ) -> Recognitions:
        """The state at block `until` (the index's block when None)."""
        state = cls(withdrawn=withdrawn)
        for e in reader.events("ValuerSet", until=until):
            state.homes[e.args["valuer"]] = code(e.args["jurisdiction"])
        for e in reader.events("DirectAcceptanceSet", until=until):
            key = (code(e.args["where"]), code(e.args["from"]))
            if e.args["direct"]:
                state.direct.add(key)
            else:
                state.direct.discard(key)
        for e in reader.events(*RECOGNITION_EVENTS, until=until):
            key = (hex32(e.args["reportId"]), code(e.args["jurisdiction"]))
            if e.event == "ValuationRecognised":
                state.active[key] = e.args["recogniser"]
            else:
                state.active.pop(key, None)
        return state

    def counts_in(self, report_id: str, valuer: str, jurisdiction: str | None) -> bool:
        """Whether a valuation that counts at all counts in `jurisdiction` (None: any)."""
        if jurisdiction is None:
            return True
        home = self.homes.get(valuer)
        if home == jurisdiction or (jurisdiction, home) in self.direct:
            return True
        recogniser = self.active.get((hex32(report_id), jurisdiction))
        return recogniser is not None and recogniser not in self.withdrawn

    def recognised_in(self, report_id: str) -> list[str]:
        """Where a recognition of the report is in force, sorted."""
        report = hex32(report_id)
        return sorted(
            where
            for (r, where), recogniser in self.active.items()
            if r == report and recogniser not in self.withdrawn
        )

    def home_of(self, valuer: str) -> str | None:
        """The valuer's jurisdiction; None once withdrawn (the registry forgets it)."""
        return None if valuer in self.withdrawn else self.homes.get(valuer)
