"""The pages' routes: overview, patent, investor (with CSV downloads), and the
supervisor's, behind the regulator API's bearer tokens kept in an http-only cookie."""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations.
import csv
import io
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from ipledger.api.legacy import moved, wants_html
from ipledger.api.pages import format as fmt
from ipledger.api.pages import supervisor, views
from ipledger.api.tokens import TokenStore
from ipledger.clients.ledger import Ledger
from ipledger.models import parse_address, parse_patent
from ipledger.read.catalogue import PER_PAGE, SORTS
from ipledger.read.labels import Labels

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters.update(fmt.FILTERS)
TEMPLATES.env.globals.update(fmt.GLOBALS)
SESSION = "ipledger_regulator"
ALL = 10**9  # a page size no account's holdings reach
RECENT = 50  # rows of a long history a page shows (the CSV and the API have them all)
SESSION_SECONDS = 8 * 3600  # a working day: then the token is asked for again
LOOPBACK = ("127.0.0.1", "::1", "localhost")


# The pages run only their own script and style; a wallet extension talks to its own
# background page, outside this policy. No framing (clickjacking), no referrer leaks.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def pages_router(*, ledger: Ledger, index: Engine | None, tokens: TokenStore | None) -> APIRouter:
    router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
    labels = Labels(ledger)  # symbols and decimals never change: asked once per server
    payment_of: dict[str, str] = {}

    def token_units(token: str) -> tuple[str | None, int | None]:
        """A revenue-rights token's payment token's symbol and decimals."""
        if token not in payment_of:
            payment_of[token] = ledger.token(token).payment_token()
        return labels.units(payment_of[token])

    def show(request: Request, name: str, **context: Any) -> HTMLResponse:
        return render(request, name, units_of=labels.units, units_of_token=token_units, **context)

    def patent_id(ref: str) -> bytes:
        try:
            pid = parse_patent(ref)
        except ValueError as exc:
            raise HTTPException(404, f"{ref!r} is not a patent reference: {exc}") from None
        if not ledger.patents.is_registered(pid):
            raise HTTPException(404, f"No patent {ref} on this ledger.")
        return pid

    def account(address: str) -> str:
        try:
            return parse_address(address)
        except ValueError as exc:
            raise HTTPException(404, f"{address!r} is not an address: {exc}") from None

    @router.get("/")
    def overview_page(
        request: Request,
        sort: Annotated[str, Query()] = "reference",
        desc: bool = False,
        page: Annotated[int, Query(ge=1)] = 1,
        per_page: Annotated[int, Query(ge=1, le=500)] = PER_PAGE,
    ) -> HTMLResponse:
        if sort not in SORTS:
            sort = "reference"
        found = views.patents_overview(
            ledger, index, sort=sort, descending=desc, page=page, per_page=per_page
        )
        now = int(ledger.w3.eth.get_block("latest")["timestamp"])
        return show(request, "overview.html", view=found, now=now)

    @router.get("/find")
    def find(q: str = "") -> Response:
        """The header's search box: a patent reference or id, or an account."""
        text = q.strip()
        try:
            return RedirectResponse(f"/investors/{parse_address(text)}", status_code=303)
        except ValueError:
            pass
        try:
            parse_patent(text)
        except ValueError:
            raise HTTPException(
                404,
                f"{text!r} is neither a patent reference (HK 30012345) "
                "nor an address (0x + 40 hex).",
            ) from None
        return RedirectResponse(fmt.patent_path(text, parse_patent(text)), status_code=303)

    @router.get("/patents/{ref}")
    def patent(request: Request, ref: str) -> Response:
        if not wants_html(request):  # scripts asking the old JSON path
            return moved(request)
        pid = patent_id(ref)
        return show(request, "patent.html", view=views.patent_page(ledger, index, pid))

    @router.get("/investors/{address}")
    def investor(
        request: Request, address: str, page: Annotated[int, Query(ge=1)] = 1
    ) -> HTMLResponse:
        who = account(address)
        view = views.investor_page(ledger, index, who, page=page)
        return show(request, "investor.html", view=view, investor=who, recent=RECENT)

    @router.get("/investors/{address}/holdings.csv")
    def holdings_csv(address: str) -> Response:
        # Every holding on one page: each one's claimable read live, as the page shows it.
        page = views.investor_page(ledger, index, account(address), per_page=ALL)
        rows: list[list[object]] = [
            [
                "patent",
                "patent_id",
                "token",
                "balance",
                "pledged",
                "total_supply",
                "claimable",
                "payment_token",
                "valuation",
                "currency",
                "implied_value",
            ]
        ]
        for h in page.shown:
            v = h.valuation
            rows.append(
                [
                    h.reference or "",
                    "0x" + bytes(h.patent_id).hex(),
                    h.token,
                    h.balance,
                    h.pledged,
                    h.total_supply,
                    h.claimable,
                    h.payment_token,
                    "" if v is None else v.value,
                    "" if v is None else v.currency,
                    "" if h.implied_value is None else h.implied_value,
                ]
            )
        return _csv(rows, f"holdings-{address}.csv")

    @router.get("/investors/{address}/statements.csv")
    def statements_csv(address: str) -> Response:
        page = views.investor_page(ledger, index, account(address))
        if page.statement is None:
            raise HTTPException(503, "Statements need the index (serve --index).")
        rows: list[list[object]] = [
            [
                "patent",
                "token",
                "seq",
                "block",
                "timestamp",
                "deposit",
                "balance",
                "entitled",
                "claimed",
            ]
        ]
        for line in page.statement.lines:
            rows.append(
                [
                    line.reference or "",
                    line.token,
                    line.seq,
                    line.block,
                    line.timestamp or "",
                    line.deposit,
                    line.balance,
                    line.entitled,
                    line.claimed,
                ]
            )
        return _csv(rows, f"statements-{address}.csv")

    @router.get("/investors/{address}/loans.csv")
    def loans_csv(address: str) -> Response:
        page = views.investor_page(ledger, index, account(address))
        rows: list[list[object]] = [
            ["loan", "state", "lender", "asset", "pledged", "principal", "debt",
             "collateral_value", "ltv_bps", "liquidation_ltv_bps", "healthy", "call_deadline"]
        ]  # fmt: skip
        for loan in page.loans:
            pledged = "; ".join(f"{ref}: {n}" for ref, n in loan.pledged.items())
            rows.append([loan.loan_id, loan.state.name.lower(), loan.lender, loan.asset,
                         pledged, loan.principal, loan.debt, loan.collateral_value,
                         loan.ltv_bps, loan.liquidation_ltv_bps, loan.healthy,
                         loan.call_deadline or ""])  # fmt: skip
        return _csv(rows, f"loans-{address}.csv")

    @router.get("/regulator")
    def supervisor_view(request: Request) -> HTMLResponse:
        if index is None or tokens is None:
            raise HTTPException(
                503,
                "The supervisor's pages need an index and regulator "
                "tokens (serve --index --regulator-tokens).",
            )
        scopes = tokens.scopes_of(request.cookies.get(SESSION, ""))
        if scopes is None:
            return private(render(request, "sign_in.html", status=401, error=None))
        view = supervisor.supervisor_page(ledger, index, set(scopes))
        return private(show(request, "regulator.html", view=view))

    @router.post("/regulator/sign-in")
    def sign_in(request: Request, token: Annotated[str, Form()]) -> Response:
        if not _same_origin(request):
            return private(render(request, "sign_in.html", status=403,
                                  error="Sign in from this site's own form."))  # fmt: skip
        if tokens is None or tokens.scopes_of(token.strip()) is None:
            return private(render(request, "sign_in.html", status=401,
                                  error="That token is not known to this server."))  # fmt: skip
        # Secure over HTTPS; plain HTTP is allowed only from loopback (the peer's own
        # address, not the Host header a proxy may rewrite), where nothing is sniffed.
        secure = request.url.scheme == "https"
        peer = request.client.host if request.client else ""
        if not secure and peer not in LOOPBACK:
            return render(
                request, "sign_in.html", status=400,
                error="Sign in over HTTPS: a token sent in the clear is a token lost "
                "(serve behind TLS; plain HTTP only on this machine's loopback).",
            )  # fmt: skip
        response = RedirectResponse("/regulator", status_code=303)
        response.set_cookie(
            SESSION,
            token.strip(),
            httponly=True,
            secure=secure,
            samesite="strict",
            path="/regulator",
            max_age=SESSION_SECONDS,
        )
        return private(response)

    @router.post("/regulator/sign-out")
    def sign_out(request: Request) -> Response:
        if not _same_origin(request):
            raise HTTPException(403, "Sign out from this site's own pages.")
        response = private(RedirectResponse("/regulator", status_code=303))
        secure = request.url.scheme == "https"
        response.delete_cookie(
            SESSION, path="/regulator", secure=secure, httponly=True, samesite="strict"
        )
        return response

    return router


R = TypeVar("R", bound=Response)


def private(response: R) -> R:
    """The supervisor's pages are kept by no cache, shared or the browser's (Back after
    signing out shows nothing)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _same_origin(request: Request) -> bool:
    """A form post from this site's own page: the browser says so (Sec-Fetch-Site, or
    an Origin naming this host); a client that sends neither (a script) is let through,
    since a browser always sends one of them."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _csv(rows: list[list[object]], name: str) -> Response:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[_cell(v) for v in row] for row in rows])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
