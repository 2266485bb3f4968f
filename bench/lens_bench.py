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
from ipledger.chain.connect import connect
from ipledger.chain.node import start_anvil
from ipledger.chain.tx import NodeAccount
from ipledger.clients.ledger import Ledger
from ipledger.deploy.suite import deploy
from ipledger.models import Role
from ipledger.project import Project
from ipledger.read.queries import holdings, holdings_per_token
from ipledger.toolchain.compiler import compile_project

RUNS = 5


def median_seconds(fn: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def populate(ledger: Ledger, admin: NodeAccount, investor: str, start: int, count: int) -> None:
    """`count` more patents, tokenised with `investor` as the initial holder.

    Two transactions a patent, sent with explicit gas and never waited on one by one
    (anvil mines them in order); only the last receipt is awaited. Waiting per patent
    (web3 polls receipts every 0.1 s) made 5,000 patents take more than 25 minutes.
    """
    w3 = ledger.w3
    registry = ledger.patents.contract
    last = None
    for i in range(start, start + count):
        number = f"9{i:07d}"
        pid = Web3.keccak(text=f"HK {number}")
        registry.functions.registerPatent(
            b"HK", number, admin.address, 1, 1, 2**40, b"\x01" * 32
        ).transact({"from": admin.address, "gas": 300_000})
        last = registry.functions.tokenize(
            pid, "RR", "RR", 10**24, investor, ledger.addresses.payment_token
        ).transact({"from": admin.address, "gas": 400_000})
    if last is not None:
        receipt = w3.eth.wait_for_transaction_receipt(last, timeout=600)
        assert receipt["status"] == 1, "tokenising the last benchmark patent failed"


def measure(
    project: Project, sizes: tuple[int, ...] = (10, 1000, 5000), baseline_runs: int = 3
) -> list[Row]:
    """Lens timings (median of RUNS) beside per-token reads (median of `baseline_runs`:
    reading 5,000 patents token by token takes minutes a run)."""
    artifacts = compile_project(project=project).artifacts
    rows: list[Row] = []
    # --prune-history: with 5,000 tokenised patents anvil's in-memory state history
    # reached 10 GB; this benchmark reads only the latest state.
    with start_anvil(
        node_modules=project.node_modules,
        extra_args=("--gas-limit", "100000000", "--prune-history"),
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
            populate(ledger, admin, investor, have, size - have)
            have = size
            assert len(holdings(ledger, investor).holdings) == size
            lens = median_seconds(lambda: holdings(ledger, investor))
            per_token = median_seconds(lambda: holdings_per_token(ledger, investor), baseline_runs)
            rows.append(
                Row(
                    f"holdings of {size} patents (lens, {-(-size // 500)} page(s))",
                    "seconds",
                    round(lens, 4),
                    "per-token reads",
                    round(per_token, 4),
                )
            )
    return rows


if __name__ == "__main__":
    for row in measure(Project.find()):
        print(row.as_json())
