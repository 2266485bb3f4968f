"""The API's /regulator routes and investors' statements, from the index, behind
bearer tokens that are stored only as hashes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web3 import Web3

from ipledger.api.app import create_app
from ipledger.api.tokens import TokenFileError, TokenStore, new_token
from ipledger.cli import app
from ipledger.read.indexed import IndexReader
from ipledger.read.registers import register
from tests.support.indexing import indexer
from tests.support.suite import SessionLedger

pytestmark = pytest.mark.chain
PATENT = "HK%2030012345"


@pytest.fixture
def served(
    session_ledger: SessionLedger, w3: Web3, tmp_path: Path, index_copy: Path
) -> tuple[TestClient, dict[str, str]]:
    ix = indexer(session_ledger, index_copy)
    tokens_file = tmp_path / "tokens.jsonl"
    tokens = {
        "all": new_token(
            tokens_file,
            name="supervision desk",
            scopes=["register", "statements", "flows", "risk", "subsidy"],
        ),
        "flows": new_token(tokens_file, name="flows analyst", scopes=["flows"]),
    }
    app = create_app(
        ledger=session_ledger.ledger, index=ix.engine, tokens=TokenStore.load(tokens_file)
    )
    return TestClient(app), tokens


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_regulator_routes_answer_with_the_index(
    served: tuple[TestClient, dict[str, str]], session_ledger: SessionLedger, tmp_path: Path
) -> None:
    client, tokens = served
    response = client.get(f"/api/regulator/register/{PATENT}", headers=_auth(tokens["all"]))
    assert response.status_code == 200
    with IndexReader.open(indexer(session_ledger, tmp_path / "index.sqlite").engine) as reader:
        expected = register(reader, response.json()["patentId"], loan_book=reader.loan_book())
    assert response.json() == expected.as_json()
    for route in (
        "/api/regulator/flows",
        "/api/regulator/risk",
        "/api/regulator/subsidy",
        f"/api/regulator/distributions/{PATENT}/2",
    ):
        assert client.get(route, headers=_auth(tokens["all"])).status_code == 200, route
    investor = session_ledger.actors.investors[1].address
    own = client.get(
        f"/api/investors/{investor}/statements"
    )  # an investor's own: public, as holdings
    assert own.status_code == 200
    assert (
        own.json()
        == client.get(f"/api/regulator/statements/{investor}", headers=_auth(tokens["all"])).json()
    )


def test_no_token_401_wrong_token_401_missing_scope_403(
    served: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = served
    bare = client.get("/api/regulator/risk")
    assert bare.status_code == 401
    assert bare.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/regulator/risk", headers=_auth("not-a-token")).status_code == 401
    assert (
        client.get(
            "/api/regulator/risk", headers={"Authorization": f"Basic {tokens['all']}"}
        ).status_code
        == 401
    )
    limited = client.get("/api/regulator/risk", headers=_auth(tokens["flows"]))
    assert limited.status_code == 403
    assert limited.json() == {"detail": "this token does not carry the 'risk' scope"}
    assert client.get("/api/regulator/flows", headers=_auth(tokens["flows"])).status_code == 200


def test_unknown_deposit_is_404_and_a_bad_patent_422(
    served: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = served
    missing = client.get(f"/api/regulator/distributions/{PATENT}/9", headers=_auth(tokens["all"]))
    assert missing.status_code == 404
    assert missing.json()["detail"].endswith("no deposit 9")
    assert (
        client.get("/api/regulator/register/nonsense", headers=_auth(tokens["all"])).status_code
        == 422
    )


def test_without_index_or_tokens_the_routes_say_503(
    session_ledger: SessionLedger, w3: Web3
) -> None:
    client = TestClient(create_app(ledger=session_ledger.ledger))
    assert client.get("/api/regulator/risk", headers=_auth("x")).json() == {
        "detail": "no regulator tokens are configured on this server"
    }
    investor = session_ledger.actors.investors[1].address
    assert client.get(f"/api/investors/{investor}/statements").status_code == 503
    assert "/api/regulator/risk" in client.get("/openapi.json").json()["paths"]


def test_tokens_file_keeps_only_hashes(tmp_path: Path) -> None:
    path = tmp_path / "tokens.jsonl"
    new = ["api-token", "new", "--tokens", str(path)]
    result = CliRunner().invoke(app, [*new, "--name", "desk", "--scope", "risk", "--json"])
    made = json.loads(result.stdout)
    text = path.read_text()
    assert made["token"] not in text
    assert json.loads(text)["scopes"] == ["risk"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert TokenStore.load(path).scopes_of(made["token"]) == frozenset({"risk"})
    refused = CliRunner().invoke(app, [*new, "--name", "x", "--scope", "all"])
    assert refused.exit_code == 1
    assert refused.output.startswith("error: unknown scopes ['all']")
    path.write_text(text + "{not json\n")
    with pytest.raises(TokenFileError, match="line 2"):
        TokenStore.load(path)
