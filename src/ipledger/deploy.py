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
    evidence_trail: ChecksumAddress
    token_implementation: ChecksumAddress
    patent_registry: ChecksumAddress
    valuation_registry: ChecksumAddress
    payment_token: ChecksumAddress

    def of(self, contract: str) -> ChecksumAddress:
        """The address of the suite contract named `contract` (e.g. "PatentRegistry")."""
        field = {
            "InvestorRegistry": "investor_registry",
            "EvidenceTrail": "evidence_trail",
            "RevenueRightsToken": "token_implementation",
            "PatentRegistry": "patent_registry",
            "ValuationRegistry": "valuation_registry",
            "TestHKD": "payment_token",
        }[contract]
        address: ChecksumAddress = getattr(self, field)
        return address


SUBSIDY_CAP = 100  # the pilot subsidises at most 100 valuations a calendar year


def _call(
    w3: Web3, artifact: Artifact, address: str, sender: Sender, function: str, *args: Any
) -> TxReceipt:
    contract = w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifact.abi)
    tx = contract.get_function_by_name(function)(*args).build_transaction({"from": sender.address})
    receipt = w3.eth.wait_for_transaction_receipt(sender.send(w3, tx), timeout=RECEIPT_TIMEOUT)
    if receipt["status"] != 1:
        raise DeploymentError(f"{artifact.contract_name}.{function} failed during set-up")
    return receipt


def deploy_suite(
    *,
    w3: Web3,
    artifacts: Mapping[str, Artifact],
    admin: Sender,
    operators: Mapping[Role, str] | None = None,
) -> SuiteAddresses:
    """Deploy the ledger's contracts and a test HKD stablecoin, and grant each
    operational role to `operators[role]` (default: the admin). The valuation registry
    and the registrar and agents may write evidence."""

    def deploy(name: str, *args: Any) -> ChecksumAddress:
        address, _ = deploy_artifact(w3=w3, artifact=artifacts[name], sender=admin, args=args)
        return address

    investors = deploy("InvestorRegistry", admin.address)
    evidence = deploy("EvidenceTrail", admin.address)
    implementation = deploy("RevenueRightsToken", investors, evidence)
    registry = deploy("PatentRegistry", admin.address, investors, implementation)
    _call(w3, artifacts["EvidenceTrail"], evidence, admin, "bindPatentRegistry", registry)
    valuations = deploy("ValuationRegistry", admin.address, registry, evidence, SUBSIDY_CAP)
    payment = deploy("TestHKD", admin.address)
    suite = SuiteAddresses(
        investor_registry=investors,
        evidence_trail=evidence,
        token_implementation=implementation,
        patent_registry=registry,
        valuation_registry=valuations,
        payment_token=payment,
    )
    operators = operators or {}
    grants = [(role, operators.get(role, admin.address)) for role in Role]
    # Whoever registers patents or acts as token agent also records their documents.
    grants += [
        (Role.EVIDENCE_WRITER, operators.get(Role.REGISTRAR, admin.address)),
        (Role.EVIDENCE_WRITER, operators.get(Role.TOKEN_AGENT, admin.address)),
        (Role.EVIDENCE_WRITER, valuations),
    ]
    for role, holder in dict.fromkeys(grants):
        artifact = artifacts[role.contract]
        where = suite.of(role.contract)
        _call(w3, artifact, where, admin, "grantRole", role.id, Web3.to_checksum_address(holder))
    return suite
