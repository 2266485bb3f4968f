"""Deploying compiled artifacts and the ledger's contract suite."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.types import TxReceipt

from ipledger.chain.keys import DEV_CHAIN_IDS
from ipledger.chain.revert import RevertDecoder
from ipledger.chain.tx import Sender, transact
from ipledger.clients.ledger import Ledger
from ipledger.clients.loans import LoanBookClient
from ipledger.deploy.provenance import ORDER, constructor_args, creation_problem
from ipledger.deploy.records import (
    ContractRecord,
    Deployment,
    RevokedRole,
    code_hash,
    sha256_hex,
)
from ipledger.errors import IpledgerError
from ipledger.models import OPERATOR_ROLES, Role, SuiteAddresses, parse_address
from ipledger.toolchain.artifacts import Artifact


class DeploymentError(IpledgerError):
    """A contract could not be deployed."""


def deploy_artifact(
    *, w3: Web3, artifact: Artifact, sender: Sender, args: tuple[Any, ...] = ()
) -> tuple[ChecksumAddress, TxReceipt]:
    """Deploy `artifact` from `sender` and wait for it; returns address and receipt."""
    if not artifact.deployable:
        raise DeploymentError(f"{artifact.contract_name} is abstract or an interface")
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = transact(
        w3=w3,
        call=factory.constructor(*args),
        sender=sender,
        decoder=RevertDecoder([artifact]),
        context=f"deploying {artifact.contract_name}",
    )
    address = receipt["contractAddress"]
    if address is None:
        raise DeploymentError(f"deploying {artifact.contract_name}: the receipt names no address")
    return address, receipt


def _intact(
    w3: Web3, artifacts: Mapping[str, Artifact], name: str, record: ContractRecord, deployer: str
) -> bool:
    """The recorded contract is still there, with the code of the current artifact, and
    the chain shows it created from that artifact with its recorded arguments."""
    if sha256_hex(artifacts[name].deployed_bytecode) != record.artifact_hash:
        return False
    if code_hash(w3, record.address) != record.code_hash:
        return False
    return creation_problem(w3, artifacts[name], record, deployer, record.args) is None


def _reusable(
    w3: Web3,
    artifacts: Mapping[str, Artifact],
    admin: str,
    previous: Deployment | None,
    order: Sequence[str],
) -> set[str]:
    """Which recorded contracts can stay: intact, and built on the same dependencies."""
    if previous is None:
        return set()
    intact = {
        n
        for n, r in previous.contracts.items()
        if n in artifacts and _intact(w3, artifacts, n, r, previous.deployer)
    }
    while True:
        addresses: dict[str, str | None] = {}
        keep: set[str] = set()
        for name in order:
            record = previous.contracts.get(name)
            args = constructor_args(name, admin, addresses)
            if name in intact and record is not None and record.args == args:
                keep.add(name)
                addresses[name] = record.address
            else:
                addresses[name] = None
        # The trail is bound once, to one registry: a new registry needs a new trail.
        if "EvidenceTrail" in keep and "PatentRegistry" not in keep:
            intact.discard("EvidenceTrail")
            continue
        return keep


def _check_loans_kept(
    w3: Web3, artifacts: Mapping[str, Artifact], previous: Deployment | None, keep: set[str]
) -> None:
    """A loan book holding pledged tokens is never replaced: the old one would lose its
    custodian role and the pledges could neither be released nor enforced."""
    if previous is None or "LoanBook" in keep or "LoanBook" not in previous.contracts:
        return
    address = previous.contracts["LoanBook"].address
    if not w3.eth.get_code(address):
        return  # a reset node: nothing is there to strand
    book = LoanBookClient.of(
        artifacts["LoanBook"], w3=w3, address=address, decoder=RevertDecoder(artifacts.values())
    )
    count = book.loan_count()
    if count > 0:
        raise DeploymentError(
            f"this deploy would replace the LoanBook at {address}, which has {count} loan(s): "
            "their pledged tokens would be stranded in it. Keep the contracts it depends on "
            "(PatentRegistry, ValuationRegistry, ValuationRecognition, CollateralPolicy, "
            "EvidenceTrail) until its loans "
            "are closed"
        )


@dataclass(frozen=True)
class DeployResult:
    deployment: Deployment
    deployed: list[str]  # contracts deployed by this run
    reused: list[str]  # contracts found intact and kept


def deploy(
    *,
    w3: Web3,
    artifacts: Mapping[str, Artifact],
    admin: Sender,
    operators: Mapping[Role, str] | None = None,
    previous: Deployment | None = None,
    payment_token: str | None = None,
) -> DeployResult:
    """Deploy what `previous` lacks or what changed (artifact, code on chain, or a
    dependency), reuse the rest, then bind the evidence trail and grant each role to
    `operators[role]` (default: the admin) where not yet granted. Idempotent.

    Licence revenue is paid in `payment_token`; without one, a dev chain gets the test
    HKD (mocks/TestHKD.sol, mintable by its owner), and any other chain is refused."""
    chain_id = w3.eth.chain_id
    if previous is not None and previous.chain_id != chain_id:
        raise DeploymentError(
            f"the deployment record is for chain {previous.chain_id}, "
            f"but the node is chain {chain_id}"
        )
    if payment_token is None and chain_id not in DEV_CHAIN_IDS:
        raise DeploymentError(
            f"chain {chain_id} is not a dev chain: name the ERC-20 licence revenue is paid "
            "in (--payment-token); the test HKD is deployed on dev chains only"
        )
    order = ORDER if payment_token is None else tuple(n for n in ORDER if n != "TestHKD")
    keep = _reusable(w3, artifacts, admin.address, previous, order)
    _check_loans_kept(w3, artifacts, previous, keep)
    records: dict[str, ContractRecord] = {}
    addresses: dict[str, str | None] = {}
    deployed: list[str] = []
    for name in order:
        if name in keep and previous is not None:
            records[name] = previous.contracts[name]
        else:
            args = constructor_args(name, admin.address, addresses)
            address, receipt = deploy_artifact(
                w3=w3, artifact=artifacts[name], sender=admin, args=tuple(args)
            )
            records[name] = ContractRecord(
                address=address,
                tx_hash=receipt["transactionHash"].to_0x_hex(),
                block=receipt["blockNumber"],
                artifact_hash=sha256_hex(artifacts[name].deployed_bytecode),
                code_hash=code_hash(w3, address),
                args=args,
            )
            deployed.append(name)
        addresses[name] = records[name].address
    suite = Deployment(
        chain_id=chain_id,
        deployer=admin.address,
        contracts=records,
        payment_token=None if payment_token is None else parse_address(payment_token),
    ).addresses()
    ledger = Ledger.attach(w3=w3, artifacts=artifacts, addresses=suite)
    _configure(ledger, admin, operators or {}, test_hkd=payment_token is None)
    revoked = list(previous.revoked) if previous is not None else []
    if previous is not None:
        replaced = [r.address for n, r in previous.contracts.items() if n not in keep]
        revoked += _revoke_replaced(ledger, admin, keep, replaced)
    deployment = Deployment(
        chain_id=chain_id,
        deployer=admin.address,
        contracts=records,
        revoked=revoked,
        payment_token=None if payment_token is None else suite.payment_token,
    )
    return DeployResult(deployment, deployed, [n for n in order if n in keep])


def _revoke_replaced(
    ledger: Ledger, admin: Sender, keep: set[str], replaced: Sequence[str]
) -> list[RevokedRole]:
    """Take back every role a replaced contract held in a contract that stays (a
    replaced valuation registry must not keep writing to the kept evidence trail)."""
    revoked = []
    for role in Role:
        if role.contract not in keep:
            continue  # deployed anew: nothing old holds a role in it
        where = ledger.roles(role.contract)
        for account in replaced:
            if where.has_role(role, account):
                receipt = where.revoke_role(role, account, sender=admin)
                revoked.append(
                    RevokedRole(
                        contract=role.contract,
                        role=role.value,
                        account=Web3.to_checksum_address(account),
                        tx_hash=receipt["transactionHash"].to_0x_hex(),
                    )
                )
    return revoked


TEST_HKD_RATE_WAD = 10**4 * 10**18  # test HKD base units per HKD cent, scaled by 1e18


def _configure(
    ledger: Ledger, admin: Sender, operators: Mapping[Role, str], *, test_hkd: bool
) -> None:
    """Bind the trail to the registry (once) and grant every role not yet granted."""
    suite = ledger.addresses
    if ledger.evidence.patent_registry() is None:
        ledger.evidence.bind_patent_registry(suite.patent_registry, sender=admin)
    grants: list[tuple[Role, str]] = [
        (role, operators.get(role, admin.address)) for role in OPERATOR_ROLES
    ]
    # Whoever registers patents or acts as token agent also records their documents; the
    # loan book records pledges and holds them in escrow.
    grants += [
        (Role.EVIDENCE_WRITER, operators.get(Role.REGISTRAR, admin.address)),
        (Role.EVIDENCE_WRITER, operators.get(Role.TOKEN_AGENT, admin.address)),
        (Role.EVIDENCE_WRITER, suite.valuation_registry),
        (Role.EVIDENCE_WRITER, suite.valuation_recognition),
        (Role.EVIDENCE_WRITER, suite.loan_book),
        (Role.PLEDGE_CUSTODIAN, suite.loan_book),
    ]
    for role, holder in dict.fromkeys(grants):
        where = ledger.roles(role.contract)
        if not where.has_role(role, holder):
            where.grant_role(role, holder, sender=admin)
    # The test HKD has 6 decimals and HKD valuations are in cents: 10**4 base units per
    # cent. A real payment token's rates are the risk officer's to set.
    risk_is_admin = operators.get(Role.RISK, admin.address) == admin.address
    if test_hkd and risk_is_admin and ledger.policy.rate(suite.payment_token, "HKD") == 0:
        ledger.policy.set_rate(suite.payment_token, "HKD", TEST_HKD_RATE_WAD, sender=admin)


def deploy_suite(
    *,
    w3: Web3,
    artifacts: Mapping[str, Artifact],
    admin: Sender,
    operators: Mapping[Role, str] | None = None,
) -> SuiteAddresses:
    """A fresh suite (nothing reused); see `deploy`."""
    return deploy(
        w3=w3, artifacts=artifacts, admin=admin, operators=operators
    ).deployment.addresses()
