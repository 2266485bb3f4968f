from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from eth_account import Account
from typer.testing import CliRunner
from web3 import Web3

from ipledger.chain.keys import PASSWORD_ENV, KeystoreError, load_keystore
from ipledger.chain.node import start_anvil
from ipledger.chain.tx import KeyAccount, NodeAccount
from ipledger.cli import app
from ipledger.deploy.provenance import ORDER
from ipledger.deploy.records import (
    DeploymentFileError,
    deployment_path,
    load_deployment,
    save_deployment,
)
from ipledger.deploy.suite import DeploymentError, deploy, deploy_artifact
from ipledger.project import Project
from ipledger.toolchain.artifacts import Artifact
from tests.support.project import scratch_project
from tests.support.suite import register
from tests.support.valuations import make_valuation


def _changed(artifact: Artifact) -> Artifact:
    """The same contract as if recompiled from changed source."""
    return artifact.model_copy(update={"deployed_bytecode": artifact.deployed_bytecode + "00"})


def test_fresh_deploy_records_every_contract(
    w3: Web3, artifacts: dict[str, Artifact], tmp_path: Path
) -> None:
    admin = NodeAccount(w3.eth.accounts[0])
    result = deploy(w3=w3, artifacts=artifacts, admin=admin)
    assert result.deployed == list(ORDER)
    path = deployment_path(tmp_path, w3.eth.chain_id)
    save_deployment(path, result.deployment)
    data = json.loads(path.read_text())
    assert data["chainId"] == w3.eth.chain_id
    assert set(data["contracts"]) == set(ORDER)
    registry = data["contracts"]["PatentRegistry"]
    assert Web3.is_checksum_address(registry["address"])
    assert {"txHash", "block", "artifactHash", "codeHash", "args"} <= set(registry)
    assert load_deployment(path) == result.deployment


def test_second_deploy_deploys_nothing(w3: Web3, artifacts: dict[str, Artifact]) -> None:
    admin = NodeAccount(w3.eth.accounts[0])
    first = deploy(w3=w3, artifacts=artifacts, admin=admin)
    block = w3.eth.block_number
    second = deploy(w3=w3, artifacts=artifacts, admin=admin, previous=first.deployment)
    assert second.deployed == []
    assert second.reused == list(ORDER)
    assert second.deployment == first.deployment
    assert w3.eth.block_number == block  # not even a role grant was sent again


def test_a_named_payment_token_replaces_the_test_hkd(
    w3: Web3, artifacts: dict[str, Artifact], tmp_path: Path
) -> None:
    admin = NodeAccount(w3.eth.accounts[0])
    money, _ = deploy_artifact(
        w3=w3, artifact=artifacts["TestHKD"], sender=admin, args=(admin.address,)
    )
    first = deploy(w3=w3, artifacts=artifacts, admin=admin, payment_token=money)
    assert "TestHKD" not in first.deployment.contracts
    assert first.deployment.addresses().payment_token == money
    path = deployment_path(tmp_path, w3.eth.chain_id)
    save_deployment(path, first.deployment)
    assert json.loads(path.read_text())["paymentToken"] == money
    again = deploy(
        w3=w3, artifacts=artifacts, admin=admin, previous=first.deployment, payment_token=money
    )
    assert again.deployed == []
    assert again.deployment == first.deployment


def test_changed_artifact_is_redeployed_with_its_dependents_only(
    w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    admin = NodeAccount(w3.eth.accounts[0])
    first = deploy(w3=w3, artifacts=artifacts, admin=admin)
    changed = {**artifacts, "ValuationRegistry": _changed(artifacts["ValuationRegistry"])}
    second = deploy(w3=w3, artifacts=changed, admin=admin, previous=first.deployment)
    # Recognition, the lens and the collateral policy read it; the loan book reads the policy.
    assert second.deployed == [
        "ValuationRegistry",
        "ValuationRecognition",
        "HoldingsLens",
        "CollateralPolicy",
        "LoanBook",
    ]
    new = second.deployment.addresses().valuation_registry
    assert new != first.deployment.addresses().valuation_registry
    # The new registry may write evidence: the grant was made for it.
    trail = w3.eth.contract(
        address=second.deployment.addresses().evidence_trail, abi=artifacts["EvidenceTrail"].abi
    )
    assert trail.functions.hasRole(Web3.keccak(text="EVIDENCE_WRITER_ROLE"), new).call()
    # ...and the replaced one may not any more: revoked, and recorded.
    old = first.deployment.addresses().valuation_registry
    assert not trail.functions.hasRole(Web3.keccak(text="EVIDENCE_WRITER_ROLE"), old).call()
    old_book = first.deployment.addresses().loan_book
    old_recognition = first.deployment.addresses().valuation_recognition
    assert {(r.contract, r.role, r.account) for r in second.deployment.revoked} == {
        ("EvidenceTrail", "EVIDENCE_WRITER_ROLE", old),
        ("EvidenceTrail", "EVIDENCE_WRITER_ROLE", old_recognition),
        ("EvidenceTrail", "EVIDENCE_WRITER_ROLE", old_book),
        ("PatentRegistry", "PLEDGE_CUSTODIAN_ROLE", old_book),
    }
    third = deploy(w3=w3, artifacts=changed, admin=admin, previous=second.deployment)
    assert third.deployment.revoked == second.deployment.revoked  # kept, not repeated


def test_replaced_valuation_registry_can_no_longer_write_evidence(
    w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    from ipledger.chain.eip712 import sign_valuation
    from ipledger.clients.ledger import Ledger
    from ipledger.errors import ContractRevertError
    from ipledger.models import report_id_of

    admin = NodeAccount(w3.eth.accounts[0])
    first = deploy(w3=w3, artifacts=artifacts, admin=admin)
    changed = {**artifacts, "ValuationRegistry": _changed(artifacts["ValuationRegistry"])}
    deploy(w3=w3, artifacts=changed, admin=admin, previous=first.deployment)
    # The old registry, still on chain, driven as before the redeploy.
    old = Ledger.attach(w3=w3, artifacts=artifacts, addresses=first.deployment.addresses())
    pid = register(old, admin, "30012345")
    valuer = Account.create()
    t = int(w3.eth.get_block("latest")["timestamp"])
    old.valuations.set_valuer(
        valuer.address, name="V", jurisdiction="HK", accredited_until=t + 10**8, sender=admin
    )
    v = make_valuation(
        valuer=valuer.address,
        patent_id=pid,
        now=t,
        report_id=report_id_of(valuer.address, "R-1"),
        valuation_date=t - 10,
        valid_until=t + 10**8,
    )
    signature = sign_valuation(valuer, old.valuations.domain(), v)
    with pytest.raises(ContractRevertError.named("EvidenceUnauthorized")):
        old.valuations.attest(v, signature, sender=admin)


def test_changed_dependency_redeploys_its_dependents(
    w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    admin = NodeAccount(w3.eth.accounts[0])
    first = deploy(w3=w3, artifacts=artifacts, admin=admin)
    changed = {**artifacts, "InvestorRegistry": _changed(artifacts["InvestorRegistry"])}
    second = deploy(w3=w3, artifacts=changed, admin=admin, previous=first.deployment)
    # The token implementation and registries depend on it; the trail is bound to the
    # registry, so it goes too; the stablecoin stays.
    assert second.deployed == [n for n in ORDER if n != "TestHKD"]
    assert second.reused == ["TestHKD"]


def test_record_for_another_chain_is_refused(w3: Web3, artifacts: dict[str, Artifact]) -> None:
    admin = NodeAccount(w3.eth.accounts[0])
    first = deploy(w3=w3, artifacts=artifacts, admin=admin)
    other = first.deployment.model_copy(update={"chain_id": 1})
    with pytest.raises(DeploymentError, match="chain 1"):
        deploy(w3=w3, artifacts=artifacts, admin=admin, previous=other)


def test_deploy_with_keystore_signs_locally(
    w3: Web3, artifacts: dict[str, Artifact], tmp_path: Path
) -> None:
    key = Account.create()
    keystore = tmp_path / "deployer.json"
    keystore.write_text(json.dumps(Account.encrypt(key.key, "s3cret", iterations=1024)))
    funder = w3.eth.accounts[0]
    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"from": funder, "to": key.address, "value": 10**19})
    )
    account = load_keystore(keystore, env={PASSWORD_ENV: "s3cret"})
    result = deploy(w3=w3, artifacts=artifacts, admin=KeyAccount(account))
    assert result.deployment.deployer == key.address
    assert len(result.deployed) == len(ORDER)


def test_keystore_errors_are_clear(tmp_path: Path) -> None:
    keystore = tmp_path / "k.json"
    with pytest.raises(KeystoreError, match="does not exist"):
        load_keystore(keystore, env={})
    keystore.write_text(json.dumps(Account.encrypt(Account.create().key, "right", iterations=1024)))
    with pytest.raises(KeystoreError, match=f"set {PASSWORD_ENV}"):
        load_keystore(keystore, env={})
    with pytest.raises(KeystoreError, match="wrong password"):
        load_keystore(keystore, env={PASSWORD_ENV: "wrong"})
    env = {PASSWORD_ENV: "right"}
    damaged = json.loads(keystore.read_text())
    del damaged["crypto"]["kdfparams"]
    for text, problem in [
        ("", "is empty: create one with `ipledger account new --keystore FILE`"),
        ("  \n", "is empty"),
        ("{not json", "is not JSON"),
        ("[1, 2]", "is JSON but not an eth-account keystore (no 'crypto' section)"),
        ('{"address": "00"}', "is JSON but not an eth-account keystore"),
        (json.dumps(damaged), "is damaged (missing or bad 'kdfparams')"),
    ]:
        keystore.write_text(text)
        with pytest.raises(KeystoreError, match=re.escape(f"keystore {keystore} {problem}")):
            load_keystore(keystore, env=env)


def test_malformed_deployments_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "31337.json"
    path.write_text(json.dumps({"chainId": "x", "deployer": "0x0", "contracts": {}}))
    with pytest.raises(DeploymentFileError, match="chainId"):
        load_deployment(path)


def test_cli_deploy_twice_against_anvil(project: Project, tmp_path: Path) -> None:
    # The CLI runs as a user would: against a node of its own, twice.
    scratch_project(project, tmp_path)
    with start_anvil(node_modules=project.node_modules) as node:
        args = ["deploy", "--rpc", node.url, "--json", "--project", str(tmp_path)]
        first = json.loads(CliRunner().invoke(app, args).output)
        second = CliRunner().invoke(app, [*args[:-3], "--project", str(tmp_path)])
    assert first["deployed"] == list(ORDER)
    assert f"nothing to deploy: all {len(ORDER)} contracts are intact" in second.output
    assert (tmp_path / "deployments" / "31337.json").is_file()


def test_cli_missing_keystore_password_is_one_clear_line(project: Project, tmp_path: Path) -> None:
    keystore = tmp_path / "k.json"
    keystore.write_text(json.dumps(Account.encrypt(Account.create().key, "pw", iterations=1024)))
    result = CliRunner().invoke(
        app,
        ["deploy", "--keystore", str(keystore), "--project", str(project.root)],
        env={PASSWORD_ENV: ""},
    )
    assert result.exit_code == 1
    assert "wrong password" in result.output or PASSWORD_ENV in result.output


def test_cli_bad_rpc_url(project: Project) -> None:
    result = CliRunner().invoke(
        app, ["deploy", "--rpc", "http://127.0.0.1:1", "--project", str(project.root)]
    )
    assert result.exit_code == 1
    assert "no Ethereum JSON-RPC node answered at http://127.0.0.1:1" in result.output
