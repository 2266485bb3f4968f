"""Who gets what from `ipledger serve`: the supervisor's pages behind tokens kept in an
http-only cookie, 404 and 503 pages, the API's old paths redirected under /api (scripts
keep their JSON), and the search box."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ipledger.api.app import create_app
from tests.web.conftest import Site

pytestmark = pytest.mark.chain
PATENT = "HK 30012345"
HTML = {"Accept": "text/html"}


def test_supervisor_pages_need_a_token_kept_in_an_http_only_cookie(site: Site) -> None:
    client = TestClient(site.app, base_url="https://testserver")
    refused = client.get("/regulator")
    assert refused.status_code == 401
    assert "Regulator token" in refused.text
    assert "Flows" not in refused.text
    wrong = client.post("/regulator/sign-in", data={"token": "not-a-token"})
    assert wrong.status_code == 401
    assert "not known" in wrong.text
    signed = client.post(
        "/regulator/sign-in", data={"token": site.tokens["all"]}, follow_redirects=False
    )
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "secure" in cookie
    assert "samesite=strict" in cookie
    page = client.get("/regulator")
    assert page.status_code == 200
    for section in ("alerts", "loans", "concentration", "valuations", "subsidy", "flows"):
        assert f'id="{section}"' in page.text
    assert "valuation" in page.text
    assert "revoked" in page.text
    client.post("/regulator/sign-out")
    assert client.get("/regulator").status_code == 401


def test_a_token_shows_only_the_sections_of_its_scopes(site: Site) -> None:
    client = TestClient(site.app, base_url="https://testserver")
    client.post("/regulator/sign-in", data={"token": site.tokens["flows"]})
    page = client.get("/regulator").text
    assert 'id="flows"' in page
    assert 'id="concentration"' not in page
    assert 'id="subsidy"' not in page


def test_unknown_patent_and_bad_address_get_404_pages(site: Site) -> None:
    client = TestClient(site.app)
    unknown = client.get("/patents/HK 404", headers=HTML)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")
    assert "No patent HK 404 on this ledger" in unknown.text
    bad = client.get("/investors/0x1234")
    assert bad.status_code == 404
    assert "is not an address" in bad.text
    assert client.get("/no/such/page").status_code == 404


def test_node_down_is_a_503_page(site: Site) -> None:
    app = create_app(ledger=site.session.ledger)
    ledger = site.session.ledger
    original = ledger.w3.provider
    from web3 import HTTPProvider

    ledger.w3.provider = HTTPProvider("http://127.0.0.1:9", request_kwargs={"timeout": 2})
    try:
        page = TestClient(app).get("/", headers=HTML)
    finally:
        ledger.w3.provider = original
    assert page.status_code == 503
    assert "node does not answer" in page.text
    assert "127.0.0.1:9" not in page.text


def test_old_api_paths_redirect_under_api(site: Site) -> None:
    client = TestClient(site.app)
    investor = site.session.actors.investors[0].address
    moved = client.get(f"/investors/{investor}/holdings", follow_redirects=False)
    assert moved.status_code == 308
    assert moved.headers["location"] == f"/api/investors/{investor}/holdings"
    assert moved.headers["deprecation"] == "true"
    script = client.get(f"/patents/{PATENT}", follow_redirects=False)
    assert script.status_code == 308  # no text/html: a script wanting JSON
    assert client.get(f"/patents/{PATENT}").json()["reference"] == PATENT
    flows = client.get("/regulator/flows?cross_border=true", follow_redirects=False)
    assert flows.headers["location"] == "/api/regulator/flows?cross_border=true"
    assert client.get("/patents", headers=HTML, follow_redirects=False).headers["location"] == "/"
    spec = client.get("/openapi.json").json()["paths"]
    assert all(path.startswith("/api/") for path in spec)
    assert "/api/overview" in spec


def test_search_box_finds_patents_and_investors(site: Site) -> None:
    client = TestClient(site.app)
    investor = site.session.actors.investors[0].address
    assert (
        client.get("/find", params={"q": investor.lower()}, follow_redirects=False).headers[
            "location"
        ]
        == f"/investors/{investor}"
    )
    assert (
        client.get("/find", params={"q": "hk 30012345"}, follow_redirects=False).status_code == 303
    )
    assert client.get("/find", params={"q": "neither"}).status_code == 404


def test_scripts_naming_html_among_many_types_keep_getting_json(site: Site) -> None:
    client = TestClient(site.app)
    java = {"Accept": "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"}
    moved = client.get(f"/patents/{PATENT}?x=1", headers=java, follow_redirects=False)
    assert moved.status_code == 308
    assert moved.headers["location"] == "/api/patents/HK%2030012345?x=1"
    assert moved.headers["deprecation"] == "true"
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    assert (
        client.get(f"/patents/{PATENT}", headers=browser)
        .headers["content-type"]
        .startswith("text/html")
    )
    odd = client.get("/investors/%E2%80%A6/holdings", follow_redirects=False)
    assert odd.status_code == 308  # still ASCII headers, and the API names the bad address
    assert odd.headers["location"] == "/api/investors/%E2%80%A6/holdings"
    assert client.get(odd.headers["location"]).status_code == 422


def test_the_supervisors_pages_are_private_and_signed_into_from_this_site_only(
    site: Site,
) -> None:
    client = TestClient(site.app, base_url="https://testserver")
    foreign = client.post(
        "/regulator/sign-in",
        data={"token": site.tokens["all"]},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert foreign.status_code == 403
    assert "set-cookie" not in foreign.headers
    cross = client.post(
        "/regulator/sign-in",
        data={"token": site.tokens["all"]},
        headers={"Sec-Fetch-Site": "cross-site"},
        follow_redirects=False,
    )
    assert cross.status_code == 403
    ours = client.post(
        "/regulator/sign-in",
        data={"token": site.tokens["all"]},
        headers={"Origin": "https://testserver"},
        follow_redirects=False,
    )
    assert ours.status_code == 303
    assert ours.headers["cache-control"] == "no-store"
    page = client.get("/regulator")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert (
        client.post("/regulator/sign-out", headers={"Sec-Fetch-Site": "cross-site"}).status_code
        == 403
    )
    assert client.get("/regulator").status_code == 200  # still signed in
    # Plain HTTP from anywhere but loopback: the token would cross the network in clear.
    plain = TestClient(site.app, base_url="http://ledger.example")
    refused = plain.post("/regulator/sign-in", data={"token": site.tokens["all"]})
    assert refused.status_code == 400
    assert "Sign in over HTTPS" in refused.text
