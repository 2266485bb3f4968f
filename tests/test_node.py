from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ipledger.chain.connect import connect
from ipledger.chain.node import _rpc_chain_id, free_port, start_anvil
from ipledger.cli import app
from ipledger.project import Project
from tests.support.chain import wait_until


def _anvil_pids_on(port: int) -> list[int]:
    out = subprocess.run(["pgrep", "-f", f"anvil.*--port {port}"], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def test_state_file_keeps_chain_across_restarts(project: Project, tmp_path: Path) -> None:
    state = tmp_path / "chain" / "state.json"
    with start_anvil(node_modules=project.node_modules, state=state) as node:
        w3 = connect(node.url)
        sender, receiver = w3.eth.accounts[:2]
        before = w3.eth.get_balance(receiver)
        tx = w3.eth.send_transaction({"from": sender, "to": receiver, "value": 12345})
        w3.eth.wait_for_transaction_receipt(tx)
        block = w3.eth.block_number
    assert state.is_file()
    with start_anvil(node_modules=project.node_modules, state=state) as node:
        w3 = connect(node.url)
        assert w3.eth.get_balance(receiver) == before + 12345
        assert w3.eth.block_number >= block


@pytest.mark.parametrize("extra", [(), ("--prune-history",)])
def test_stopped_node_leaves_nothing_on_disk(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: tuple[str, ...]
) -> None:
    # anvil keeps older block states under ~/.foundry/anvil/tmp and does not remove them
    # when it stops; ours keep state in memory only (or none, with --prune-history, which
    # the lens benchmark passes). 1,000 blocks is past anvil's memory window.
    monkeypatch.setenv("HOME", str(tmp_path))
    with start_anvil(node_modules=project.node_modules, extra_args=extra) as node:
        w3 = connect(node.url)
        w3.provider.make_request("anvil_mine", [1000])  # type: ignore[arg-type]
        assert w3.eth.block_number == 1000
        log = node.log_path
        assert log.is_file()
    assert not log.exists()
    cache = tmp_path / ".foundry" / "anvil" / "tmp"
    assert not cache.exists() or not any(cache.iterdir())


def test_stop_leaves_no_anvil(project: Project) -> None:
    node = start_anvil(node_modules=project.node_modules)
    pid = node.process.pid
    node.stop()
    assert not _anvil_pids_on(node.port)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_cli_node_sigterm_stops_anvil(project: Project) -> None:
    port = free_port()
    cli = subprocess.Popen(
        [sys.executable, "-m", "ipledger", "node", "--port", str(port)],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_until(lambda: _rpc_chain_id(f"http://127.0.0.1:{port}", 1.0) == 31337)
        cli.send_signal(signal.SIGTERM)
        assert cli.wait(timeout=20) == 0
        assert wait_until(lambda: not _anvil_pids_on(port))
    finally:
        cli.kill()
    assert cli.stdout is not None
    said = cli.stdout.read().decode()
    cli.stdout.close()
    assert "funded dev accounts (sign with --account N" in said
    assert "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" in said  # anvil's account 0
    assert "10,000.00 ETH" in said


def test_a_taken_port_is_refused_before_anything_is_announced(project: Project) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            app, ["node", "--port", str(port), "--project", str(project.root)]
        )
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is in use (another node?)" in result.output
    assert "anvil on" not in result.output


def test_killed_parent_takes_anvil_with_it(project: Project, tmp_path: Path) -> None:
    # SIGKILL gives the parent no chance to clean up: the kernel must end anvil. What
    # the dead parent cannot remove (anvil's log, its cache directory) lands in tmp_path.
    port = free_port()
    cli = subprocess.Popen(
        [sys.executable, "-m", "ipledger", "node", "--port", str(port)],
        env={**os.environ, "HOME": str(tmp_path), "TMPDIR": str(tmp_path)},
        cwd=project.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert wait_until(lambda: _rpc_chain_id(f"http://127.0.0.1:{port}", 1.0) == 31337)
    assert _anvil_pids_on(port)
    cli.kill()
    cli.wait(timeout=10)
    assert wait_until(lambda: not _anvil_pids_on(port))
