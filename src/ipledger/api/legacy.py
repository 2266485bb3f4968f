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


def moved(request: Request) -> RedirectResponse:
    target = "/api" + request.url.path
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
        if "text/html" in request.headers.get("accept", ""):
            return RedirectResponse("/", status_code=303)
        return moved(request)

    return router
