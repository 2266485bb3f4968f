"""The read-only HTTP API, with FastAPI's test client, against a deployed suite."""

from __future__ import annotations

import re

import pytest
from eth_account import Account
from eth_utils.crypto import keccak
from fastapi.testclient import TestClient

from ipledger.api.app import create_app
from ipledger.chain.eip712 import sign_valuation
from ipledger.clients.ledger import Ledger
from ipledger.models import EvidenceKind, Method, report_id_of
from tests.support.chain import now
from tests.support.suite import TOKEN, Actors, Market, open_market
from tests.support.valuations import make_valuation


@pytest.fixture
def market(ledger: Ledger, actors: Actors) -> Market:
    m = open_market(ledger, actors)
    m.token.transfer(actors.investors[0].address, 100_000 * TOKEN, sender=actors.issuer)
    m.token.deposit_revenue(10_000, keccak(text="revenue"), sender=actors.issuer)
    valuer = Account.from_key(keccak(text="api valuer"))
    ledger.valuations.set_valuer(
        valuer.address, name="V", jurisdiction="HK", accredited_until=2**40, sender=actors.admin
    )
    t = now(ledger.w3)
    v = make_valuation(
        valuer=valuer.address,
        patent_id=m.patent_id,
        now=t,
        report_id=report_id_of(valuer.address, "api-1"),
        label="api-1",
        value=5_000_000_00,
        valuation_date=t - 5,
        method=Method.COST,
        report_hash=keccak(text="api doc"),
    )
    ledger.valuations.attest(
        v, sign_valuation(valuer, ledger.valuations.domain(), v), sender=actors.admin
    )
    ledger.evidence.append(
        m.patent_id, EvidenceKind.GRANT, keccak(text="grant"), "grant.pdf", sender=actors.admin
    )
    return m


@pytest.fixture
def client(market: Market) -> TestClient:
    return TestClient(create_app(ledger=market.ledger))


def test_holdings(client: TestClient, market: Market) -> None:
    investor = market.actors.investors[0].address
    response = client.get(f"/api/investors/{investor}/holdings")
    assert response.status_code == 200
    body = response.json()
    assert body["investor"] == investor
    [holding] = body["holdings"]
    assert holding["patentId"] == "0x" + market.patent_id.hex()
    # Amounts are decimal strings: 10**23 is past what a JSON number keeps exactly.
    assert (holding["balance"], holding["totalSupply"], holding["claimable"]) == (
        str(100_000 * TOKEN),
        str(1_000_000 * TOKEN),
        "1000",
    )
    assert holding["valuation"]["currency"] == "HKD"
    assert holding["impliedValue"] == "50000000"  # a tenth of HKD 5,000,000.00


def test_patents_and_patent(client: TestClient, market: Market) -> None:
    [patent] = client.get("/api/patents").json()
    assert patent["patentId"] == "0x" + market.patent_id.hex()
    assert (patent["status"], patent["revenueDeposited"], patent["evidenceEntries"]) == (
        "granted",
        "10000",
        3,
    )
    assert patent["reference"] == "HK 30012345"
    by_number = client.get("/api/patents/HK 30012345").json()
    by_id = client.get("/api/patents/0x" + market.patent_id.hex()).json()
    assert by_number == by_id
    # One patent's summary names its payment token and units; the list leaves them out
    # (one more call per patent) and is otherwise the same.
    payment = {"paymentToken", "paymentSymbol", "paymentDecimals"}
    assert {k: by_id[k] for k in payment} == {
        "paymentToken": market.payment.address,
        "paymentSymbol": "tHKD",
        "paymentDecimals": 6,
    }
    assert {k: v for k, v in by_id.items() if k not in payment} == {
        k: v for k, v in patent.items() if k not in payment
    }


def test_valuations_and_evidence(client: TestClient, market: Market) -> None:
    [valuation] = client.get("/api/patents/HK 30012345/valuations").json()
    assert (valuation["value"], valuation["standard"], valuation["revoked"]) == (
        "500000000",
        "GB/T 42748-2023",
        False,
    )
    assert valuation["reportLabel"] == "api-1"  # the valuer's own id, beside the hash
    trail = client.get("/api/patents/HK 30012345/evidence").json()
    assert trail["ok"] is True
    assert [e["kind"] for e in trail["entries"]] == ["revenue_report", "valuation", "grant"]


def test_bad_input_is_422_naming_the_field(client: TestClient) -> None:
    response = client.get("/api/investors/0x123/holdings")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "address"]
    response = client.get("/api/patents/not-a-patent")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "patent"]


def test_unknown_patent_is_404(client: TestClient) -> None:
    response = client.get("/api/patents/HK 404/evidence")
    assert response.status_code == 404
    assert response.json()["detail"] == "unknown patent HK 404"


def test_openapi_served_and_no_write_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/investors/{address}/holdings" in spec["paths"]
    methods = {m for path in spec["paths"].values() for m in path}
    assert methods == {"get"}
    assert client.post("/api/patents").status_code == 405


@pytest.mark.parametrize("typed", ["hk 30012345", "HK30012345", "hk  30012345"])
def test_patent_references_are_forgiving_of_case_and_spacing(
    client: TestClient, market: Market, typed: str
) -> None:
    response = client.get(f"/api/patents/{typed}")
    assert response.status_code == 200
    assert response.json()["patentId"] == "0x" + market.patent_id.hex()


def test_non_canonical_reference_is_422_with_a_suggestion(client: TestClient) -> None:
    response = client.get("/api/patents/HK 030012345")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["path", "patent"]
    assert "did you mean 'HK 30012345'" in error["msg"]


def test_mixed_case_address_failing_its_checksum_is_422(client: TestClient, market: Market) -> None:
    good = market.actors.investors[0].address
    i = max(n for n, c in enumerate(good) if c.isalpha() and n > 1)  # flip one letter's case
    typo = good[:i] + good[i].swapcase() + good[i + 1 :]
    response = client.get(f"/api/investors/{typo}/holdings")
    assert response.status_code == 422
    assert "checksum" in response.json()["detail"][0]["msg"]
    assert client.get(f"/api/investors/{good.lower()}/holdings").status_code == 200


def test_openapi_documents_every_status_and_string_amounts(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    route = spec["paths"]["/api/patents/{patent}"]["get"]["responses"]
    assert {"200", "404", "422", "503"} <= set(route)
    holding = spec["components"]["schemas"]["Holding"]["properties"]
    assert holding["balance"]["type"] == "string"
    assert holding["balance"]["pattern"] == "^[0-9]+$"


def test_node_down_is_503_with_json_detail_and_no_url(market: Market) -> None:
    from web3 import HTTPProvider, Web3

    from ipledger.chain.node import free_port

    secret = f"http://127.0.0.1:{free_port()}/v3/SECRETKEY"
    dead = Web3(HTTPProvider(secret, request_kwargs={"timeout": 2}))
    ledger = Ledger.attach(
        w3=dead, artifacts=market.ledger.artifacts, addresses=market.ledger.addresses
    )
    client = TestClient(create_app(ledger=ledger))
    response = client.get("/api/patents/HK 30012345")
    assert response.status_code == 503
    assert response.json() == {"detail": "the ledger's node does not answer; try again later"}
    assert "SECRET" not in response.text


def test_provider_http_errors_are_503_without_the_key(market: Market) -> None:
    """A provider answering 429 (rate limited) or 5xx: requests would quote the URL."""
    import http.server
    import threading

    from web3 import Web3

    from ipledger.chain.connect import node_provider

    class Limited(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(429)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Limited)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v3/SECRETKEY"
        ledger = Ledger.attach(
            w3=Web3(node_provider(url, timeout=2)),
            artifacts=market.ledger.artifacts,
            addresses=market.ledger.addresses,
        )
        response = TestClient(create_app(ledger=ledger)).get("/api/patents")
    finally:
        server.shutdown()
    assert response.status_code == 503
    assert "SECRET" not in response.text


def test_cors_only_for_listed_origins(market: Market) -> None:
    closed = TestClient(create_app(ledger=market.ledger))
    headers = {"Origin": "https://dapp.example"}
    assert "access-control-allow-origin" not in closed.get("/api/patents", headers=headers).headers
    app = create_app(ledger=market.ledger, cors_origins=["https://dapp.example"])
    opened = TestClient(app)
    allowed = opened.get("/api/patents", headers=headers)
    assert allowed.headers["access-control-allow-origin"] == "https://dapp.example"
    other = opened.get("/api/patents", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_loans_and_loan(ledger: Ledger, actors: Actors) -> None:
    from tests.support.loans import COLLATERAL, PLEDGED, loan_setup, open_loan

    s = loan_setup(open_market(ledger, actors))
    loan_id = open_loan(s)
    client = TestClient(create_app(ledger=ledger))
    [listed] = client.get("/api/loans", params={"borrower": s.borrower.address}).json()
    assert listed["loanId"] == loan_id
    assert listed["pledged"] == {"HK 30012345": str(PLEDGED)}
    one = client.get(f"/api/loans/{loan_id}").json()
    assert (one["state"], one["collateralValue"], one["healthy"]) == (
        "active",
        str(COLLATERAL),
        True,
    )
    assert client.get("/api/loans", params={"lender": s.borrower.address}).json() == []
    assert client.get("/api/loans/99").status_code == 404
    assert client.get("/api/loans", params={"borrower": "0x123"}).status_code == 422


def test_docs_load_offline_from_the_packages_own_files(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources  # the script, the stylesheet, the icon
    assert all(url.startswith("/static/swagger-ui/") for url in sources), sources
    assert "cdn" not in page.text.lower()
    for url in sources:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 500
    bundle = client.get("/static/swagger-ui/swagger-ui-bundle.js").text
    assert "SwaggerUIBundle" in bundle
    assert client.get("/redoc").status_code == 404  # not served: it would need a CDN
