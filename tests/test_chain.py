from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3
from web3.exceptions import ContractLogicError

from ipledger.chain.connect import connect, describe, node_session, redact_url
from ipledger.chain.node import free_port
from ipledger.chain.tx import NodeAccount
from ipledger.deploy.suite import deploy_artifact
from ipledger.errors import ChainConnectionError
from ipledger.toolchain.artifacts import Artifact


def test_connect_reports_chain_id_and_funded_accounts(w3: Web3) -> None:
    assert w3.eth.chain_id > 0
    accounts = w3.eth.accounts
    assert len(accounts) >= 2
    assert w3.eth.get_balance(accounts[0]) > 10**18
    assert f"chain id {w3.eth.chain_id}" in describe(w3)


def test_deployed_contract_answers_on_both_backends(
    w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    owner, other = w3.eth.accounts[:2]
    address, receipt = deploy_artifact(
        w3=w3, artifact=artifacts["TestHKD"], sender=NodeAccount(owner), args=(owner,)
    )
    assert receipt["status"] == 1
    token = w3.eth.contract(address=address, abi=artifacts["TestHKD"].abi)
    minted = token.functions.mint(other, 123).transact({"from": owner})
    w3.eth.wait_for_transaction_receipt(minted)  # a node may answer before it has mined
    assert token.functions.balanceOf(other).call() == 123
    assert token.functions.decimals().call() == 6


def test_snapshot_isolates_tests(session_w3: Web3) -> None:
    """What the `w3` fixture does around every test (snapshot, then revert) leaves no
    block, balance or nonce of the test behind. (One test, in one process: two halves
    relying on a module global broke when xdist ran them on different workers.)"""
    sender, receiver = session_w3.eth.accounts[:2]
    before = (session_w3.eth.block_number, session_w3.eth.get_balance(receiver))
    nonce = session_w3.eth.get_transaction_count(sender)
    snapshot = session_w3.testing.snapshot()
    tx = session_w3.eth.send_transaction({"from": sender, "to": receiver, "value": 1})
    session_w3.eth.wait_for_transaction_receipt(tx)
    assert session_w3.eth.block_number == before[0] + 1
    session_w3.testing.revert(snapshot)
    assert (session_w3.eth.block_number, session_w3.eth.get_balance(receiver)) == before
    assert session_w3.eth.get_transaction_count(sender) == nonce


def test_connect_rejects_non_http_url() -> None:
    with pytest.raises(ChainConnectionError, match="not an http"):
        connect("ftp://127.0.0.1:1")


def test_connect_to_dead_port_fails_fast_with_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(ChainConnectionError, match=url):
        connect(url, timeout=2)
    assert time.monotonic() - started < 5


@pytest.fixture
def not_a_node() -> Iterator[str]:
    """An HTTP server that answers, but not as a JSON-RPC node."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(404)
            self.end_headers()
            self.wfile.write(b"not here")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_connect_to_wrong_server_is_clear_error(not_a_node: str) -> None:
    with pytest.raises(ChainConnectionError, match="no Ethereum JSON-RPC node answered"):
        connect(not_a_node, timeout=2)


def test_embedded_gas_estimate_suffices_and_stays_tight(artifacts: dict[str, Artifact]) -> None:
    # The embedded chain estimates from one run at the block limit (see chain.estimate_gas);
    # a transaction given exactly the estimate must succeed, including one whose refund
    # (a balance cleared to zero) makes its final gas use lower than what it needs.
    w3 = connect(None)
    owner, other = w3.eth.accounts[:2]
    address, _ = deploy_artifact(
        w3=w3, artifact=artifacts["TestHKD"], sender=NodeAccount(owner), args=(owner,)
    )
    token = w3.eth.contract(address=address, abi=artifacts["TestHKD"].abi)
    for call, sender, refund in (
        (token.functions.mint(other, 10**9), owner, False),
        (token.functions.transfer(owner, 10**9), other, True),  # clears `other`: a refund
    ):
        estimate = call.estimate_gas({"from": sender})
        receipt = w3.eth.wait_for_transaction_receipt(
            call.transact({"from": sender, "gas": estimate})
        )
        assert receipt["status"] == 1
        assert receipt["gasUsed"] <= estimate
        if not refund:  # no refund: what it used is what it needed, plus the 1/64 margin
            assert estimate <= receipt["gasUsed"] * 64 // 63 + 2300
    with pytest.raises(ContractLogicError):
        token.functions.transfer(owner, 1).estimate_gas({"from": other})  # nothing left


def test_errors_never_print_the_secret_parts_of_a_url() -> None:
    url = f"http://user:pw@127.0.0.1:{free_port()}/v3/SECRETKEY?apikey=SECRET2"
    with pytest.raises(ChainConnectionError) as info:
        connect(url, timeout=2)
    message = str(info.value)
    assert "SECRET" not in message
    assert "pw" not in message
    assert "http://127.0.0.1:" in message
    assert redact_url("https://mainnet.example/v3/KEY") == "https://mainnet.example/…"
    assert redact_url("http://[::1]:8545") == "http://[::1]:8545"


@pytest.fixture
def counting_node() -> Iterator[tuple[str, dict[str, int]]]:
    """A minimal JSON-RPC node on chain 1337 that counts the methods it is asked."""
    asked: dict[str, int] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            asked[request["method"]] = asked.get(request["method"], 0) + 1
            result = {"eth_chainId": "0x539", "eth_blockNumber": "0x7"}.get(request["method"])
            body = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": result}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()


def test_a_node_is_asked_its_chain_id_once_and_its_blocks_every_time(
    counting_node: tuple[str, dict[str, int]],
) -> None:
    url, asked = counting_node
    w3 = connect(url)
    assert [w3.eth.chain_id for _ in range(5)] == [1337] * 5
    assert [w3.eth.block_number for _ in range(3)] == [7] * 3
    assert asked == {"eth_chainId": 1, "eth_blockNumber": 3}


def test_node_session_reads_proxy_ca_bundle_and_netrc_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine rpc.example.com login bank password s3cret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.bank.internal:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.bank.internal:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "bank-ca.pem"))
    session = node_session("https://rpc.example.com/key")
    assert session.trust_env is False  # not read again on every request
    assert session.proxies["https"] == "http://proxy.bank.internal:3128"
    assert session.auth == ("bank", "s3cret")
    assert session.verify == str(tmp_path / "bank-ca.pem")
    local = node_session("http://127.0.0.1:8545")
    assert local.proxies == {}  # NO_PROXY names it
    assert local.auth is None
