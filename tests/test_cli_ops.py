"""The operational CLI verbs, as a registrar, issuer and investor would use them on a node."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner
from web3 import Web3

from ipledger.chain.connect import connect
from ipledger.chain.node import start_anvil
from ipledger.chain.tx import KeyAccount
from ipledger.cli import app
from ipledger.deploy.suite import deploy_artifact
from ipledger.project import Project
from ipledger.toolchain.artifacts import Artifact
from tests.support.project import scratch_project


def test_operations_against_a_node(project: Project, tmp_path: Path) -> None:
    scratch_project(project, tmp_path)
    doc = tmp_path / "grant.txt"
    doc.write_text("certificate of grant")
    runner = CliRunner()
    with start_anvil(node_modules=project.node_modules) as node:
        w3 = Web3(Web3.HTTPProvider(node.url))
        issuer, investor = w3.eth.accounts[0], w3.eth.accounts[1]
        base = ["--rpc", node.url, "--project", str(tmp_path), "--json"]

        def run(*args: str, account: int = 0) -> dict[str, object]:
            result = runner.invoke(app, [*args, *base, "--account", str(account)])
            assert result.exit_code == 0, result.output
            data: dict[str, object] = json.loads(result.output)
            return data

        unknown = runner.invoke(
            app,
            [
                "register",
                "HK 1",
                "--owner",
                issuer,
                "--field",
                "chemical",
                "--expiry",
                "4102444800",
                "--metadata",
                str(doc),
                *base,
            ],
        )
        assert unknown.exit_code == 1
        assert "no deployment for chain 31337" in unknown.output

        run("deploy")
        registered = run(
            "register",
            "HK 30099999",
            "--owner",
            issuer,
            "--field",
            "chemical",
            "--expiry",
            "4102444800",
            "--metadata",
            str(doc),
        )
        assert registered["patentId"] == "0x" + Web3.keccak(text="HK 30099999").hex()
        run("set-investor", investor, "--jurisdiction", "HK", "--expiry", "4102444800")
        token = run(
            "tokenize", "HK 30099999", "--supply", "1000", "--holder", issuer, "--symbol", "RR"
        )
        assert Web3.is_checksum_address(str(token["token"]))
        entry = run("append-evidence", "hk30099999", "--kind", "grant", "--document", str(doc))
        assert entry["seq"] == 1
        # Text from the chain is printed as text: a URI full of Rich markup cannot restyle
        # or crash the table.
        run(
            "append-evidence",
            "HK 30099999",
            "--kind",
            "other",
            "--document",
            str(doc),
            "--uri",
            "[/][bold red]evil",
        )
        shown = runner.invoke(app, ["evidence", "verify", "HK 30099999", *base[:-1]])
        assert shown.exit_code == 0, shown.output
        assert "[/][bold" in shown.output
        i = max(n for n, c in enumerate(investor) if c.isalpha() and n > 1)
        typo = investor[:i] + investor[i].swapcase() + investor[i + 1 :]  # one case flipped
        refused = runner.invoke(
            app, ["set-investor", typo, "--jurisdiction", "HK", "--expiry", "4102444800", *base]
        )
        assert refused.exit_code == 1
        assert "fails its EIP-55 checksum" in refused.output
        again = runner.invoke(
            app,
            [
                "register",
                "HK 030099999",
                "--owner",
                issuer,
                "--field",
                "chemical",
                "--expiry",
                "4102444800",
                "--metadata",
                str(doc),
                *base,
            ],
        )
        assert again.exit_code != 0
        assert "did you mean 'HK 30099999'" in " ".join(again.output.split())

        hkd = json.loads((tmp_path / "deployments" / "31337.json").read_text())
        payment = hkd["contracts"]["TestHKD"]["address"]
        mint = w3.eth.contract(
            address=payment,
            abi=[
                {
                    "type": "function",
                    "name": "mint",
                    "stateMutability": "nonpayable",
                    "inputs": [
                        {"name": "to", "type": "address"},
                        {"name": "amount", "type": "uint256"},
                    ],
                    "outputs": [],
                }
            ],
        )
        w3.eth.wait_for_transaction_receipt(
            mint.functions.mint(issuer, 10**9).transact({"from": issuer})
        )
        run("transfer", "HK 30099999", "--to", investor, "--amount", "250")
        run("deposit", "HK 30099999", "--amount", "1", "--report", str(doc))  # HKD 1
        claimed = run("claim", "HK 30099999", account=1)
        assert claimed["claimed"] == "250000"  # a quarter of the deposit, as a decimal string

        bad = runner.invoke(app, ["claim", "HK 1", *base])
        assert bad.exit_code == 1
        assert "unknown patent HK 1" in bad.output


@pytest.mark.slow
def test_queries_against_the_pilot_on_a_node(project: Project, tmp_path: Path) -> None:

    scratch_project(project, tmp_path, examples=True)
    runner = CliRunner()
    with start_anvil(node_modules=project.node_modules) as node:
        base = ["--rpc", node.url, "--project", str(tmp_path)]
        pilot = json.loads(runner.invoke(app, ["demo", *base, "--json"]).output)
        bank = pilot["investors"][0]
        # The pages `serve --index` would show, rendered from the project's index.
        assert [p["path"] for p in pilot["pages"]] == [
            "/", "/patents/HK 30012345", f"/investors/{bank}", "/regulator",
        ]  # fmt: skip
        assert all(0 < p["bytes"] < 100_000 for p in pilot["pages"])
        held = json.loads(runner.invoke(app, ["holdings", bank, *base, "--json"]).output)
        assert held["investor"] == bank
        [holding] = held["holdings"]
        assert holding["balance"] == str(200_000 * 10**18)
        assert holding["claimable"] == str(252_000 * 10**6)
        assert holding["valuation"]["currency"] == "HKD"
        assert holding["impliedValue"] == "370000000"
        assert pilot["holdings"][0]["holdings"][0]["balance"] == str(200_000 * 10**18)
        shown = json.loads(
            runner.invoke(app, ["patent", "show", "HK 30012345", *base, "--json"]).output
        )
        # filing, grant, licence, valuation, the loan's pledge, revenue report, margin call
        assert (shown["status"], shown["evidenceEntries"]) == ("granted", 7)
        history = json.loads(
            runner.invoke(app, ["valuations", "HK 30012345", *base, "--json"]).output
        )
        assert [v["value"] for v in history] == ["1850000000"]
        said = runner.invoke(app, ["evidence", "verify", "hk30012345", *base])
        assert said.exit_code == 0, said.output
        assert "documents not checked" in said.output
        docs = str(tmp_path / "examples" / "pilot" / "documents")
        verified = runner.invoke(
            app, ["evidence", "verify", "HK 30012345", "--docs", docs, *base, "--json"]
        )
        assert verified.exit_code == 0
        assert json.loads(verified.output)["ok"] is True
        # valuation, pledge, revenue, margin call: entries that name no document file
        assert json.loads(verified.output)["documentsUnchecked"] == [4, 5, 6, 7]
        told = runner.invoke(app, ["evidence", "verify", "HK 30012345", "--docs", docs, *base])
        words = " ".join(told.output.split())
        assert "3 documents match their recorded sha256" in words
        assert "4 entries name no document (#4, 5, 6, 7): not checked" in words
        (tmp_path / "examples" / "pilot" / "documents" / "HK30012345-licence.txt").write_text(
            "forged"
        )
        tampered = runner.invoke(
            app, ["evidence", "verify", "HK 30012345", "--docs", docs, *base, "--json"]
        )
        assert tampered.exit_code == 1
        [problem] = json.loads(tampered.output)["problems"]
        assert problem["entry"] == 3
        assert "altered" in problem["problem"]
        unknown = runner.invoke(app, ["patent", "show", "HK 404", *base])
        assert unknown.exit_code == 1
        assert "unknown patent HK 404" in unknown.output
        bad = runner.invoke(app, ["holdings", "0x123", *base])
        assert bad.exit_code == 1
        assert "is not an Ethereum address" in bad.output
        _serve_answers(node.url, tmp_path)


def _serve_answers(rpc: str, project_root: Path) -> None:
    """`ipledger serve` as a process: the API over the node, CORS for the listed origin."""
    import subprocess
    import sys
    import time

    import requests

    from ipledger.chain.node import free_port

    port = free_port()
    origin = "https://dapp.example"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ipledger",
            "serve",
            "--rpc",
            rpc,
            "--project",
            str(project_root),
            "--port",
            str(port),
            "--cors-origin",
            origin,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.get(
                    f"http://127.0.0.1:{port}/patents", headers={"Origin": origin}, timeout=5
                )
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "serve did not answer within 30 s"
                time.sleep(0.2)
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == origin
        patents = answer.json()
        assert len(patents) == 4
        assert all(isinstance(p["totalSupply"], str) for p in patents)
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr is not None:
            server.stderr.close()


ANVIL_KEY_0 = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # public test key
)


def test_chain_1337_signs_with_keystores_and_names_its_payment_token(
    project: Project,
    artifacts: dict[str, Artifact],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1337 is not a dev chain here: node accounts do not sign, and no test HKD is
    deployed: the deployment names the ERC-20 revenue is paid in, and tokenize uses it."""
    from eth_account import Account

    scratch_project(project, tmp_path)
    keystore = tmp_path / "admin.json"
    keystore.write_text(json.dumps(Account.encrypt(ANVIL_KEY_0, "pw", iterations=1024)))
    monkeypatch.setenv("IPLEDGER_KEYSTORE_PASSWORD", "pw")
    doc = tmp_path / "meta.txt"
    doc.write_text("metadata")
    runner = CliRunner()
    with start_anvil(node_modules=project.node_modules, chain_id=1337) as node:
        base = ["--rpc", node.url, "--project", str(tmp_path), "--json"]
        refused = runner.invoke(app, ["deploy", *base])
        assert refused.exit_code == 1
        assert "chain 1337 is not a dev chain: pass --keystore" in refused.output
        signed = [*base, "--keystore", str(keystore)]
        no_money = runner.invoke(app, ["deploy", *signed])
        assert no_money.exit_code == 1
        assert "chain 1337 is not a dev chain: name the ERC-20" in no_money.output
        # The bank's stablecoin stands in for real money here.
        admin = KeyAccount(Account.from_key(ANVIL_KEY_0))
        w3 = connect(node.url)
        money, _ = deploy_artifact(
            w3=w3, artifact=artifacts["TestHKD"], sender=admin, args=(admin.address,)
        )
        deployed = runner.invoke(app, ["deploy", *signed, "--payment-token", money.lower()])
        assert deployed.exit_code == 0, deployed.output
        record = json.loads(deployed.stdout)
        assert "TestHKD" not in record["contracts"]
        assert record["paymentToken"] == money
        owner = admin.address
        registered = runner.invoke(
            app,
            [
                "register",
                "HK 30012345",
                "--owner",
                owner,
                "--field",
                "mechanical",
                "--expiry",
                "4102444800",
                "--metadata",
                str(doc),
                *signed,
            ],
        )
        assert registered.exit_code == 0, registered.output
        tokenize = ["tokenize", "HK 30012345", "--supply", "10", "--holder", owner, "--symbol", "R"]
        tokenized = runner.invoke(app, [*tokenize, *signed])
        assert tokenized.exit_code == 0, tokenized.output
        token = json.loads(tokenized.stdout)["token"]
        paid_in = w3.eth.call({"to": token, "data": Web3.keccak(text="paymentToken()")[:4]})
        assert Web3.to_checksum_address(paid_in[-20:]) == money
