"""Deploying compiled artifacts and the ledger's contract suite."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_typing import ChecksumAddress
from pydantic import BaseModel, ConfigDict
from web3 import Web3
from web3.types import TxReceipt

from ipledger.artifacts import Artifact
from ipledger.errors import IpledgerError
from ipledger.tx import RECEIPT_TIMEOUT, Sender
from ipledger.types import Role


class DeploymentError(IpledgerError):
    """A contract could not be deployed."""


def deploy_artifact(
    *, w3: Web3, artifact: Artifact, sender: Sender, args: tuple[Any, ...] = ()
) -> tuple[ChecksumAddress, TxReceipt]:
    """Deploy `artifact` from `sender` and wait for it; returns address and receipt."""
    if not artifact.deployable:
        raise DeploymentError(f"{artifact.contract_name} is abstract or an interface")
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    tx = factory.constructor(*args).build_transaction({"from": sender.address})
    tx_hash = sender.send(w3, tx)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT)
    address = receipt["contractAddress"]
    if receipt["status"] != 1 or address is None:
        raise DeploymentError(
            f"deploying {artifact.contract_name} reverted (tx {tx_hash.hex()}, "
            f"gas used {receipt['gasUsed']})"
        )
    return address, receipt


class SuiteAddresses(BaseModel):
    """Where the ledger's contracts live on one chain."""

    model_config = ConfigDict(frozen=True)

    investor_registry: ChecksumAddress
    token_implementation: ChecksumAddress
    patent_registry: ChecksumAddress
    payment_token: ChecksumAddress


def deploy_suite(
    *,
    w3: Web3,
    artifacts: Mapping[str, Artifact],
    admin: Sender,
    operators: Mapping[Role, str] | None = None,
) -> SuiteAddresses:
    """Deploy the registries, the token implementation and a test HKD stablecoin, and
    grant each operational role to `operators[role]` (default: the admin)."""
    investors, _ = deploy_artifact(
        w3=w3, artifact=artifacts["InvestorRegistry"], sender=admin, args=(admin.address,)
    )
    implementation, _ = deploy_artifact(
        w3=w3, artifact=artifacts["RevenueRightsToken"], sender=admin, args=(investors,)
    )
    registry, _ = deploy_artifact(
        w3=w3,
        artifact=artifacts["PatentRegistry"],
        sender=admin,
        args=(admin.address, investors, implementation),
    )
    payment, _ = deploy_artifact(
        w3=w3, artifact=artifacts["TestHKD"], sender=admin, args=(admin.address,)
    )
    operators = operators or {}
    for role in Role:
        holder = Web3.to_checksum_address(operators.get(role, admin.address))
        where = investors if role is Role.COMPLIANCE else registry
        contract = w3.eth.contract(address=where, abi=artifacts["PatentRegistry"].abi)
        tx = contract.functions.grantRole(role.id, holder).build_transaction(
            {"from": admin.address}
        )
        w3.eth.wait_for_transaction_receipt(admin.send(w3, tx), timeout=RECEIPT_TIMEOUT)
    return SuiteAddresses(
        investor_registry=investors,
        token_implementation=implementation,
        patent_registry=registry,
        payment_token=payment,
    )
