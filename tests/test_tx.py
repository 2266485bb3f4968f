"""The one transaction path: a transaction that passed estimation but failed when mined
is named from its replay (or, when the replay passes, by its block and gas)."""

from __future__ import annotations

from typing import Any

import pytest

import ipledger.chain.tx as tx
from ipledger.clients.ledger import Ledger
from ipledger.errors import ContractRevertError, TransactionError
from ipledger.models import Field, Status
from tests.support.suite import Actors


def _register(ledger: Ledger, actors: Actors) -> None:
    ledger.patents.register_patent(
        jurisdiction="HK",
        publication_number="30077777",
        owner=actors.issuer.address,
        field=Field.CHEMICAL,
        status=Status.GRANTED,
        expiry=2**40,
        metadata_hash=b"\x05" * 32,
        sender=actors.admin,
    )


def _unestimated(gas: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every transaction sent with `gas`, unestimated: it reaches the chain and fails there."""
    real = tx.build

    def fixed(call: Any, sender: str, **kwargs: Any) -> Any:
        return real(call, sender, **{**kwargs, "gas": gas})

    monkeypatch.setattr(tx, "build", fixed)


@pytest.mark.chain
def test_a_mined_revert_is_named_from_its_replay(
    ledger: Ledger, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register(ledger, actors)
    _unestimated(500_000, monkeypatch)
    block = ledger.w3.eth.block_number
    with pytest.raises(ContractRevertError.named("PatentAlreadyRegistered")) as info:
        _register(ledger, actors)
    assert ledger.w3.eth.block_number == block + 1  # it was mined, and failed
    failed = ledger.w3.eth.get_block("latest", full_transactions=True)["transactions"][0]
    assert ledger.w3.eth.get_transaction_receipt(failed["hash"])["status"] == 0
    assert f"(tx {failed['hash'].to_0x_hex()})" in str(info.value)


@pytest.mark.chain
def test_a_mined_failure_the_replay_cannot_explain_names_block_and_gas(
    ledger: Ledger, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unestimated(30_000, monkeypatch)  # out of gas: replayed with enough, it succeeds
    with pytest.raises(TransactionError, match=r"failed in block \d+ \(gas used \d+ of 30000\)"):
        _register(ledger, actors)
    assert not ledger.patents.patent_count()
