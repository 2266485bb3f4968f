"""Reads attach to the recorded suite without the compiler, and name a build or a chain
that no longer matches the record."""

from __future__ import annotations

import json
import shutil

import pytest
from eth_account import Account

from ipledger.deploy.records import code_hash, load_deployment, save_deployment
from ipledger.deploy.suite import deploy_artifact
from ipledger.toolchain.artifacts import Artifact
from tests.support.cli import Cli
from tests.support.suite import Actors


def _own_build(cli: Cli) -> None:
    """Give the scratch project a build of its own (not the shared one) to edit."""
    build = cli.project.root / "build"
    shared = build.resolve()
    build.unlink()
    shutil.copytree(shared, build)


@pytest.mark.chain
def test_reads_never_start_the_compiler(
    cli: Cli, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    (cli.project.root / "node_modules").unlink()  # no solc-js, no OpenZeppelin sources

    def no_compiler(**_: object) -> None:
        raise AssertionError("a read started the compiler")

    monkeypatch.setattr("ipledger.toolchain.compiler.compile_project", no_compiler)
    data = cli.json("holdings", actors.issuer.address)
    assert data == {"investor": actors.issuer.address, "holdings": []}
    assert "not registered" in cli.error("patent", "show", "HK 30099999")


@pytest.mark.chain
def test_an_edited_build_is_named_not_called(cli: Cli, actors: Actors) -> None:
    _own_build(cli)
    path = cli.project.build_dir / "PatentRegistry.json"
    artifact = json.loads(path.read_text())
    artifact["deployedBytecode"] = artifact["deployedBytecode"][:-2] + "00"
    path.write_text(json.dumps(artifact))
    line = cli.error("holdings", actors.issuer.address)
    assert "build/contracts/PatentRegistry.json is not what was deployed" in line
    assert "ipledger deploy" in line


@pytest.mark.chain
def test_other_code_at_a_recorded_address_is_named(cli: Cli, actors: Actors) -> None:
    record_path = next(cli.project.deployments_dir.glob("*.json"))
    record = load_deployment(record_path)
    assert record is not None
    lens = record.contracts["HoldingsLens"]
    # The lens's record points at the registry's address: another contract's code.
    moved = lens.model_copy(update={"address": record.contracts["PatentRegistry"].address})
    contracts = {**record.contracts, "HoldingsLens": moved}
    save_deployment(record_path, record.model_copy(update={"contracts": contracts}))
    line = cli.error("holdings", actors.issuer.address)
    assert "holds other code at" in line
    assert "HoldingsLens" in line


@pytest.mark.chain
def test_a_reset_node_is_named_with_what_to_do(cli: Cli, actors: Actors) -> None:
    """A fresh node under an old record: nothing at the recorded addresses."""
    record_path = next(cli.project.deployments_dir.glob("*.json"))
    record = load_deployment(record_path)
    assert record is not None
    gone = {
        name: r.model_copy(update={"address": Account.create().address})
        for name, r in record.contracts.items()
    }
    save_deployment(record_path, record.model_copy(update={"contracts": gone}))
    line = cli.error("holdings", actors.issuer.address)
    assert "no contract at 0x" in line
    assert "was the node reset" in line
    assert "Run `ipledger deploy`" in line


@pytest.mark.chain
def test_a_missing_build_names_the_command_that_makes_it(cli: Cli, actors: Actors) -> None:
    (cli.project.root / "build").unlink()
    line = cli.error("holdings", actors.issuer.address)
    assert "no artifact for contract" in line
    assert "ipledger compile" in line


@pytest.mark.chain
def test_a_record_naming_someone_elses_copy_is_refused(
    cli: Cli, actors: Actors, artifacts: dict[str, Artifact]
) -> None:
    """The same registry code, deployed by someone else with themselves as admin, has
    the same code hash: only its creation transaction shows it is not the suite's."""
    record_path = next(cli.project.deployments_dir.glob("*.json"))
    record = load_deployment(record_path)
    assert record is not None
    real = record.contracts["PatentRegistry"]
    forged_args = [actors.outsider.address, *real.args[1:]]
    address, receipt = deploy_artifact(
        w3=cli.ledger.w3,
        artifact=artifacts["PatentRegistry"],
        sender=actors.outsider,
        args=tuple(forged_args),
    )
    forged = real.model_copy(
        update={
            "address": address,
            "tx_hash": receipt["transactionHash"].to_0x_hex(),
            "args": forged_args,
        }
    )
    assert code_hash(cli.ledger.w3, address) == real.code_hash  # the old check passes
    contracts = {**record.contracts, "PatentRegistry": forged}
    save_deployment(record_path, record.model_copy(update={"contracts": contracts}))
    line = cli.error("holdings", actors.issuer.address)
    assert f"the PatentRegistry recorded at {address}" in line
    assert f"it was created by {actors.outsider.address}, not the recorded deployer" in line


@pytest.mark.chain
def test_a_record_of_another_chain_is_refused(cli: Cli, actors: Actors) -> None:
    record_path = next(cli.project.deployments_dir.glob("*.json"))
    record = load_deployment(record_path)
    assert record is not None
    save_deployment(record_path, record.model_copy(update={"chain_id": 1}))
    assert "records chain 1, but the node is chain" in cli.error("holdings", actors.issuer.address)
