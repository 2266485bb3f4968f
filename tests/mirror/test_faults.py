"""Node faults on anvil: an outage between batches, and a reorg after sending."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ipledger.chain.connect import connect
from ipledger.chain.node import AnvilNode, start_anvil
from ipledger.chain.tx import NodeAccount
from ipledger.clients.ledger import Ledger
from ipledger.deploy.suite import deploy
from ipledger.mirror.outbox import Outbox
from ipledger.mirror.service import Mirror, RunSummary
from ipledger.project import Project
from ipledger.toolchain.compiler import compile_project
from tests.support.mirror import REPORTS, copy_reports, prepare_chain, rid


class FlakyProxy:
    """A TCP proxy to the node that can be taken down (dropping every connection)."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while self.up.is_set() and (data := source.recv(65536)):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            source.close()
            sink.close()

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def node(project: Project) -> Iterator[AnvilNode]:
    with start_anvil(node_modules=project.node_modules) as running:
        yield running


def _setup(project: Project, url: str) -> tuple[Ledger, object, object]:
    artifacts = compile_project(project=project).artifacts
    w3 = connect(url)
    admin = NodeAccount(w3.eth.accounts[0])
    result = deploy(w3=w3, artifacts=artifacts, admin=admin)
    ledger = Ledger.attach(w3=w3, artifacts=artifacts, addresses=result.deployment.addresses())
    valuer, relayer = prepare_chain(ledger, admin)
    return ledger, valuer, relayer


def _attested_once(ledger: Ledger) -> bool:
    events = ledger.valuations.contract.events.ValuationAttested().get_logs(from_block=0)
    return sorted(e["args"]["reportId"] for e in events) == sorted(rid(r) for r in REPORTS)


def test_outage_between_batches_completes_without_duplicates(
    project: Project, node: AnvilNode, tmp_path: Path
) -> None:
    ledger, valuer, relayer = _setup(project, node.url)
    proxy = FlakyProxy(node.port)
    through_proxy = Ledger.attach(
        w3=connect(f"http://127.0.0.1:{proxy.port}"),
        artifacts=ledger.artifacts,
        addresses=ledger.addresses,
    )
    outages: list[str] = []
    messages: list[str] = []

    def log(message: str) -> None:
        messages.append(message)
        # The first batch is out: take the node away for a second.
        if message.startswith("sent") and not outages:
            outages.append(message)
            proxy.up.clear()
            threading.Timer(1.0, proxy.up.set).start()

    mirror = Mirror(
        ledger=through_proxy,
        outbox=Outbox(tmp_path / "outbox.sqlite"),
        valuer=valuer,  # type: ignore[arg-type]
        relayer=relayer,
        chain_id=31337,
        batch_size=2,
        lock_dir=tmp_path / "locks",
        log=log,  # type: ignore[arg-type]
    )
    started = time.monotonic()
    mirror.run_until_settled(copy_reports(tmp_path / "in"), timeout=60)
    mirror.close()
    proxy.close()
    assert outages
    assert time.monotonic() - started > 1.0  # it waited out the outage
    waits = [
        float(m.rsplit(" ", 1)[1].rstrip("s")) for m in messages if m.startswith("node unavailable")
    ]
    assert waits, messages  # it did retry, backing off from 0.2 s, doubling, at most 5 s
    assert waits == [round(min(0.2 * 2**n, 5.0), 1) for n in range(len(waits))], waits
    assert all(
        re.fullmatch(r"node unavailable \(\w+\); retrying in \d+\.\ds", m)
        for m in messages
        if m.startswith("node unavailable")
    )
    assert mirror.outbox.counts() == {"confirmed": 4}
    assert _attested_once(ledger)
    assert ledger.w3.eth.get_transaction_count(relayer.address) == 2  # type: ignore[attr-defined]


def test_reorg_after_sending_resends_and_confirms_once(
    project: Project, node: AnvilNode, tmp_path: Path
) -> None:
    ledger, valuer, relayer = _setup(project, node.url)
    w3 = ledger.w3
    mirror = Mirror(
        ledger=ledger,
        outbox=Outbox(tmp_path / "outbox.sqlite"),
        valuer=valuer,  # type: ignore[arg-type]
        relayer=relayer,
        chain_id=31337,
        confirmations=3,  # type: ignore[arg-type]
        lock_dir=tmp_path / "locks",
    )
    summary = RunSummary()
    mirror.run_once(copy_reports(tmp_path / "in"))
    assert mirror.outbox.counts() == {"sent": 4}  # mined, but not 3 blocks deep
    assert ledger.valuations.is_attested(rid(REPORTS[0]))
    reply = w3.provider.make_request("anvil_reorg", [1, []])  # type: ignore[arg-type]
    assert "error" not in reply, reply
    assert not ledger.valuations.is_attested(rid(REPORTS[0]))  # the block is gone
    mirror.reconcile(summary)  # no receipt: the stored raw transaction is sent again
    for _ in range(3):
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    mirror.reconcile(summary)
    mirror.close()
    assert mirror.outbox.counts() == {"confirmed": 4}
    assert _attested_once(ledger)
    # The stored transaction itself went in again: one nonce used, nothing skipped.
    assert w3.eth.get_transaction_count(relayer.address) == 1  # type: ignore[attr-defined]
    assert ledger.valuations.contract.events.AttestationSkipped().get_logs(from_block=0) == []
