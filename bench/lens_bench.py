"""Holdings of an investor in N patents: the HoldingsLens against per-token reads.

On anvil (a real node over HTTP, where round trips are what cost), the same run reads
one investor's holdings both ways and reports the median of several runs and the ratio.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from web3 import Web3

from bench.common import Row
from ipledger.chain import connect
from ipledger.compiler import compile_project
from ipledger.deploy import deploy
from ipledger.ledger import Ledger
from ipledger.node import start_anvil
from ipledger.project import Project
from ipledger.queries import holdings, holdings_per_token
from ipledger.tx import NodeAccount
from ipledger.types import Role

RUNS = 5


def _median_seconds(fn: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _populate(ledger: Ledger, admin: NodeAccount, investor: str, start: int, count: int) -> None:
    """`count` more patents, tokenised, each with some tokens held by `investor`.
    Transactions are sent without waiting for each receipt (anvil mines them in order)."""
    w3 = ledger.w3
    registry = ledger.patents.contract
    last = None
    for i in range(start, start + count):
        number = f"9{i:07d}"
        pid = Web3.keccak(text=f"HK {number}")
        registry.functions.registerPatent(
            b"HK", number, admin.address, 1, 1, 2**40, b"\x01" * 32
        ).transact({"from": admin.address, "gas": 300_000})
        tokenized = registry.functions.tokenize(
            pid, "RR", "RR", 10**24, admin.address, ledger.addresses.payment_token
        ).transact({"from": admin.address, "gas": 400_000})
        w3.eth.wait_for_transaction_receipt(tokenized)
        token = registry.functions.tokenOf(pid).call()
        last = (
            ledger.token(token)
            .contract.functions.transfer(investor, 10**18)
            .transact({"from": admin.address, "gas": 200_000})
        )
    if last is not None:
        w3.eth.wait_for_transaction_receipt(last, timeout=600)


def measure(
    project: Project, sizes: tuple[int, ...] = (10, 1000, 5000), baseline_up_to: int = 1000
) -> list[Row]:
    artifacts = compile_project(project=project).artifacts
    rows: list[Row] = []
    with start_anvil(
        node_modules=project.node_modules, extra_args=("--gas-limit", "100000000")
    ) as node:
        w3 = connect(node.url)
        admin = NodeAccount(w3.eth.accounts[0])
        investor = w3.eth.accounts[1]
        result = deploy(
            w3=w3, artifacts=artifacts, admin=admin, operators={r: admin.address for r in Role}
        )
        ledger = Ledger.attach(w3=w3, artifacts=artifacts, addresses=result.deployment.addresses())
        ledger.investors.set_investor(investor, jurisdiction="HK", expiry=2**40, sender=admin)
        have = 0
        for size in sizes:
            _populate(ledger, admin, investor, have, size - have)
            have = size
            assert len(holdings(ledger, investor).holdings) == size
            lens = _median_seconds(lambda: holdings(ledger, investor))
            per_token: float | None = None
            if size <= baseline_up_to:  # per-token reads of 1,000 patents take ~30 s
                per_token = round(
                    _median_seconds(lambda: holdings_per_token(ledger, investor), 1), 4
                )
            rows.append(
                Row(
                    f"holdings of {size} patents (lens, {-(-size // 500)} page(s))",
                    "seconds",
                    round(lens, 4),
                    "per-token reads" if per_token is not None else None,
                    per_token,
                )
            )
    return rows


if __name__ == "__main__":
    for row in measure(Project.find()):
        print(row.as_json())
