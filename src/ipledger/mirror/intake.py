"""The mirror's intake: every new report file in the source folder validated (its
fields, then against the chain) and recorded, or quarantined with its reason."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.exceptions import Web3Exception

from ipledger.clients.ledger import Ledger
from ipledger.mirror.checks import ChainChecks
from ipledger.mirror.common import TRANSIENT, ReportConflictError, RunSummary, safe
from ipledger.mirror.outbox import Outbox
from ipledger.mirror.quarantine import Quarantine
from ipledger.mirror.reports import ReportError, load_report, read_report_bytes


class Intake:
    """Mixed into `Mirror`: the attributes below are the mirror's."""

    ledger: Ledger
    outbox: Outbox
    valuer: LocalAccount
    log: Callable[[str], None]

    def ingest(self, source: Path, summary: RunSummary) -> None:
        """Validate every new report file; record the valid ones (one commit per pass).
        Each entry is handled inside its own error boundary: no file can stop a pass."""
        known = self.outbox.known()
        left = self.outbox.left_in_place()
        checks = ChainChecks(self.ledger, self.valuer.address)
        accepted: list[dict[str, Any]] = []
        with Quarantine(source) as quarantine:
            with os.scandir(source) as entries:
                names = sorted(e.name for e in entries if e.name.endswith(".json"))
            for name in names:
                path = source / name
                try:
                    if safe(name) != name:
                        raise ReportError(path, "file", "its name is not UTF-8")
                    row = self._take_in(path, known, checks)
                except FileNotFoundError:
                    continue  # vanished between listing and reading
                except (*TRANSIENT, Web3Exception):
                    raise  # the node's fault, not the file's: the pass is retried or stops
                except Exception as exc:  # the per-file error boundary
                    reason = str(exc) if isinstance(exc, ReportError) else f"{name}: {exc}"
                    if isinstance(exc, ReportConflictError):
                        summary.conflicts.append(reason)
                    self._quarantine(path, quarantine, reason, summary, left)
                    continue
                if row is not None:
                    again = known.get(row["report_id"], ("", ""))[1] == "rejected"
                    known[row["report_id"]] = (row["content_hash"], "validated")
                    accepted.append(row)
                    summary.resubmitted += again
                    self.log(
                        f"{row['report_id']}: "
                        + ("corrected and taken in again" if again else "taken in")
                        + f" from {safe(name)}"
                    )
        if accepted:
            self.outbox.insert_many(accepted)
            summary.taken_in += len(accepted)

    def _take_in(
        self, path: Path, known: dict[str, tuple[str, str]], checks: ChainChecks
    ) -> dict[str, Any] | None:
        """The outbox row of a new valid report; None for one already taken in."""
        raw = read_report_bytes(path)
        content_hash = hashlib.sha256(raw).hexdigest()
        if known.get(path.stem, ("", ""))[0] == content_hash:
            return None  # this very file was taken in before
        report = load_report(path, raw)
        checks.check(path, report)
        if report.report_id in known:
            previous_hash, state = known[report.report_id]
            if state == "rejected" and previous_hash != content_hash:
                pass  # only what the chain holds is final: a corrected report is new
            elif previous_hash != content_hash:
                raise ReportConflictError(
                    path,
                    "reportId",
                    f"{report.report_id} was already taken ({state}) with different "
                    "content: not re-sent",
                )
            else:
                return None
        return {
            "report_id": report.report_id,
            "content_hash": content_hash,
            "path": str(path),
            "valuation": report.to_valuation(),
        }

    def _quarantine(
        self,
        path: Path,
        quarantine: Quarantine,
        reason: str,
        summary: RunSummary,
        left: set[tuple[str, str | None]],
    ) -> None:
        try:
            content_hash: str | None = hashlib.sha256(read_report_bytes(path)).hexdigest()
        except (ReportError, OSError):
            content_hash = None
        reason = safe(reason)  # a file name's undecodable bytes, escaped
        if (safe(path.name), content_hash) in left:
            return  # recorded on an earlier pass, and could not be moved then either
        try:
            where = quarantine.move(path.name, reason)
        except OSError as exc:  # whatever the folder does, the pass goes on
            where = f"left in place: {exc.strerror}"
        moved = not where.startswith("left in place")
        self.outbox.quarantine(
            file=safe(path.name),
            moved_to=where if moved else None,
            content_hash=content_hash,
            reason=reason if moved else f"{reason} ({where})",
        )
        summary.quarantined[safe(path.name)] = reason
        self.log(f"quarantined {safe(path.name)}: {reason}")
