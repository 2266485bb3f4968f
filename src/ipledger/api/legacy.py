"""The API's paths before it moved under /api, redirected there (308: same method, same
body) for one release, marked deprecated. Pages took the readable paths: a browser
asking for `/patents` gets the overview; a script gets the JSON it always did."""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations.
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

OLD_PATHS = (
    "/investors/{address}/holdings",
    "/investors/{address}/statements",
    "/patents/{ref}/valuations",
    "/patents/{ref}/evidence",
    "/loans",
    "/loans/{loan_id}",
    "/regulator/register/{patent}",
    "/regulator/distributions/{patent}/{seq}",
    "/regulator/statements/{address}",
    "/regulator/flows",
    "/regulator/risk",
    "/regulator/subsidy",
)


def wants_html(request: Request) -> bool:
    """A browser's request: browsers ask for XHTML beside HTML; scripts that name
    text/html among many types (Java's default) keep getting the JSON they always did."""
    accept = request.headers.get("accept", "")
    return "application/xhtml+xml" in accept or accept.strip().lower() == "text/html"


def moved(request: Request) -> RedirectResponse:
    # The path as sent (still percent-encoded): the Location and Link headers stay ASCII.
    raw = request.scope.get("raw_path") or request.url.path.encode()
    target = "/api" + raw.decode("latin-1")
    if request.url.query:
        target += "?" + request.url.query
    return RedirectResponse(
        target,
        status_code=308,
        headers={"Deprecation": "true", "Link": f'<{target}>; rel="successor-version"'},
    )


def legacy_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for path in OLD_PATHS:
        router.add_api_route(path, moved, methods=["GET"])

    @router.get("/patents")
    def patents(request: Request) -> RedirectResponse:
        if wants_html(request):
            return RedirectResponse("/", status_code=303)
        return moved(request)

    return router
