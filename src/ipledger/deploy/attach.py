"""Attaching to the suite deployed on a node's chain, without the compiler.

Reads and operators' verbs load `build/contracts/<Name>.json` and the record in
`deployments/<chainId>.json`, and check each contract against the chain before use: the
artifact is the one deployed (its sha256), the chain still holds the recorded code (its
keccak), and the chain shows that code created from this artifact, by the recorded
deployer, with constructor arguments binding it to the rest of the recorded suite
(`provenance`). An edited source or build, a reset node or an edited record is named,
never acted on.
"""

from __future__ import annotations

from web3 import Web3

from ipledger.chain.connect import redact_url
from ipledger.clients.ledger import Ledger
from ipledger.deploy.provenance import ORDER, constructor_args, creation_problem
from ipledger.deploy.records import (
    Deployment,
    DeploymentFileError,
    code_hash,
    deployment_path,
    load_deployment,
    sha256_hex,
)
from ipledger.project import Project
from ipledger.toolchain.artifacts import Artifact, load_artifact


class StaleDeploymentError(DeploymentFileError):
    """The build or the chain no longer matches the deployment record."""


def load_deployed(project: Project, w3: Web3, rpc: str | None = None) -> Deployment:
    """The record for the node's chain; a missing one names the command that makes it."""
    chain_id = w3.eth.chain_id
    path = deployment_path(project.deployments_dir, chain_id)
    deployment = load_deployment(path)
    if deployment is None:
        raise DeploymentFileError(
            f"no deployment for chain {chain_id} at {path}: run `ipledger deploy"
            + (f" --rpc {redact_url(rpc)}`" if rpc else "` against a node (--rpc)")
            + " first"
        )
    if deployment.chain_id != chain_id:
        raise StaleDeploymentError(
            f"{path} records chain {deployment.chain_id}, but the node is chain {chain_id}"
        )
    return deployment


def deployed_artifacts(project: Project, w3: Web3, deployment: Deployment) -> dict[str, Artifact]:
    """The artifacts of every recorded contract, each checked against the record and the
    code on chain."""
    artifacts: dict[str, Artifact] = {}
    addresses: dict[str, str | None] = {n: r.address for n, r in deployment.contracts.items()}
    # Dependencies first: a wrong contract is named, not the first one that points at it.
    for name in sorted(deployment.contracts, key=lambda n: ORDER.index(n) if n in ORDER else 99):
        record = deployment.contracts[name]
        artifact = load_artifact(project.build_dir, name)
        if sha256_hex(artifact.deployed_bytecode) != record.artifact_hash:
            raise StaleDeploymentError(
                f"build/contracts/{name}.json is not what was deployed at {record.address} "
                f"on chain {deployment.chain_id} (the source changed since): run "
                "`ipledger deploy` to deploy it, or rebuild the deployed sources"
            )
        if code_hash(w3, record.address) != record.code_hash:
            if not w3.eth.get_code(record.address):
                raise StaleDeploymentError(
                    f"no contract at {record.address}, where deployments/"
                    f"{deployment.chain_id}.json records the {name}: was the node reset "
                    "(a fresh anvil, or one started without --state)? Run `ipledger deploy` "
                    "(and the steps after it) again"
                )
            raise StaleDeploymentError(
                f"chain {deployment.chain_id} holds other code at {record.address} than the "
                f"{name} recorded in deployments/{deployment.chain_id}.json (a node reset?): "
                "run `ipledger deploy`"
            )
        args = constructor_args(name, deployment.deployer, addresses)
        problem = creation_problem(w3, artifact, record, deployment.deployer, args)
        if problem is not None:
            raise StaleDeploymentError(
                f"the {name} recorded at {record.address} in deployments/"
                f"{deployment.chain_id}.json is not the suite's: {problem}"
            )
        artifacts[name] = artifact
    payment = deployment.payment_token
    if payment is not None and not w3.eth.get_code(payment):
        raise StaleDeploymentError(f"the recorded payment token {payment} has no code")
    return artifacts


def open_suite(project: Project, w3: Web3, rpc: str | None = None) -> tuple[Ledger, Deployment]:
    """The deployed suite as typed clients, and its record."""
    deployment = load_deployed(project, w3, rpc)
    artifacts = deployed_artifacts(project, w3, deployment)
    ledger = Ledger.attach(
        w3=w3,
        artifacts=artifacts,
        addresses=deployment.addresses(),
        first_block=deployment.first_block(),
    )
    return ledger, deployment
