"""The read-only HTTP API, with FastAPI's test client, against a deployed suite."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_utils.crypto import keccak
from fastapi.testclient import TestClient

from ipledger.api import create_app
from ipledger.eip712 import sign_valuation
from ipledger.ledger import Ledger
from ipledger.types import EvidenceKind, Method, Valuation, report_id_of
from tests.chaintools import now
from tests.conftest import TOKEN, YEAR, Actors
from tests.contracts.conftest import Market, open_market


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
    v = Valuation(
        report_id=report_id_of(valuer.address, "api-1"),
        patent_id=m.patent_id,
        valuer=valuer.address,
        value=5_000_000_00,
        currency="HKD",
        valuation_date=t - 5,
        valid_until=t + YEAR,
        method=Method.COST,
        standard="GB/T 42748-2023",
        citation_network=10,
        commercial_application=20,
        technology_maturity=30,
        market_potential=40,
        report_hash=keccak(text="api doc"),
        subsidised=True,
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
    response = client.get(f"/investors/{investor}/holdings")
    assert response.status_code == 200
    body = response.json()
    assert body["investor"] == investor
    [holding] = body["holdings"]
    assert holding["patentId"] == "0x" + market.patent_id.hex()
    assert (holding["balance"], holding["totalSupply"], holding["claimable"]) == (
        100_000 * TOKEN,
        1_000_000 * TOKEN,
        1_000,
    )
    assert holding["valuation"]["currency"] == "HKD"
    assert holding["impliedValue"] == 50_000_000  # a tenth of HKD 5,000,000.00


def test_patents_and_patent(client: TestClient, market: Market) -> None:
    [patent] = client.get("/patents").json()
    assert patent["patentId"] == "0x" + market.patent_id.hex()
    assert (patent["status"], patent["revenueDeposited"], patent["evidenceEntries"]) == (
        "granted",
        10_000,
        3,
    )
    by_number = client.get("/patents/HK 30012345").json()
    by_id = client.get("/patents/0x" + market.patent_id.hex()).json()
    assert by_number == by_id == patent


def test_valuations_and_evidence(client: TestClient, market: Market) -> None:
    [valuation] = client.get("/patents/HK 30012345/valuations").json()
    assert (valuation["value"], valuation["standard"], valuation["revoked"]) == (
        5_000_000_00,
        "GB/T 42748-2023",
        False,
    )
    trail = client.get("/patents/HK 30012345/evidence").json()
    assert trail["ok"] is True
    assert [e["kind"] for e in trail["entries"]] == ["revenue_report", "valuation", "grant"]


def test_bad_input_is_422_naming_the_field(client: TestClient) -> None:
    response = client.get("/investors/0x123/holdings")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "address"]
    response = client.get("/patents/not-a-patent")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "patent"]


def test_unknown_patent_is_404(client: TestClient) -> None:
    response = client.get("/patents/HK 404/evidence")
    assert response.status_code == 404
    assert response.json()["detail"] == "unknown patent HK 404"


def test_openapi_served_and_no_write_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/investors/{address}/holdings" in spec["paths"]
    methods = {m for path in spec["paths"].values() for m in path}
    assert methods == {"get"}
    assert client.post("/patents").status_code == 405
