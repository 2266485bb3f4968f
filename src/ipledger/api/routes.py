"""The JSON API's ledger routes (under /api): holdings, statements, patents, valuations,
evidence trails, loans and the overview. Inputs are validated before anything touches
the chain: a malformed address or patent reference is a 422 naming the field; an
unknown patent a 404."""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations.
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlalchemy import Engine

from ipledger.api.pages.views import patents_overview
from ipledger.clients.ledger import Ledger
from ipledger.errors import IpledgerError
from ipledger.models import (
    Holdings,
    LatestValuation,
    Loan,
    PatentSummary,
    TrailVerification,
    ValuationRecord,
    parse_address,
    parse_patent,
)
from ipledger.models.reads import Overview
from ipledger.models.supervision import Statement
from ipledger.read import loans as loan_reads
from ipledger.read.catalogue import PER_PAGE, SORTS
from ipledger.read.indexed import IndexReader
from ipledger.read.queries import (
    evidence_trail,
    holdings,
    patent_summaries,
    patent_summary,
    valuation_history,
)
from ipledger.read.registers import statement
from ipledger.read.revaluation import RevaluationDue, valuations_due

Address = Annotated[
    str,
    Path(
        pattern=r"^0x[0-9a-fA-F]{40}$",
        description="An Ethereum address, 0x + 40 hex; mixed case must pass its checksum.",
    ),
]
PatentRef = Annotated[
    str,
    Path(
        pattern=r"^(0x[0-9a-fA-F]{64}|[A-Za-z]{2} *[0-9A-Za-z].*)$",
        description='A patent id (0x + 64 hex) or "<jurisdiction> <publication number>" '
        '("HK 30012345"; case and spacing are forgiven).',
    ),
]


class ErrorView(BaseModel):
    """Every error's body."""

    detail: str


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    text = {
        404: "No such patent on this ledger.",
        422: "A malformed parameter, named in the detail.",
        503: "The ledger's node does not answer; try again later.",
    }
    return {s: {"model": ErrorView, "description": text[s]} for s in statuses}


def _invalid(name: str, value: str, exc: ValueError) -> RequestValidationError:
    """A 422 shaped like FastAPI's own, naming the path parameter."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("path", name), "msg": str(exc), "input": value}]
    )


def ledger_router(*, ledger: Ledger, index: Engine | None) -> APIRouter:
    """The ledger's read routes, for `create_app` to mount under /api."""
    app = APIRouter(prefix="/api")

    def resolve(ref: str) -> bytes:
        try:
            pid = parse_patent(ref)
        except ValueError as exc:
            raise _invalid("patent", ref, exc) from None
        if not ledger.patents.is_registered(pid):
            raise HTTPException(status_code=404, detail=f"unknown patent {ref}")
        return pid

    def account(address: str) -> str:
        try:
            return parse_address(address)
        except ValueError as exc:
            raise _invalid("address", address, exc) from None

    @app.get(
        "/investors/{address}/holdings",
        response_model=Holdings,
        response_model_by_alias=True,
        responses=errors(503),
    )
    def get_holdings(address: Address) -> Holdings:
        return holdings(ledger, account(address))

    @app.get(
        "/investors/{address}/statements",
        response_model=Statement,
        response_model_by_alias=True,
        responses={**errors(503), 404: {"model": ErrorView, "description": "Not indexed."}},
    )
    def get_statement(
        address: Address,
        since: Annotated[int | None, Query(alias="from")] = None,
        until: Annotated[int | None, Query(alias="to")] = None,
    ) -> Statement:
        """An investor's revenue statement over a period (unix seconds), from the index."""
        if index is None:
            raise HTTPException(503, "no index is configured on this server (serve --index)")
        with IndexReader.open(index) as reader:
            return statement(reader, account(address), from_time=since, to_time=until)

    @app.get(
        "/patents",
        response_model=list[PatentSummary],
        response_model_by_alias=True,
        responses=errors(503),
    )
    def get_patents() -> list[PatentSummary]:
        return patent_summaries(ledger)

    @app.get(
        "/patents/{patent}",
        response_model=PatentSummary,
        response_model_by_alias=True,
        responses=errors(404, 503),
    )
    def get_patent(patent: PatentRef) -> PatentSummary:
        return patent_summary(ledger, resolve(patent))

    @app.get(
        "/patents/{patent}/valuations",
        response_model=list[ValuationRecord],
        response_model_by_alias=True,
        responses=errors(404, 503),
    )
    def get_valuations(patent: PatentRef) -> list[ValuationRecord]:
        return valuation_history(ledger, resolve(patent))

    @app.get(
        "/patents/{patent}/valuations/latest",
        response_model=LatestValuation | None,
        response_model_by_alias=True,
        responses=errors(404, 422, 503),
    )
    def get_latest_valuation(
        patent: PatentRef,
        jurisdiction: Annotated[
            str | None,
            Query(
                pattern=r"^[A-Za-z]{2}$",
                description="Where it must count (mutual recognition): the latest valuation "
                "by a valuer of that jurisdiction, of one it accepts directly, or recognised "
                "there. Without it: the latest that counts anywhere.",
            ),
        ] = None,
    ) -> LatestValuation | None:
        pid = resolve(patent)
        if jurisdiction is None:
            return ledger.valuations.latest_valuation(pid)
        return ledger.recognition.latest_valuation_in(pid, jurisdiction.upper())

    @app.get(
        "/patents/{patent}/evidence",
        response_model=TrailVerification,
        response_model_by_alias=True,
        responses=errors(404, 503),
    )
    def get_evidence(patent: PatentRef) -> TrailVerification:
        return evidence_trail(ledger, resolve(patent))

    @app.get(
        "/loans",
        response_model=list[Loan],
        response_model_by_alias=True,
        responses=errors(503),
    )
    def get_loans(borrower: str | None = None, lender: str | None = None) -> list[Loan]:
        """Every loan, or a borrower's and/or a lender's, each with its health now."""
        return loan_reads.loans(
            ledger,
            borrower=None if borrower is None else account(borrower),
            lender=None if lender is None else account(lender),
        )

    @app.get(
        "/loans/{loan_id}",
        response_model=Loan,
        response_model_by_alias=True,
        responses=errors(404, 503),
    )
    def get_loan(loan_id: int) -> Loan:
        try:
            return loan_reads.loan(ledger, loan_id)
        except IpledgerError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    @app.get(
        "/valuations/due",
        response_model=list[RevaluationDue],
        response_model_by_alias=True,
        responses=errors(503),
    )
    def get_valuations_due(
        within: Annotated[int, Query(ge=0, le=3650, description="Days ahead.")] = 90,
    ) -> list[RevaluationDue]:
        """Patents whose valuation is missing, stale (over its field's maximum age) or
        falls due within `within` days: for valuers' scheduling."""
        return valuations_due(ledger, within_days=within)

    @app.get(
        "/overview",
        response_model=Overview,
        response_model_by_alias=True,
        responses=errors(422, 503),
    )
    def get_overview(
        sort: Annotated[str, Query(description=f"One of: {', '.join(SORTS)}.")] = "reference",
        desc: bool = False,
        page: Annotated[int, Query(ge=1)] = 1,
        per_page: Annotated[int, Query(ge=1, le=500)] = PER_PAGE,
    ) -> Overview:
        """The patents page by page, sorted, with totals (from the index when configured)."""
        if sort not in SORTS:
            raise HTTPException(422, f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        return patents_overview(
            ledger, index, sort=sort, descending=desc, page=page, per_page=per_page
        )

    return app
