"""Fixtures for the mirror's tests: a ledger ready for it (on the session chain, reverted
per test), and the mirror as its own process against its own anvil."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account

from ipledger.chain.connect import connect
from ipledger.chain.node import start_anvil
from ipledger.chain.tx import NodeAccount
from ipledger.clients.ledger import Ledger
from ipledger.deploy.records import deployment_path, save_deployment
from ipledger.deploy.suite import deploy
from ipledger.mirror.service import LOCK_DIR_ENV
from ipledger.project import Project
from ipledger.toolchain.compiler import compile_project
from tests.support.mirror import PILOT, Harness, MirrorEnv, copy_reports, prepare_chain
from tests.support.project import scratch_project
from tests.support.suite import Actors


@pytest.fixture
def env(ledger: Ledger, actors: Actors, tmp_path: Path) -> MirrorEnv:
    valuer, relayer = prepare_chain(ledger, actors.admin)
    return MirrorEnv(
        ledger, actors, valuer, relayer, copy_reports(tmp_path / "in"), tmp_path / "outbox.sqlite"
    )


@pytest.fixture
def harness(project: Project, tmp_path: Path) -> Iterator[Harness]:
    """A project with the suite deployed on its own anvil, and the mirror's command line."""
    scratch_project(project, tmp_path)
    artifacts = compile_project(project=project).artifacts
    with start_anvil(node_modules=project.node_modules) as node:
        w3 = connect(node.url)
        admin = NodeAccount(w3.eth.accounts[0])
        result = deploy(w3=w3, artifacts=artifacts, admin=admin)
        save_deployment(
            deployment_path(tmp_path / "deployments", w3.eth.chain_id), result.deployment
        )
        ledger = Ledger.attach(w3=w3, artifacts=artifacts, addresses=result.deployment.addresses())
        _valuer, relayer = prepare_chain(ledger, admin)
        relayer_keystore = tmp_path / "relayer.json"
        relayer_keystore.write_text(json.dumps(Account.encrypt(relayer.key, "r", iterations=1024)))
        command = [
            sys.executable,
            "-m",
            "ipledger",
            "mirror",
            "--source",
            str(tmp_path / "in"),
            "--valuer-keystore",
            str(PILOT / "keys" / "valuer.json"),
            "--relayer-keystore",
            str(relayer_keystore),
            "--chain-id",
            "31337",
            "--outbox",
            str(tmp_path / "outbox.sqlite"),
            "--project",
            str(tmp_path),
            "--rpc",
            node.url,
            "--json",
        ]
        env = {
            **os.environ,
            "IPLEDGER_KEYSTORE_PASSWORD": "pilot",
            "IPLEDGER_RELAYER_PASSWORD": "r",
            LOCK_DIR_ENV: str(tmp_path / "locks"),
        }
        yield Harness(ledger, command, env, tmp_path / "in", relayer.address)
