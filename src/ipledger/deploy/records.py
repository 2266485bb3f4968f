"""`deployments/<chainId>.json`: where the suite lives on a chain, written only by deploy."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel
from web3 import Web3

from ipledger.errors import IpledgerError
from ipledger.models import CONTRACT_FIELDS, Address, SuiteAddresses


class DeploymentFileError(IpledgerError, ValueError):
    """A deployments file is missing or malformed."""


class ContractRecord(BaseModel):
    """One deployed contract and what it was deployed from."""

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    address: Address
    tx_hash: str
    block: int
    artifact_hash: str  # sha256 of the artifact's deployedBytecode when deployed
    code_hash: str  # keccak of the code found at `address` right after deployment
    args: list[Any]  # constructor arguments (addresses as checksummed strings)


class RevokedRole(BaseModel):
    """A role a replaced contract held in a contract that stayed, revoked on redeploy."""

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    contract: str  # where the role was held, e.g. "EvidenceTrail"
    role: str  # e.g. "EVIDENCE_WRITER_ROLE"
    account: Address  # the replaced contract
    tx_hash: str


class Deployment(BaseModel):
    """The suite on one chain."""

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    chain_id: int
    deployer: Address
    contracts: dict[str, ContractRecord]
    revoked: list[RevokedRole] = []  # every role taken back from a replaced contract
    # The ERC-20 licence revenue is paid in, named at deployment; None on a dev chain,
    # whose suite pays in the TestHKD it deploys.
    payment_token: Address | None = None

    def addresses(self) -> SuiteAddresses:
        found = {
            f: self.contracts[n].address for n, f in CONTRACT_FIELDS.items() if n in self.contracts
        }
        if self.payment_token is not None:
            found["payment_token"] = self.payment_token
        return SuiteAddresses(**found)

    def first_block(self) -> int:
        """The block of the suite's earliest contract: no event of it is older."""
        return min((r.block for r in self.contracts.values()), default=0)


def deployment_path(deployments_dir: Path, chain_id: int) -> Path:
    return deployments_dir / f"{chain_id}.json"


def load_deployment(path: Path) -> Deployment | None:
    """The deployment recorded at `path`, or None when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return Deployment.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DeploymentFileError(
            f"deployments file {path} is malformed at {where}: {first['msg']}"
        ) from None


def save_deployment(path: Path, deployment: Deployment) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(deployment.model_dump(by_alias=True), indent=2, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(data)
    os.replace(tmp, path)


def sha256_hex(hex_code: str) -> str:
    """An artifact's fingerprint as recorded: sha256 of its 0x-hex bytecode."""
    return hashlib.sha256(bytes.fromhex(hex_code.removeprefix("0x"))).hexdigest()


def code_hash(w3: Web3, address: str) -> str:
    """The recorded fingerprint of the code at `address`: its keccak, hex."""
    return str(Web3.keccak(w3.eth.get_code(Web3.to_checksum_address(address))).hex())
