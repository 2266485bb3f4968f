"""Mirror throughput on anvil: N valid reports end to end (validate, sign, submit in
batches, confirm at depth 1) against the naive path (one attest per report, waiting for
each receipt), in the same run. Reports per second and the ratio."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tests.mirror.conftest import prepare_chain, write_reports

from bench.common import Row
from ipledger.chain import connect
from ipledger.compiler import compile_project
from ipledger.deploy import deploy
from ipledger.eip712 import sign_valuation
from ipledger.ledger import Ledger
from ipledger.mirror.outbox import Outbox
from ipledger.mirror.reports import load_report
from ipledger.mirror.service import Mirror
from ipledger.node import start_anvil
from ipledger.project import Project
from ipledger.tx import KeyAccount, NodeAccount


def measure(project: Project, count: int = 2000, naive_count: int = 200) -> list[Row]:
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
        write_reports(Path(tmp) / "batch", valuer.address, count, "M")
        write_reports(Path(tmp) / "naive", valuer.address, naive_count, "N")

        mirror = Mirror(
            ledger=ledger,
            outbox=Outbox(Path(tmp) / "outbox.sqlite"),
            valuer=valuer,
            relayer=relayer,
            chain_id=w3.eth.chain_id,
            batch_size=100,
        )
        started = time.perf_counter()
        mirror.run_until_settled(Path(tmp) / "batch", timeout=600)
        batched = count / (time.perf_counter() - started)
        assert mirror.outbox.counts() == {"confirmed": count}
        mirror.close()

        domain = ledger.valuations.domain()
        sender = KeyAccount(relayer)
        started = time.perf_counter()
        for path in sorted((Path(tmp) / "naive").glob("*.json")):
            valuation = load_report(path).to_valuation()
            ledger.valuations.attest(
                valuation, sign_valuation(valuer, domain, valuation), sender=sender
            )
        naive = naive_count / (time.perf_counter() - started)
    return [
        Row(
            f"mirror {count} reports end to end (batches of 100)",
            "per_second",
            round(batched, 1),
            "naive: one attest per report, waiting for each receipt",
            round(naive, 1),
        )
    ]


if __name__ == "__main__":
    for row in measure(Project.find()):
        print(row.as_json())
