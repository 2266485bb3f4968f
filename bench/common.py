"""What the benchmarks share: result rows and a fresh ledger on the embedded chain."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from web3 import Web3

from ipledger.chain.connect import connect
from ipledger.chain.embedded import embedded_chain
from ipledger.chain.node import start_anvil
from ipledger.chain.tx import NodeAccount
from ipledger.clients.ledger import Ledger
from ipledger.deploy.records import Deployment
from ipledger.deploy.suite import deploy, deploy_suite
from ipledger.models import OPERATOR_ROLES, Role
from ipledger.project import Project
from ipledger.toolchain.artifacts import Artifact, CompilerInfo
from ipledger.toolchain.compiler import compile_project


@dataclass(frozen=True)
class Row:
    """One benchmark result (the schema of bench/results.json)."""

    operation: str
    metric: str  # "gas" | "seconds" | "per_second"
    ipledger: float
    peer: str | None = None
    peer_value: float | None = None
    floor: float | None = None  # the EVM floor, where known

    @property
    def ratio(self) -> float | None:
        if self.peer_value is None or self.peer_value == 0:
            return None
        return round(self.ipledger / self.peer_value, 3)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["ratio"] = self.ratio
        return data


def fresh_ledger(project: Project) -> tuple[Ledger, list[NodeAccount]]:
    """The suite on a new embedded chain (deterministic gas); accounts[0] holds every role."""
    artifacts = compile_project(project=project).artifacts
    w3: Web3 = embedded_chain()
    accounts = [NodeAccount(a) for a in w3.eth.accounts]
    admin = accounts[0]
    addresses = deploy_suite(
        w3=w3,
        artifacts=artifacts,
        admin=admin,
        operators={r: admin.address for r in OPERATOR_ROLES},
    )
    return Ledger.attach(w3=w3, artifacts=artifacts, addresses=addresses), accounts


@dataclass(frozen=True)
class AnvilLedger:
    ledger: Ledger
    admin: NodeAccount  # holds every role
    deployment: Deployment
    scratch: Path  # a temporary folder, gone with the node


@contextmanager
def anvil_ledger(project: Project) -> Iterator[AnvilLedger]:
    """The suite deployed on a fresh anvil with a high block gas limit (benchmarks fill
    it with thousands of transactions), and a scratch folder; both gone afterwards."""
    artifacts = compile_project(project=project).artifacts
    with start_anvil(
        node_modules=project.node_modules, extra_args=("--gas-limit", "100000000")
    ) as node, tempfile.TemporaryDirectory() as scratch:  # fmt: skip
        w3 = connect(node.url)
        admin = NodeAccount(w3.eth.accounts[0])
        result = deploy(
            w3=w3, artifacts=artifacts, admin=admin, operators={r: admin.address for r in Role}
        )
        deployment = result.deployment
        ledger = Ledger.attach(w3=w3, artifacts=artifacts, addresses=deployment.addresses())
        yield AnvilLedger(ledger, admin, deployment, Path(scratch))


def peer_artifacts(
    output: dict[str, Any],
    contracts: dict[str, str],
    *,
    info: CompilerInfo,
    settings: dict[str, Any],
) -> dict[str, Artifact]:
    """Artifacts of a peer's compile: `contracts` maps each name to its source unit."""
    artifacts = {}
    for name, unit in contracts.items():
        data = output["contracts"][unit][name]
        artifacts[name] = Artifact(
            contract_name=name,
            source_path=unit,
            abi=data["abi"],
            bytecode="0x" + data["evm"]["bytecode"]["object"],
            deployed_bytecode="0x" + data["evm"]["deployedBytecode"]["object"],
            compiler=info,
            settings=settings,
            source_hash="",
            build_hash="",
        )
    return artifacts
