"""Deploying compiled artifacts."""

from __future__ import annotations

from typing import Any

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from ipledger.artifacts import Artifact
from ipledger.errors import IpledgerError


class DeploymentError(IpledgerError):
    """A contract could not be deployed."""


def deploy_artifact(
    *, w3: Web3, artifact: Artifact, sender: ChecksumAddress, args: tuple[Any, ...] = ()
) -> tuple[Contract, TxReceipt]:
    """Deploy `artifact` from `sender` (an account the node signs for) and wait for it."""
    if not artifact.deployable:
        raise DeploymentError(f"{artifact.contract_name} is abstract or an interface")
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    tx_hash = factory.constructor(*args).transact({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
    address = receipt["contractAddress"]
    if receipt["status"] != 1 or address is None:
        raise DeploymentError(
            f"deploying {artifact.contract_name} reverted (tx {tx_hash.hex()}, "
            f"gas used {receipt['gasUsed']})"
        )
    return w3.eth.contract(address=address, abi=artifact.abi), receipt
