"""Mirror throughput on anvil: N valid reports end to end (validate, sign, submit in
batches, confirm at depth 1) against the naive path (one attest per report, waiting for
each receipt), in the same run. Reports per second and the ratio."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.support.mirror import prepare_chain, write_reports

from bench.common import Row
from ipledger.chain.connect import connect
from ipledger.chain.eip712 import sign_valuation
from ipledger.chain.node import start_anvil
from ipledger.chain.tx import KeyAccount, NodeAccount
from ipledger.clients.ledger import Ledger
from ipledger.deploy.suite import deploy
from ipledger.mirror.outbox import Outbox
from ipledger.mirror.reports import load_report
from ipledger.mirror.service import Mirror
from ipledger.project import Project
from ipledger.toolchain.compiler import compile_project

RUNS = 3


def _mirror_rate(ledger: Ledger, valuer: Any, relayer: Any, reports: Path, db: Path) -> float:
    """Reports per second through the mirror: validate, sign, batch, confirm at depth 1."""
    count = len(list(reports.glob("*.json")))
    mirror = Mirror(
        ledger=ledger,
        outbox=Outbox(db),
        valuer=valuer,
        relayer=relayer,
        chain_id=ledger.w3.eth.chain_id,
        batch_size=100,
    )
    started = time.perf_counter()
    mirror.run_until_settled(reports, timeout=600)
    rate = count / (time.perf_counter() - started)
    assert mirror.outbox.counts() == {"confirmed": count}
    mirror.close()
    return rate


def _naive_rate(ledger: Ledger, valuer: Any, relayer: Any, reports: Path) -> float:
    """Reports per second attested one by one, waiting for each receipt."""
    paths = sorted(reports.glob("*.json"))
    domain = ledger.valuations.domain()
    sender = KeyAccount(relayer)
    started = time.perf_counter()
    for path in paths:
        valuation = load_report(path).to_valuation()
        ledger.valuations.attest(
            valuation, sign_valuation(valuer, domain, valuation), sender=sender
        )
    return len(paths) / (time.perf_counter() - started)


def measure(project: Project, count: int = 2000, naive_count: int = 200) -> list[Row]:
    """Medians of RUNS runs each way, alternated on one node (fresh reports every run)."""
    artifacts = compile_project(project=project).artifacts
    with (
        start_anvil(
            node_modules=project.node_modules, extra_args=("--gas-limit", "300000000")
        ) as node,
        tempfile.TemporaryDirectory() as tmp,
    ):
        w3 = connect(node.url)
        admin = NodeAccount(w3.eth.accounts[0])
        result = deploy(w3=w3, artifacts=artifacts, admin=admin)
        ledger = Ledger.attach(w3=w3, artifacts=artifacts, addresses=result.deployment.addresses())
        valuer, relayer = prepare_chain(ledger, admin)
        batched, naive = [], []
        for run in range(RUNS):
            root = Path(tmp) / f"run{run}"
            write_reports(root / "batch", valuer.address, count, f"M{run}-")
            write_reports(root / "naive", valuer.address, naive_count, f"N{run}-")
            batched.append(
                _mirror_rate(ledger, valuer, relayer, root / "batch", root / "outbox.sqlite")
            )
            naive.append(_naive_rate(ledger, valuer, relayer, root / "naive"))
    return [
        Row(
            f"mirror {count} reports end to end (batches of 100; median of {RUNS})",
            "per_second",
            round(statistics.median(batched), 1),
            f"naive: one attest per report, waiting for each receipt (median of {RUNS})",
            round(statistics.median(naive), 1),
        )
    ]


if __name__ == "__main__":
    for row in measure(Project.find()):
        print(row.as_json())
