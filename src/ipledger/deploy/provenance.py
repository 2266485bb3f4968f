"""Where each recorded contract came from, proved from the chain itself.

A deployment record is a file: it can go stale (a node reset) or be edited. Before a
recorded contract is used (reads, operators' verbs) or kept (redeploy), its creation
transaction is fetched: mined successfully, sent by the recorded deployer, creating the
recorded address, with the artifact's creation code followed by the constructor
arguments that bind it to the rest of the recorded suite.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_abi.abi import encode
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import TransactionNotFound

from ipledger.deploy.records import ContractRecord
from ipledger.toolchain.artifacts import Artifact

SUBSIDY_CAP = 100  # the pilot subsidises at most 100 valuations a calendar year
# The suite in dependency order: each contract's constructor names only those before it.
ORDER = (
    "InvestorRegistry",
    "EvidenceTrail",
    "RevenueRightsToken",
    "PatentRegistry",
    "ValuationRegistry",
    "ValuationRecognition",
    "HoldingsLens",
    "CollateralPolicy",
    "LoanBook",
    "TestHKD",
)


def constructor_args(name: str, admin: str, deployed: Mapping[str, str | None]) -> list[Any]:
    """The constructor arguments of `name`, given the addresses of what it depends on
    (None for a dependency about to be redeployed, so the args cannot match)."""
    if name == "RevenueRightsToken":
        return [deployed.get("InvestorRegistry"), deployed.get("EvidenceTrail")]
    if name == "PatentRegistry":
        return [admin, deployed.get("InvestorRegistry"), deployed.get("RevenueRightsToken")]
    if name == "ValuationRegistry":
        return [admin, deployed.get("PatentRegistry"), deployed.get("EvidenceTrail"), SUBSIDY_CAP]
    if name == "ValuationRecognition":
        return [deployed.get("ValuationRegistry"), deployed.get("EvidenceTrail")]
    if name == "HoldingsLens":
        return [
            deployed.get("PatentRegistry"),
            deployed.get("ValuationRegistry"),
            deployed.get("ValuationRecognition"),
            deployed.get("EvidenceTrail"),
        ]
    if name == "CollateralPolicy":
        return [deployed.get("PatentRegistry"), deployed.get("ValuationRecognition")]
    if name == "LoanBook":
        return [
            deployed.get("PatentRegistry"),
            deployed.get("CollateralPolicy"),
            deployed.get("EvidenceTrail"),
        ]
    return [admin]  # InvestorRegistry, EvidenceTrail, TestHKD: their admin or owner


def creation_code(artifact: Artifact, args: list[Any]) -> bytes:
    """What a deployment of `artifact` with `args` sends: creation code, then the
    ABI-encoded constructor arguments."""
    [constructor] = [e for e in artifact.abi if e["type"] == "constructor"] or [{"inputs": []}]
    types = [i["type"] for i in constructor["inputs"]]
    return bytes(HexBytes(artifact.bytecode)) + encode(types, args)


def creation_problem(
    w3: Web3, artifact: Artifact, record: ContractRecord, deployer: str, args: list[Any]
) -> str | None:
    """Why the chain does not show `record` as created from `artifact` with `args` by
    `deployer`; None when it does."""
    try:
        tx = w3.eth.get_transaction(HexBytes(record.tx_hash))
        receipt = w3.eth.get_transaction_receipt(HexBytes(record.tx_hash))
    except TransactionNotFound:
        return f"its creation transaction {record.tx_hash} is not on this chain"
    if receipt["status"] != 1 or receipt["contractAddress"] != record.address:
        return f"transaction {record.tx_hash} did not create {record.address}"
    if tx["from"] != Web3.to_checksum_address(deployer):
        return f"it was created by {tx['from']}, not the recorded deployer {deployer}"
    if bytes(tx["input"]) != creation_code(artifact, args):
        return "it was not created from this artifact with the suite's constructor arguments"
    return None
