"""What the mirror's parts share: its errors, a pass's summary, the crash harness's
step boundaries, what counts as the node being away, and reading an outbox row."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from typing import Any

import requests
from web3.exceptions import Web3RPCError

from ipledger.errors import IpledgerError
from ipledger.mirror.outbox import Row
from ipledger.mirror.reports import ReportError
from ipledger.models import Valuation
from ipledger.models.ledger import model_word

CRASH_ENV = "IPLEDGER_MIRROR_CRASH_AT"  # fault injection for the crash-safety harness
# Failures that mean "the node is away for now", not "the request is wrong".
TRANSIENT = (
    ConnectionError,
    TimeoutError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    Web3RPCError,  # a node's own error answer: rate limited (-32005), header not found...
)


class MirrorError(IpledgerError):
    """The mirror cannot run as configured."""


class ReportConflictError(ReportError):
    """A report reuses the id of one already taken in, with other content."""


@dataclass
class RunSummary:
    """What one run did (`thisRun`), beside the outbox's totals."""

    quarantined: dict[str, str] = field(default_factory=dict)  # file -> reason
    conflicts: list[str] = field(default_factory=list)
    sent: int = 0
    taken_in: int = 0  # reports validated and recorded by this run
    resubmitted: int = 0  # of those, corrected reports whose id had been rejected
    settled: dict[str, int] = field(default_factory=dict)  # outcome -> reports, this run

    def add(self, more: RunSummary) -> None:
        """Fold another pass of the same run (`--watch`) into this one."""
        self.quarantined.update(more.quarantined)
        self.conflicts += more.conflicts
        self.sent += more.sent
        self.taken_in += more.taken_in
        self.resubmitted += more.resubmitted
        for outcome, n in more.settled.items():
            self.settled[outcome] = self.settled.get(outcome, 0) + n

    def as_json(self, counts: dict[str, int]) -> dict[str, Any]:
        return {
            "confirmed": counts.get("confirmed", 0),
            "quarantined": counts.get("quarantined", 0),
            "failed": counts.get("rejected", 0),
            "conflicts": self.conflicts,
            "sentThisRun": self.sent,
            "quarantineReasons": self.quarantined,
            "pending": sum(counts.get(s, 0) for s in ("validated", "signed", "sent")),
            "thisRun": {
                "takenIn": self.taken_in,
                "resubmitted": self.resubmitted,
                "sent": self.sent,
                "confirmed": self.settled.get("confirmed", 0),
                "failed": self.settled.get("rejected", 0),
                "conflicts": self.settled.get("conflict", 0),
                "quarantined": len(self.quarantined),
            },
        }


def checkpoint(name: str) -> None:
    """A step boundary. The crash harness names one to SIGKILL this process there."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def signed_items(rows: list[Row]) -> list[tuple[Valuation, bytes]]:
    return [(valuation_of(r), r.signature or b"") for r in rows]


def safe(text: str) -> str:
    """`text` as valid UTF-8: a file name's undecodable bytes become escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def valuation_of(row: Row) -> Valuation:
    if row.valuation is None:
        raise MirrorError(f"outbox row {row.report_id} holds no valuation")
    if not row.valuation.label:  # stored before labels were sent: the row's id is it
        return row.valuation.model_copy(update={"label": row.report_id})
    return row.valuation


def report_id_of_row(row: Row) -> bytes:
    return valuation_of(row).report_id


def same_valuation(args: Any, v: Valuation) -> bool:
    """Whether a `ValuationAttested` event records exactly the valuation `v`."""
    return (
        args["patentId"] == v.patent_id
        and args["valuer"] == v.valuer
        and args["value"] == v.value
        and args["currency"] == v.currency.encode("ascii")
        and args["valuationDate"] == v.valuation_date
        and args["validUntil"] == v.valid_until
        and args["method"] == int(v.method)
        and args["standard"] == v.standard
        and list(args["scores"])
        == [v.citation_network, v.commercial_application, v.technology_maturity, v.market_potential]
        and args["reportHash"] == v.report_hash
        and args["subsidised"] == v.subsidised
    )


def same_basis(args: Any, v: Valuation) -> bool:
    """Whether a `ValuationBasis` event records exactly the basis `v` was signed with."""
    return (
        args["purpose"] == int(v.purpose)
        and list(args["dimensions"]) == [v.legal_value, v.technical_value, v.economic_value]
        and args["scoringModel"] == model_word(v.scoring_model)
        and args["scoringInput"] == v.scoring_input
    )
