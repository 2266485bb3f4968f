"""The pages in a real browser (Debian's Chromium under Playwright) on a populated anvil:
no console errors, no serious accessibility violation (axe-core), every control
reachable by keyboard, sorting and paging by clicking, the supervisor's sign-in, and the
Claim button with a wallet (an EIP-1193 provider injected into the page, forwarding to
anvil)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from ipledger.models import Field
from tests.support.browser import CHROMIUM_ARGS, chromium_path, live_server, screenshot_dir
from tests.support.indexing import indexer
from tests.support.suite import register
from tests.web.conftest import Site

pytestmark = [
    pytest.mark.chain,
    # The wallet forwards to a node's JSON-RPC: the browser tests run on anvil.
    pytest.mark.parametrize("session_w3", ["anvil"], indirect=True),
]
PATENT = "HK 30012345"
AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def base(site: Site) -> Iterator[str]:
    with live_server(site.app) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


class Console:
    """Errors the page logged or threw."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it stands."""
    # Evaluated through the DevTools protocol: the page's CSP (no inline script) stays on.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found = page.evaluate("async () => (await window.axe.run(document)).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def tab_through(page: Page) -> tuple[set[str], set[str]]:
    """(what Tab reached, every visible enabled control), each named by a stable key."""
    key = """e => e.tagName + '|'
              + (e.getAttribute('href') || e.id || e.name || e.textContent.trim()) + '|'
              + Array.prototype.indexOf.call(document.querySelectorAll(e.tagName), e)"""
    controls = set(
        page.eval_on_selector_all(
            "a[href], button:not([disabled]):not([hidden]), input, select, textarea",
            f"els => els.filter(e => e.offsetParent !== null || e.getClientRects().length)"
            f".map({key})",
        )
    )
    reached: set[str] = set()
    page.locator("body").focus()
    for _ in range(len(controls) + 5):
        page.keyboard.press("Tab")
        reached.add(page.evaluate(f"() => ({key})(document.activeElement)"))
    return reached, controls


def check_page(page: Page, url: str, name: str, shots: Path, status: int = 200) -> None:
    console = Console(page)
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url}: {response.status}"
    page.wait_for_load_state("load")
    # Chromium logs the document's own 4xx as an error: expected on a 401 or 404 page.
    own = f"the server responded with a status of {status} "
    errors = [e for e in console.errors if status == 200 or own not in e]
    assert errors == [], f"{url}: console errors {errors}"
    assert axe_violations(page) == [], f"{url}: accessibility"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    reached, controls = tab_through(page)
    assert controls - reached == set(), f"{url}: Tab never reaches {controls - reached}"


def test_every_page_loads_clean_accessible_and_keyboard_reachable(
    site: Site, base: str, page: Page, tmp_path: Path
) -> None:
    shots = screenshot_dir(tmp_path)
    investor = site.session.actors.investors[0].address
    check_page(page, f"{base}/", "overview", shots)
    check_page(page, f"{base}/patents/{PATENT}", "patent", shots)
    check_page(page, f"{base}/investors/{investor}", "investor", shots)
    check_page(page, f"{base}/regulator", "sign-in", shots, status=401)
    page.fill("#token", site.tokens["all"])
    page.click("form.sign-in button")
    page.wait_for_selector("text=Sign out")
    check_page(page, f"{base}/regulator", "supervisor", shots)
    check_page(page, f"{base}/patents/HK 404", "not-found", shots, status=404)


def test_numbers_on_the_page_are_the_apis(site: Site, base: str, page: Page) -> None:
    summary = requests.get(f"{base}/api/patents/{PATENT}", timeout=10).json()
    page.goto(f"{base}/patents/{PATENT}")
    assert page.get_attribute("#supply", "data-base") == summary["totalSupply"]
    assert page.get_attribute("#revenue", "data-base") == summary["revenueDeposited"]
    assert page.inner_text("#revenue") == "tHKD 3,000.00001"  # exact, in its own units
    assert page.inner_text("#status") == summary["status"].lower()
    # Local time is added beside the ISO (UTC) time by the page's script.
    assert page.locator("time .local").count() > 0


def test_sorting_and_paging_by_clicking(site: Site, base: str, page: Page,
                                        index_copy: Path) -> None:  # fmt: skip
    ledger, admin = site.session.ledger, site.session.actors.admin
    for number in ("30099001", "30099002"):
        register(ledger, admin, number, field=Field.CHEMICAL)
    indexer(site.session, index_copy).sync()
    page.goto(f"{base}/?per_page=2")
    assert page.locator("tbody tr").count() == 2
    page.click("nav.pager a[rel=next]")
    assert "page=2" in page.url
    assert page.locator("tbody tr").count() >= 1
    page.click("th >> text=Holders")
    assert page.get_attribute("th[aria-sort]", "aria-sort") == "ascending"
    page.click("th >> text=Holders")
    assert page.get_attribute("th[aria-sort]", "aria-sort") == "descending"
    first = page.locator("tbody tr").first.get_attribute("data-patent")
    api = requests.get(f"{base}/api/overview", params={"sort": "holders", "desc": True},
                       timeout=10).json()  # fmt: skip
    assert first == api["patents"][0]["patentId"]


def test_supervisor_pages_refuse_a_visitor_without_a_token(base: str, page: Page) -> None:
    response = page.goto(f"{base}/regulator")
    assert response is not None
    assert response.status == 401
    assert page.locator("#flows").count() == 0
    page.fill("#token", "a guess")
    page.click("form.sign-in button")
    assert page.inner_text("#sign-in-error") == "That token is not known to this server."
    cookies = page.context.cookies()
    assert not any(c["name"] == "ipledger_regulator" for c in cookies)


def test_claim_with_the_visitors_wallet(site: Site, base: str, page: Page) -> None:
    investor = site.session.actors.investors[0].address
    rpc = site.session.ledger.w3.provider.endpoint_uri  # type: ignore[attr-defined]

    def forward(method: str, params: list[Any]) -> Any:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        answer = requests.post(rpc, json=body, timeout=10).json()
        if "error" in answer:
            raise RuntimeError(answer["error"]["message"])
        return answer["result"]

    page.expose_function("__forward", forward)
    page.add_init_script(
        "window.ethereum = { request: async ({ method, params }) => "
        "(method === 'eth_requestAccounts' || method === 'eth_accounts') "
        f"? [{json.dumps(investor)}] : window.__forward(method, params || []) }};"
    )
    page.goto(f"{base}/investors/{investor}")
    row = page.locator("#holdings tbody tr").first
    assert int(row.locator("td.claimable").get_attribute("data-base") or "0") > 0
    button = row.locator("button.claim")
    assert button.is_enabled()  # enabled by the script, as a wallet is present
    with page.expect_navigation():
        button.click()
    assert (
        page.locator("#holdings tbody tr").first.locator("td.claimable").get_attribute("data-base")
        == "0"
    )
    assert page.locator("#holdings tbody tr").first.locator("button.claim").count() == 0


def test_without_a_wallet_the_page_says_how_to_claim(site: Site, base: str, page: Page) -> None:
    investor = site.session.actors.investors[0].address
    page.goto(f"{base}/investors/{investor}")
    assert page.locator("button.claim").first.is_disabled()
    assert "ipledger claim" in page.inner_text("#claim-help")
