"""`ipledger serve`: the pages people read and the read-only JSON API under /api
(FastAPI), from the same views.

No write routes. A node that does not answer is a 503, an unknown patent a 404: JSON
`{"detail": ...}` under /api (every status in the OpenAPI document; never the node's
URL, which may carry an API key), an HTML page elsewhere. The API's paths before it
moved under /api redirect there (308) for a release. Browsers on other origins may
read the API only when `cors_origins` lists them.
"""

from __future__ import annotations

import pathlib

import requests
from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from web3.exceptions import (
    BadFunctionCallOutput,
    ProviderConnectionError,
    TimeExhausted,
    Web3RPCError,
)

from ipledger.api.legacy import legacy_router
from ipledger.api.pages.pages import pages_router, render
from ipledger.api.regulator import regulator_router
from ipledger.api.routes import ledger_router
from ipledger.api.tokens import TokenStore
from ipledger.clients.ledger import Ledger
from ipledger.read.indexed import NotIndexedError

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
STATIC = pathlib.Path(__file__).parent / "static"
ASSETS = pathlib.Path(__file__).parent / "pages" / "static"
HEADINGS = {401: "Sign-in needed", 403: "Not allowed", 404: "Not found", 503: "Unavailable"}


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


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/api", "/openapi.json")


def _errors(app: FastAPI) -> None:
    """JSON errors under /api, pages elsewhere."""

    def respond(request: Request, status: int, detail: str,
                headers: dict[str, str] | None = None) -> Response:  # fmt: skip
        if _is_api(request):
            return JSONResponse({"detail": detail}, status_code=status, headers=headers)
        heading = HEADINGS.get(status, "Something went wrong")
        return render(request, "error.html", status=status, heading=heading, detail=detail)

    async def node_down(request: Request, exc: Exception) -> Response:
        if _is_api(request):  # the words clients have matched on since the first release
            return respond(request, 503, "the ledger's node does not answer; try again later")
        return respond(request, 503, "The ledger's node does not answer; try again later.")

    for failure in NODE_DOWN:
        app.add_exception_handler(failure, node_down)

    async def not_indexed(request: Request, exc: Exception) -> Response:
        return respond(request, 404, str(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else "Not found"
        if exc.status_code == 404 and detail == "Not Found" and not _is_api(request):
            detail = f"There is no page at {request.url.path}."
        return respond(request, exc.status_code, detail, getattr(exc, "headers", None))

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if _is_api(request):
            return await request_validation_exception_handler(request, exc)
        return respond(request, 404, "That address is malformed: " + "; ".join(
            str(e.get("msg")) for e in exc.errors()))  # fmt: skip

    app.add_exception_handler(NotIndexedError, not_indexed)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)


def create_app(
    *,
    ledger: Ledger,
    cors_origins: list[str] | None = None,
    index: Engine | None = None,
    tokens: TokenStore | None = None,
) -> FastAPI:
    """The pages and the API over `ledger` (explicit: no module-level chain or settings);
    registers, statements and the supervisor's views over `index` when one is given."""
    app = FastAPI(
        title="ipledger",
        description="Read-only queries of tokenised patent revenue rights: holdings, "
        "patents, valuations, loans and verified evidence trails; the supervisor's views "
        "behind bearer tokens. Amounts are base units as decimal strings.",
        version="0.3.0",
        docs_url=None,  # served below from the package's own copy, never a CDN
        redoc_url=None,
    )
    _offline_docs(app)
    app.mount("/assets", StaticFiles(directory=ASSETS), name="assets")
    if cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=cors_origins, allow_methods=["GET"], allow_headers=[]
        )
    _errors(app)
    app.include_router(ledger_router(ledger=ledger, index=index))
    app.include_router(regulator_router(index=index, tokens=tokens))
    app.include_router(pages_router(ledger=ledger, index=index, tokens=tokens))
    app.include_router(legacy_router())

    @app.get("/api", include_in_schema=False)
    def api_root() -> Response:
        raise HTTPException(404, "the API's routes are listed at /openapi.json and /docs")

    return app
