"""Crash safety: the mirror, run as its own process against anvil, is killed (SIGKILL)
at each step boundary and restarted; the chain ends with exactly one attestation per
valid report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account

from ipledger.chain import connect
from ipledger.compiler import compile_project
from ipledger.deploy import deploy
from ipledger.deployments import deployment_path, save_deployment
from ipledger.ledger import Ledger
from ipledger.mirror.service import CRASH_ENV
from ipledger.node import start_anvil
from ipledger.project import Project
from ipledger.tx import NodeAccount
from tests.mirror.conftest import PILOT, copy_reports, prepare_chain
from tests.mirror.test_service import REPORTS

BOUNDARIES = ["after_sign", "after_send", "before_receipt", "after_receipt"]


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_killed_at_each_boundary_then_restarted(
    project: Project, tmp_path: Path, boundary: str
) -> None:
    (tmp_path / "contracts").symlink_to(project.contracts_dir)
    (tmp_path / "node_modules").symlink_to(project.node_modules)
    (tmp_path / "package.json").write_text("{}")
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
        source = copy_reports(tmp_path / "in")
        command = [
            sys.executable,
            "-m",
            "ipledger.cli",
            "mirror",
            "--source",
            str(source),
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
        }
        crashed = subprocess.run(
            command, env={**env, CRASH_ENV: boundary}, capture_output=True, timeout=120
        )
        assert crashed.returncode == -9, crashed.stderr  # killed where asked
        finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert finished.returncode == 0, finished.stderr
        summary = json.loads(finished.stdout)
        assert (summary["confirmed"], summary["failed"], summary["pending"]) == (4, 0, 0)
        events = ledger.valuations.contract.events.ValuationAttested().get_logs(from_block=0)
        assert sorted(e["args"]["reportId"] for e in events) == sorted(
            __import__("eth_utils").keccak(text=r) for r in REPORTS
        )
