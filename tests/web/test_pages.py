"""The pages, served from the same views as the JSON API: each number a page shows is
the API's; bad addresses, unknown patents and a node that is away get pages that say
so; the supervisor's pages need a token; the API's old paths redirect under /api."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from ipledger.read.indexed import IndexReader
from ipledger.read.indexed_patent import valuation_records
from tests.support.suite import register
from tests.web.conftest import Site

pytestmark = pytest.mark.chain
PATENT = "HK 30012345"
HTML = {"Accept": "text/html"}


def data_base(html: str, element_id: str) -> str:
    """The exact base units an element carries (`data-base`), by its id."""
    found = re.search(rf'id="{element_id}"[^>]*data-base="([0-9]*)"', html)
    assert found, f"no #{element_id} with data-base in the page"
    return found.group(1)


def test_overview_shows_the_apis_numbers_with_totals(site: Site) -> None:
    client = TestClient(site.app)
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    api = client.get("/api/overview").json()
    [row] = [p for p in api["patents"] if p["reference"] == PATENT]
    html = page.text
    tr = re.search(rf'<tr data-patent="{row["patentId"]}">(.*?)</tr>', html, re.S)
    assert tr, "the busy patent's row is on the overview"
    cells = re.findall(r'data-base="([0-9]*)"', tr.group(1))
    assert cells == [row["totalSupply"], row["latestValuation"]["value"], row["revenueDeposited"]]
    assert f'<td class="num">{row["holders"]}</td>' in tr.group(1)
    # Counted as the supervisor's concentration counts them: the loan book's escrow is
    # not a holder, its borrower is.
    risk = client.get(
        "/api/regulator/risk", headers={"Authorization": f"Bearer {site.tokens['all']}"}
    )
    [c] = [c for c in risk.json()["concentration"] if c["reference"] == PATENT]
    assert row["holders"] == c["holders"] == 5
    assert f'id="total-patents">{api["totals"]["patents"]}<' in html
    assert ">tHKD 3,000.00001<" in tr.group(1)  # exact, in the payment token's own units


def test_overview_sorts_and_pages(site: Site) -> None:
    client = TestClient(site.app)
    by_holders = client.get("/api/overview", params={"sort": "holders", "desc": True}).json()
    holders = [p["holders"] for p in by_holders["patents"]]
    assert holders == sorted(holders, reverse=True)
    one = client.get("/api/overview", params={"per_page": 1, "page": 1, "sort": "reference"})
    assert one.json()["pages"] == one.json()["total"]
    page = client.get("/", params={"sort": "holders", "desc": "true", "per_page": 1})
    assert 'aria-sort="descending"' in page.text
    assert page.text.count('<tr data-patent="') == 1
    if one.json()["total"] > 1:
        assert 'rel="next"' in page.text
    bad = client.get("/api/overview", params={"sort": "nonsense"})
    assert bad.status_code == 422
    assert "sort must be one of" in bad.json()["detail"]


def test_patent_page_record_charts_register_loans_and_trail(site: Site) -> None:
    client = TestClient(site.app)
    page = client.get(f"/patents/{PATENT}", headers=HTML)
    assert page.status_code == 200
    summary = client.get(f"/api/patents/{PATENT}").json()
    html = page.text
    assert data_base(html, "supply") == summary["totalSupply"]
    assert data_base(html, "revenue") == summary["revenueDeposited"]
    assert data_base(html, "latest-valuation") == summary["latestValuation"]["value"]
    assert html.count('<svg class="chart"') == 2  # valuations and deposits
    assert 'class="mark revoked"' in html  # the superseded valuation, crossed out
    valuations = client.get(f"/api/patents/{PATENT}/valuations").json()
    assert sum(1 for v in valuations if v["revoked"]) == 1
    register = client.get(
        f"/api/regulator/register/{PATENT}",
        headers={"Authorization": f"Bearer {site.tokens['all']}"},
    ).json()
    table = re.search(r'<table id="register">(.*?)</table>', html, re.S)
    assert table
    assert re.findall(r'data-base="([0-9]+)"', table.group(1)) == [
        h["balance"] for h in register["holders"]
    ]
    assert 'id="loan-1"' in html
    assert "All " in html
    assert "entries verify against the chain" in html


def test_investor_page_and_its_csv_downloads_match_the_api(site: Site) -> None:
    client = TestClient(site.app)
    investor = site.session.actors.investors[0].address
    page = client.get(f"/investors/{investor}")
    assert page.status_code == 200
    [holding] = client.get(f"/api/investors/{investor}/holdings").json()["holdings"]
    row = re.search(rf'<tr data-token="{holding["token"]}">(.*?)</tr>', page.text, re.S)
    assert row
    assert re.findall(r'data-base="([0-9]*)"', row.group(1))[:3] == [
        holding["balance"],
        holding["pledged"],
        holding["claimable"],
    ]
    listed = list(
        csv.DictReader(io.StringIO(client.get(f"/investors/{investor}/holdings.csv").text))
    )
    assert [(r["balance"], r["claimable"]) for r in listed] == [
        (holding["balance"], holding["claimable"])
    ]
    statement = client.get(f"/api/investors/{investor}/statements").json()
    lines = list(
        csv.DictReader(io.StringIO(client.get(f"/investors/{investor}/statements.csv").text))
    )
    assert [r["entitled"] for r in lines] == [line["entitled"] for line in statement["lines"]]
    assert len(lines) == 2  # the two deposits while it held tokens


def test_the_borrowers_loans_download_as_csv_like_the_api(site: Site) -> None:
    client = TestClient(site.app)
    [loan] = client.get("/api/loans").json()
    got = list(
        csv.DictReader(io.StringIO(client.get(f"/investors/{loan['borrower']}/loans.csv").text))
    )
    assert [(r["loan"], r["debt"], r["collateral_value"], r["healthy"]) for r in got] == [
        (str(loan["loanId"]), loan["debt"], loan["collateralValue"], str(loan["healthy"]))
    ]
    assert got[0]["pledged"] == "; ".join(f"{k}: {v}" for k, v in loan["pledged"].items())


def test_the_claim_button_is_there_only_with_something_to_claim(site: Site) -> None:
    client = TestClient(site.app)
    investors = site.session.actors.investors
    with_revenue = client.get(f"/investors/{investors[0].address}").text
    assert 'class="claim"' in with_revenue
    assert "ipledger claim" in with_revenue  # how to claim without a wallet
    assert 'data-data="0x' in with_revenue
    nobody = client.get(f"/investors/{site.session.actors.outsider.address}").text
    assert 'class="claim"' not in nobody
    assert "holds no revenue-rights tokens" in nobody


def test_valuations_show_what_they_rest_on_the_same_from_the_index_and_the_chain(
    site: Site,
) -> None:
    """The standard's purpose and indicators and the scoring model, through the API
    (the chain's events) and the patent page (the index): one history."""
    client = TestClient(site.app)
    chain = client.get(f"/api/patents/{PATENT}/valuations").json()
    with IndexReader.open(site.index) as reader:
        indexed = valuation_records(reader, client.get(f"/api/patents/{PATENT}").json()["patentId"])
    assert [v.as_json() for v in indexed] == chain
    first = chain[0]
    assert (first["purpose"], first["dimensions"]) == ("finance", [84, 79, 71])
    assert first["scoringModel"] == "HKSTP-IPScore@2.1"
    page = client.get(f"/patents/{PATENT}", headers=HTML).text
    assert "84, 79, 71" in page
    assert "by HKSTP-IPScore@2.1" in page
    risk = client.get(
        "/api/regulator/risk", headers={"Authorization": f"Bearer {site.tokens['all']}"}
    )
    second = risk.json()["valuations"][1]
    assert second["scoringModel"] == "HKSTP-IPScore@2.1"
    assert second["dimensionChanges"] == [0, 0, 0]  # the same judgement, a lower value


def test_a_patent_tokenised_after_the_index_block_still_has_its_page(site: Site) -> None:
    ledger, admin = site.session.ledger, site.session.actors.admin
    pid = register(ledger, admin, "30077001")
    ledger.patents.tokenize(
        pid,
        name="Late",
        symbol="LATE",
        supply=10**24,
        initial_holder=admin.address,
        payment_token=ledger.addresses.payment_token,
        sender=admin,
    )
    page = TestClient(site.app).get("/patents/HK 30077001", headers=HTML)
    assert page.status_code == 200
    assert "Tokenised after the index&#39;s block" in page.text


def test_a_page_past_the_end_is_the_last_page(site: Site) -> None:
    client = TestClient(site.app)
    far = client.get("/api/overview", params={"page": 99}).json()
    assert far["page"] == far["pages"]
    assert far["patents"]
    assert "No patents are registered" not in client.get("/", params={"page": 99}).text
