"""A read-only HTTP API over the ledger's queries (FastAPI; `ipledger serve`).

No write routes. Inputs are validated before anything touches the chain: a malformed
address or patent reference is a 422 naming the field; an unknown patent a 404; a node
that does not answer a 503. Every status is in the OpenAPI document, and every error
body is JSON `{"detail": ...}` (never the node's URL, which may carry an API key).
Browsers on other origins may read it only when `cors_origins` lists them.
"""

from __future__ import annotations

import pathlib
from typing import Annotated, Any

import requests
from fastapi import FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy import Engine
from web3.exceptions import (
    BadFunctionCallOutput,
    ProviderConnectionError,
    TimeExhausted,
    Web3RPCError,
)

from ipledger.api.regulator import regulator_router
from ipledger.api.tokens import TokenStore
from ipledger.clients.ledger import Ledger
from ipledger.errors import IpledgerError
from ipledger.models import (
    Holdings,
    Loan,
    PatentSummary,
    TrailVerification,
    ValuationRecord,
    parse_address,
    parse_patent,
)
from ipledger.models.supervision import Statement
from ipledger.read import loans as loan_reads
from ipledger.read.indexed import IndexReader, NotIndexedError
from ipledger.read.queries import (
    evidence_trail,
    holdings,
    patent_summaries,
    patent_summary,
    valuation_history,
)
from ipledger.read.registers import statement

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
# Failures that mean the node is away, not that the request is wrong.
NODE_DOWN = (
    ConnectionError,
    TimeoutError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    ProviderConnectionError,
    TimeExhausted,
    Web3RPCError,  # the node answered with an error of its own (rate limited, behind)
    BadFunctionCallOutput,  # no contract where the deployment record says
)


class ErrorView(BaseModel):
    """Every error's body."""

    detail: str


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    text = {
        404: "No such patent on this ledger.",
        503: "The ledger's node does not answer; try again later.",
    }
    return {s: {"model": ErrorView, "description": text[s]} for s in statuses}


def _invalid(name: str, value: str, exc: ValueError) -> RequestValidationError:
    """A 422 shaped like FastAPI's own, naming the path parameter."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("path", name), "msg": str(exc), "input": value}]
    )


STATIC = pathlib.Path(__file__).parent / "static"


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from files vendored out of npm at install (`make install`):
    a bank's offline network has no CDN."""
    if (STATIC / "swagger-ui").is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        if not (STATIC / "swagger-ui" / "swagger-ui-bundle.js").is_file():
            return PlainTextResponse(
                "Swagger UI's files are not installed (`make install` vendors them from "
                "npm); the OpenAPI document is at /openapi.json",
                status_code=503,
            )
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="ipledger API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        )


def create_app(
    *,
    ledger: Ledger,
    cors_origins: list[str] | None = None,
    index: Engine | None = None,
    tokens: TokenStore | None = None,
) -> FastAPI:
    """The API over `ledger` (explicit: no module-level chain or settings); the
    supervisor's routes and statements over `index` when one is given."""
    app = FastAPI(
        title="ipledger",
        description="Read-only queries of tokenised patent revenue rights: holdings, "
        "patents, valuations and verified evidence trails. Amounts are base units as "
        "decimal strings.",
        version="0.2.0",
        docs_url=None,  # served below from the package's own copy, never a CDN
        redoc_url=None,
    )
    _offline_docs(app)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=cors_origins, allow_methods=["GET"], allow_headers=[]
        )

    async def node_down(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            status_code=503,
            content={"detail": "the ledger's node does not answer; try again later"},
        )

    for failure in NODE_DOWN:
        app.add_exception_handler(failure, node_down)

    async def not_indexed(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    app.add_exception_handler(NotIndexedError, not_indexed)
    app.include_router(regulator_router(index=index, tokens=tokens))

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
        responses=_errors(503),
    )
    def get_holdings(address: Address) -> Holdings:
        return holdings(ledger, account(address))

    @app.get(
        "/investors/{address}/statements",
        response_model=Statement,
        response_model_by_alias=True,
        responses={**_errors(503), 404: {"model": ErrorView, "description": "Not indexed."}},
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
        responses=_errors(503),
    )
    def get_patents() -> list[PatentSummary]:
        return patent_summaries(ledger)

    @app.get(
        "/patents/{patent}",
        response_model=PatentSummary,
        response_model_by_alias=True,
        responses=_errors(404, 503),
    )
    def get_patent(patent: PatentRef) -> PatentSummary:
        return patent_summary(ledger, resolve(patent))

    @app.get(
        "/patents/{patent}/valuations",
        response_model=list[ValuationRecord],
        response_model_by_alias=True,
        responses=_errors(404, 503),
    )
    def get_valuations(patent: PatentRef) -> list[ValuationRecord]:
        return valuation_history(ledger, resolve(patent))

    @app.get(
        "/patents/{patent}/evidence",
        response_model=TrailVerification,
        response_model_by_alias=True,
        responses=_errors(404, 503),
    )
    def get_evidence(patent: PatentRef) -> TrailVerification:
        return evidence_trail(ledger, resolve(patent))

    @app.get(
        "/loans",
        response_model=list[Loan],
        response_model_by_alias=True,
        responses=_errors(503),
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
        responses=_errors(404, 503),
    )
    def get_loan(loan_id: int) -> Loan:
        try:
            return loan_reads.loan(ledger, loan_id)
        except IpledgerError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    return app
