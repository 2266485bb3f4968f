"""Attaching to the suite deployed on a node's chain, without the compiler.

Reads and operators' verbs load `build/contracts/<Name>.json` and the record in
`deployments/<chainId>.json`, and check that each artifact is the one deployed (its
sha256) and that the chain still holds the recorded code (its keccak): an edited source
or a reset node is named, never called with the wrong ABI.
"""

from __future__ import annotations

from web3 import Web3

from ipledger.chain.connect import redact_url
from ipledger.clients.ledger import Ledger
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
    return deployment


def deployed_artifacts(project: Project, w3: Web3, deployment: Deployment) -> dict[str, Artifact]:
    """The artifacts of every recorded contract, each checked against the record and the
    code on chain."""
    artifacts: dict[str, Artifact] = {}
    for name, record in deployment.contracts.items():
        artifact = load_artifact(project.build_dir, name)
        if sha256_hex(artifact.deployed_bytecode) != record.artifact_hash:
            raise StaleDeploymentError(
                f"build/contracts/{name}.json is not what was deployed at {record.address} "
                f"on chain {deployment.chain_id} (the source changed since): run "
                "`ipledger deploy` to deploy it, or rebuild the deployed sources"
            )
        if code_hash(w3, record.address) != record.code_hash:
            raise StaleDeploymentError(
                f"chain {deployment.chain_id} holds other code at {record.address} than the "
                f"{name} recorded in deployments/{deployment.chain_id}.json (a node reset?): "
                "run `ipledger deploy`"
            )
        artifacts[name] = artifact
    return artifacts


def open_suite(project: Project, w3: Web3, rpc: str | None = None) -> tuple[Ledger, Deployment]:
    """The deployed suite as typed clients, and its record."""
    deployment = load_deployed(project, w3, rpc)
    artifacts = deployed_artifacts(project, w3, deployment)
    ledger = Ledger.attach(w3=w3, artifacts=artifacts, addresses=deployment.addresses())
    return ledger, deployment
