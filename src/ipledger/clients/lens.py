"""Client of the HoldingsLens: a page of holdings or patent summaries per call."""

from __future__ import annotations

from typing import Any

from ipledger.clients.base import ContractClient
from ipledger.models import LatestValuation


def latest_from_tuple(data: Any) -> LatestValuation | None:
    found, report_id, valuer, value, currency, date, valid_until = data
    if not found:
        return None
    return LatestValuation(
        report_id=report_id,
        valuer=valuer,
        value=value,
        currency=currency.decode("ascii"),
        valuation_date=date,
        valid_until=valid_until,
    )


class HoldingsLensClient(ContractClient):
    PAGE = 500  # patents scanned per call: well inside a node's eth_call gas cap

    def holdings_page(self, investor: str, offset: int, limit: int) -> tuple[list[Any], int]:
        rows, next_offset = self._call("holdingsOf", investor, offset, limit)
        return list(rows), int(next_offset)

    def all_holdings(self, investor: str) -> list[Any]:
        """Every holding, paging through the registry's index."""
        rows, offset = self.holdings_page(investor, 0, self.PAGE)
        while offset:
            more, offset = self.holdings_page(investor, offset, self.PAGE)
            rows += more
        return rows

    def summaries_page(self, offset: int, limit: int) -> tuple[list[Any], int]:
        rows, next_offset = self._call("patentSummaries", offset, limit)
        return list(rows), int(next_offset)
