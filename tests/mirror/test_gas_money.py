"""A relayer without gas money: the mirror sends nothing, records nothing as sent, says
which account needs how much, and completes once it is funded."""

from __future__ import annotations

import pytest
from eth_account import Account

from ipledger.chain.tx import NodeAccount, send_value
from ipledger.errors import InsufficientFundsError
from ipledger.mirror.outbox import Outbox
from ipledger.mirror.service import Mirror, RunSummary
from tests.support.mirror import (
    PILOT_VALUER,
    REPORTS,
    MirrorEnv,
    sign_and_store_unsent,
    write_reports,
)

pytestmark = pytest.mark.chain


def _counts(env: MirrorEnv) -> dict[str, int]:
    outbox = Outbox(env.outbox_path)
    try:
        return outbox.counts()
    finally:
        outbox.close()


def _fund(env: MirrorEnv, address: str) -> None:
    send_value(env.ledger.w3, NodeAccount(env.actors.admin.address), address, 10**18)


def test_an_unfunded_relayer_sends_nothing_and_names_what_it_needs(env: MirrorEnv) -> None:
    poor = Account.create()
    mirror = env.mirror(relayer=poor)
    with pytest.raises(InsufficientFundsError) as refused:
        mirror.run_until_settled(env.source)
    mirror.close()
    message = str(refused.value)
    assert f"the mirror's relayer {poor.address} holds 0 ETH (0 wei)" in message
    assert f"sending {len(REPORTS)} valuation(s) needs up to" in message
    assert "nothing was sent" in message
    assert _counts(env) == {"signed": len(REPORTS)}  # never "sent"
    assert env.ledger.w3.eth.get_transaction_count(poor.address) == 0
    _fund(env, poor.address)
    mirror = env.mirror(relayer=poor)
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    assert _counts(env) == {"confirmed": len(REPORTS)}
    assert summary.sent == len(REPORTS)


def test_a_refused_broadcast_is_not_recorded_as_sent(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The node itself refuses (the balance check passed, then the money went): the
    transaction is forgotten and its reports are signed again, not sent."""
    poor = Account.create()
    monkeypatch.setattr(Mirror, "_check_gas_money", lambda *_: None)
    mirror = env.mirror(relayer=poor)
    with pytest.raises(
        InsufficientFundsError, match=f"account {poor.address} cannot pay for gas"
    ) as refused:
        mirror.run_until_settled(env.source)
    mirror.close()
    assert "needs up to" in str(refused.value)  # the batch's own gas, when the node does not say
    assert _counts(env) == {"signed": len(REPORTS)}
    outbox = Outbox(env.outbox_path)
    assert outbox.txs("sent") == []
    outbox.close()


def test_a_batch_the_node_will_not_even_estimate_for_want_of_money_names_the_relayer(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some nodes refuse `eth_estimateGas` from an account without gas money: the same
    one line, naming the relayer and what the node says it wants, and nothing sent."""
    poor = Account.create()

    def refused(*_: object) -> None:
        raise ValueError("insufficient funds for gas * price + value: have 0 want 4200000000000000")

    monkeypatch.setattr(Mirror, "_batch_tx", refused)
    mirror = env.mirror(relayer=poor)
    with pytest.raises(InsufficientFundsError) as caught:
        mirror.run_until_settled(env.source)
    mirror.close()
    assert str(caught.value).startswith(
        f"account {poor.address} cannot pay for gas: it holds 0 ETH"
    )
    assert "needs up to 0.0042 ETH" in str(caught.value)
    assert _counts(env) == {"signed": len(REPORTS)}


def test_a_second_relayer_on_the_outbox_sends_at_its_own_nonce(env: MirrorEnv) -> None:
    """A batch of the first relayer is stored but was never broadcast (a crash); another
    relayer takes over the outbox: it sends the stored one as it is and its own at its
    own nonce 0, not after the first relayer's."""
    first = env.mirror()
    sign_and_store_unsent(first, env.source)
    first.close()
    other = Account.create()
    _fund(env, other.address)
    more = write_reports(env.source, PILOT_VALUER, 2, "B")
    second = env.mirror(relayer=other)
    summary = second.run_until_settled(env.source)
    second.close()
    assert summary.sent == len(more)
    assert _counts(env) == {"confirmed": len(REPORTS) + len(more)}
    assert env.ledger.w3.eth.get_transaction_count(other.address) == 1


def test_a_dropped_transaction_the_node_refuses_again_is_forgotten(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored but never broadcast (a crash), by a relayer without the money: sent again on
    the next pass, the node refuses it, so it is forgotten and its reports signed again."""
    import ipledger.mirror.service as service

    poor = Account.create()
    monkeypatch.setattr(Mirror, "_check_gas_money", lambda *_: None)
    monkeypatch.setattr(service, "broadcast", lambda w3, raw: None)  # the crash
    mirror = env.mirror(relayer=poor)
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.sign_pending()
    mirror.send_pending(summary)
    [(tx_hash, _, _)] = mirror.outbox.txs("sent")
    monkeypatch.undo()
    with pytest.raises(InsufficientFundsError, match=f"account {poor.address} cannot pay for gas"):
        mirror.reconcile(summary)
    mirror.close()
    assert _counts(env) == {"signed": len(REPORTS)}
    outbox = Outbox(env.outbox_path)
    assert (outbox.txs("sent"), outbox.reports_of(tx_hash)) == ([], [])
    outbox.close()


@pytest.mark.parametrize("fee", ["maxFeePerGas", "gasPrice"])
def test_the_gas_money_check_asks_exactly_gas_times_fee(env: MirrorEnv, fee: str) -> None:
    """A balance of exactly gas x fee (EIP-1559's max fee, or a legacy gas price) is
    enough; one wei less is refused, naming both amounts."""
    poor = Account.create()
    send_value(env.ledger.w3, NodeAccount(env.actors.admin.address), poor.address, 700_000)
    mirror = env.mirror(relayer=poor)
    try:
        mirror._check_gas_money({"gas": 100_000, fee: 7}, 3)  # type: ignore[typeddict-item]
        with pytest.raises(InsufficientFundsError) as refused:
            mirror._check_gas_money({"gas": 100_000, fee: 8}, 3)  # type: ignore[typeddict-item]
    finally:
        mirror.close()
    assert str(refused.value) == (
        f"the mirror's relayer {poor.address} holds 0.0000000000007 ETH (700000 wei); sending 3 "
        "valuation(s) needs up to 0.0000000000008 ETH (800000 wei) of gas money: fund it and run "
        "the mirror again (nothing was sent; the reports stay signed)"
    )


def test_a_stored_batch_keeps_its_nonce_and_the_next_takes_the_one_after(env: MirrorEnv) -> None:
    """A batch stored but never broadcast (a crash) holds its nonce: the next batch is
    signed at the nonce after it, so both are mined, in two transactions."""
    mirror = env.mirror()
    sign_and_store_unsent(mirror, env.source)
    more = write_reports(env.source, PILOT_VALUER, 2, "N")
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    assert _counts(env) == {"confirmed": len(REPORTS) + len(more)}
    assert summary.sent == len(more)
    assert env.ledger.w3.eth.get_transaction_count(env.relayer.address) == 2
