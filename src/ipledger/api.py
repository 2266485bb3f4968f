"""A read-only HTTP API over the ledger's queries (FastAPI; `ipledger serve`).

No write routes. Inputs are validated before anything touches the chain: a malformed
address or patent id is a 422 naming the field; an unknown patent a 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, HTTPException, Path

from ipledger.ledger import Ledger
from ipledger.queries import (
    evidence_trail,
    holdings,
    patent_summaries,
    patent_summary,
    valuation_history,
)
from ipledger.types import parse_address, patent_id
from ipledger.views import HoldingsView, PatentView, TrailView, ValuationRecordView

Address = Annotated[
    str, Path(pattern=r"^0x[0-9a-fA-F]{40}$", description="An Ethereum address, 0x + 40 hex.")
]
PatentRef = Annotated[
    str,
    Path(
        pattern=r"^(0x[0-9a-fA-F]{64}|[A-Z]{2} \S+)$",
        description='A patent id (0x + 64 hex) or "<jurisdiction> <publication number>".',
    ),
]


def create_app(*, ledger: Ledger) -> FastAPI:
    """The API over `ledger` (explicit: no module-level chain or settings)."""
    app = FastAPI(
        title="ipledger",
        description="Read-only queries of tokenised patent revenue rights: holdings, "
        "patents, valuations and verified evidence trails.",
        version="0.1.0",
    )

    def resolve(ref: str) -> bytes:
        if ref.startswith("0x"):
            pid = bytes.fromhex(ref[2:])
        else:
            jurisdiction, _, number = ref.partition(" ")
            pid = patent_id(jurisdiction, number)
        if not ledger.patents.is_registered(pid):
            raise HTTPException(status_code=404, detail=f"unknown patent {ref}")
        return pid

    @app.get(
        "/investors/{address}/holdings", response_model=HoldingsView, response_model_by_alias=True
    )
    def get_holdings(address: Address) -> HoldingsView:
        return HoldingsView.of(holdings(ledger, parse_address(address)))

    @app.get("/patents", response_model=list[PatentView], response_model_by_alias=True)
    def get_patents() -> list[PatentView]:
        return [PatentView.of(s) for s in patent_summaries(ledger)]

    @app.get("/patents/{patent}", response_model=PatentView, response_model_by_alias=True)
    def get_patent(patent: PatentRef) -> PatentView:
        return PatentView.of(patent_summary(ledger, resolve(patent)))

    @app.get(
        "/patents/{patent}/valuations",
        response_model=list[ValuationRecordView],
        response_model_by_alias=True,
    )
    def get_valuations(patent: PatentRef) -> list[ValuationRecordView]:
        return [ValuationRecordView.of(r) for r in valuation_history(ledger, resolve(patent))]

    @app.get("/patents/{patent}/evidence", response_model=TrailView, response_model_by_alias=True)
    def get_evidence(patent: PatentRef) -> TrailView:
        return TrailView.of(evidence_trail(ledger, resolve(patent)))

    return app
