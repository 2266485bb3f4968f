"""The busy market, indexed once per backend (as the index tests have it), served with
regulator tokens."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from web3 import Web3

from ipledger.api.app import create_app
from ipledger.api.tokens import TokenStore, new_token
from tests.index import conftest as indexed
from tests.index.conftest import Busy
from tests.support.indexing import indexer
from tests.support.suite import SessionLedger

# The index tests' fixtures, shared: one busy market indexed once per module and backend.
busy = indexed.busy
index_copy = indexed.index_copy
SCOPES = ["register", "statements", "flows", "risk", "subsidy"]


@dataclass(frozen=True)
class Site:
    app: FastAPI
    tokens: dict[str, str]  # name -> the token itself
    session: SessionLedger
    busy: Busy
    index: Engine


@pytest.fixture
def site(session_ledger: SessionLedger, w3: Web3, tmp_path: Path, index_copy: Path,
         busy: Busy) -> Site:  # fmt: skip
    tokens_file = tmp_path / "tokens.jsonl"
    tokens = {
        "all": new_token(tokens_file, name="supervision desk", scopes=SCOPES),
        "flows": new_token(tokens_file, name="flows analyst", scopes=["flows"]),
    }
    engine = indexer(session_ledger, index_copy).engine
    app = create_app(
        ledger=session_ledger.ledger, index=engine, tokens=TokenStore.load(tokens_file)
    )
    return Site(app, tokens, session_ledger, busy, engine)
