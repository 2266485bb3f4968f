"""The pages' server time with 1,000 patents on anvil (read from the index), and each
page's weight without its charts (HTML, stylesheet and script).

Server time is the request's whole handling in process (FastAPI's TestClient: routing,
the chain's and the index's reads, rendering), median of runs; the overview is beside
the same page read through the lens (no index).
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from web3 import Web3

from bench.common import Row, anvil_ledger
from bench.lens_bench import median_seconds, populate
from bench.loan_gas import Book
from ipledger.api.app import ASSETS, create_app
from ipledger.api.tokens import SCOPES, TokenStore, new_token
from ipledger.index.store import database_url, open_engine
from ipledger.index.sync import Indexer
from ipledger.project import Project

PATENTS = 1_000
TARGET_SECONDS, TARGET_BYTES = 0.2, 100_000
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def measure(project: Project) -> list[Row]:
    with anvil_ledger(project) as chain:
        ledger, admin, deployment = chain.ledger, chain.admin, chain.deployment
        w3, scratch, artifacts = ledger.w3, chain.scratch, ledger.artifacts
        book = Book(ledger, admin, "60000001")  # valued, with a loan and revenue
        borrower = book.borrower(w3.eth.accounts[1], 2)
        book.open(borrower)
        book.token.deposit_revenue(5_000 * 10**6, b"\x01" * 32, sender=admin)
        populate(ledger, admin, borrower.address, 1, PATENTS - 1)
        engine = open_engine(database_url(str(scratch / "index.sqlite"), scratch))
        Indexer(
            w3=w3, engine=engine, artifacts=artifacts, addresses=ledger.addresses,
            chain_id=deployment.chain_id, first_block=deployment.first_block(),
        ).sync()  # fmt: skip
        tokens_file = scratch / "tokens.jsonl"
        token = new_token(tokens_file, name="bench", scopes=list(SCOPES))
        app = create_app(ledger=ledger, index=engine, tokens=TokenStore.load(tokens_file))
        client = TestClient(app, base_url="https://bench")
        client.post("/regulator/sign-in", data={"token": token})
        lens_only = TestClient(create_app(ledger=ledger))
        return _rows(client, lens_only, borrower.address)


def _rows(client: TestClient, lens_only: TestClient, investor: str) -> list[Row]:
    pages = {
        "overview /": "/",
        "patent /patents/HK 60000001": "/patents/HK 60000001",
        "investor /investors/{address}": f"/investors/{Web3.to_checksum_address(investor)}",
        "supervisor /regulator": "/regulator",
    }
    assets = sum(len(p.read_bytes()) for p in ASSETS.iterdir())
    rows = []
    for name, path in pages.items():
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 200, f"{path}: {response.status_code}"
        seconds = median_seconds(lambda p=path: client.get(p, headers={"Accept": "text/html"}))
        if name.startswith("overview"):
            lens = median_seconds(lambda: lens_only.get("/"), runs=3)
            rows.append(Row(f"page server time, {name} ({PATENTS:,} patents, index)", "seconds",
                            round(seconds, 4), "the same page through the lens (no index)",
                            round(lens, 4)))  # fmt: skip
        else:
            rows.append(Row(f"page server time, {name} ({PATENTS:,} patents, index)", "seconds",
                            round(seconds, 4), "target", TARGET_SECONDS))  # fmt: skip
        weight = len(_SVG.sub("", response.text).encode()) + assets
        rows.append(Row(f"page weight without charts, {name} (HTML + CSS + JS)", "bytes",
                        weight, "target", TARGET_BYTES))  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in measure(Project.find()):
        print(row.as_json())
