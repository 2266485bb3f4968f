"""Settling at a confirmation depth: a report is confirmed once its transaction is
exactly `confirmations` blocks deep, not a block sooner."""

from __future__ import annotations

from tests.support.mirror import MirrorEnv


def _mine(env: MirrorEnv) -> None:
    reply = env.ledger.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    assert "error" not in reply, reply


def test_a_report_is_confirmed_at_the_depth_asked(env: MirrorEnv) -> None:
    lines: list[str] = []
    mirror = env.mirror(confirmations=3, log=lines.append)
    summary = mirror.run_once(env.source)  # mined in the head block: 1 deep
    assert mirror.outbox.counts() == {"sent": 4}
    _mine(env)  # 2 deep
    mirror.reconcile(summary)
    assert mirror.outbox.counts() == {"sent": 4}
    assert not any(line.endswith(": confirmed") for line in lines)
    _mine(env)  # 3 deep
    mirror.reconcile(summary)
    mirror.close()
    assert mirror.outbox.counts() == {"confirmed": 4}
    ((tx_hash, _, _),) = mirror.outbox.txs("mined")
    receipt = env.ledger.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
    row = mirror.outbox.db.execute(
        "SELECT block_number, block_hash FROM txs WHERE tx_hash = ?", (tx_hash,)
    ).fetchone()
    assert row == (receipt["blockNumber"], receipt["blockHash"].to_0x_hex())
    assert summary.settled == {"confirmed": 4}
