"""Chain-side checks of a valuation report before the mirror signs it.

A report that passes its file checks (reports.py) must also name a registered patent,
the valuer whose key this mirror holds, accredited now, with dates that make sense by
chain time. Reads are made once per pass (and per patent), not once per report.
"""

from __future__ import annotations

from pathlib import Path

from web3 import Web3

from ipledger.clients.ledger import Ledger
from ipledger.mirror.reports import ReportError, ValuationReport

MAX_AGE = 365 * 86400  # ValuationRegistry.MAX_AGE
MIN_VALIDITY = 30 * 86400  # ValuationRegistry.MIN_VALIDITY


class ChainChecks:
    """What a report must satisfy on chain, read once per pass and per patent."""

    def __init__(self, ledger: Ledger, signer: str) -> None:
        self.ledger = ledger
        self.signer = Web3.to_checksum_address(signer)
        self.now = int(ledger.w3.eth.get_block("latest")["timestamp"])
        self.registered: dict[bytes, bool] = {}
        self.accredited_until: int | None = None

    def check(self, path: Path, report: ValuationReport) -> None:
        if Web3.to_checksum_address(report.valuer) != self.signer:
            raise ReportError(
                path, "valuer", f"{report.valuer} is not the key this mirror signs with"
            )
        pid = report.patent_id
        if pid not in self.registered:
            self.registered[pid] = self.ledger.patents.is_registered(pid)
        if not self.registered[pid]:
            raise ReportError(path, "patent", f"{report.patent} is not registered on chain")
        if self.accredited_until is None:
            self.accredited_until = self.ledger.valuations.accredited_until(report.valuer)
        if self.accredited_until <= self.now:
            raise ReportError(path, "valuer", f"{report.valuer} is not accredited now")
        valuation = report.to_valuation()
        if valuation.valuation_date > self.now:
            raise ReportError(path, "valuationDate", "is in the future by chain time")
        if valuation.valid_until <= self.now:
            raise ReportError(path, "validUntil", "has already passed by chain time")
        if valuation.valid_until < self.now + MIN_VALIDITY:
            raise ReportError(path, "validUntil", "is less than 30 days after chain time")
        if valuation.valuation_date + MAX_AGE < self.now:
            raise ReportError(
                path, "valuationDate", "is more than 365 days before chain time: too old to attest"
            )
