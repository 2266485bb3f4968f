"""Settling at a confirmation depth: a report is confirmed once its transaction is
exactly `confirmations` blocks deep, not a block sooner."""

from __future__ import annotations

import time

import pytest

from ipledger.chain.tx import KeyAccount, send_value
from ipledger.mirror.service import Mirror, RunSummary
from tests.support.mirror import REPORTS, MirrorEnv, sign_and_store_unsent


def _reconcile_until_settled(mirror: Mirror, summary: RunSummary) -> None:
    """Reconcile until nothing is in flight (a node under load may report a receipt a
    moment later)."""
    for _ in range(100):
        mirror.reconcile(summary)
        if not mirror.outbox.rows("sent"):
            return
        time.sleep(0.1)


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


def test_a_replaced_transactions_reports_are_signed_again_at_once(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored batch never reached the node and its nonce went to another transaction:
    one reconcile retires it and puts its reports back to be signed, saying so."""
    lines: list[str] = []
    mirror = env.mirror(log=lines.append)
    summary = sign_and_store_unsent(mirror, env.source)
    [(tx_hash, nonce, _)] = mirror.outbox.txs("sent")
    send_value(env.ledger.w3, KeyAccount(env.relayer), env.actors.admin.address, 1)  # takes it
    mirror.reconcile(summary)
    mirror.close()
    rows = mirror.outbox.rows("signed")
    assert [(r.report_id, r.tx_hash) for r in rows] == [(r, None) for r in REPORTS]
    assert [h for h, _, _ in mirror.outbox.txs("replaced")] == [tx_hash]
    assert f"nonce {nonce} of {tx_hash} was taken by another transaction: re-sending" in lines


def test_events_are_looked_for_from_the_mirrors_first_block(env: MirrorEnv) -> None:
    """Attested, but the event lies before the block the mirror reads from: the report is
    left pending (never sent again), and the mirror says why."""
    mirror = env.mirror()
    mirror.run_until_settled(env.source)
    mirror.outbox.db.execute("UPDATE reports SET state = 'signed', tx_hash = NULL")
    mirror.close()
    lines: list[str] = []
    later = env.ledger.w3.eth.block_number + 1
    _mine(env)  # a node may refuse to read logs from beyond its head
    mirror = env.mirror(from_block=later, log=lines.append)
    summary = mirror.run_once(env.source)
    mirror.close()
    assert (summary.sent, mirror.outbox.counts()) == (0, {"signed": 4})
    assert lines[-4:] == [f"{r}: attested, but its event is not found yet" for r in REPORTS]


def test_reports_the_registry_skips_in_a_mined_batch_get_its_reason(env: MirrorEnv) -> None:
    """Signed, then the valuer's accreditation ends before the batch is mined: the batch
    goes through with every report skipped, and each is failed with the registry's
    rejection, by name; none is retried."""
    lines: list[str] = []
    mirror = env.mirror(log=lines.append)
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.sign_pending()
    env.ledger.valuations.set_valuer(
        env.valuer.address,
        name="HKTIS",
        jurisdiction="HK",
        accredited_until=1,
        sender=env.actors.admin,
    )
    mirror.send_pending(summary)
    _reconcile_until_settled(mirror, summary)
    mirror.close()
    rows = mirror.outbox.rows("rejected")
    assert [(r.report_id, r.reason) for r in rows] == [(r, "UnaccreditedValuer") for r in REPORTS]
    assert [f"{r}: rejected (UnaccreditedValuer)" for r in REPORTS] == lines[-4:]
    assert mirror.outbox.txs("failed") == []  # mined, not reverted: nothing retried


def test_a_report_attested_before_its_batch_is_mined_is_confirmed_not_failed(
    env: MirrorEnv,
) -> None:
    """Another relayer sends one of the signed reports first: the registry skips it in
    the batch (AlreadyAttested), and the mirror confirms it, since the chain holds what
    the outbox signed; the other three are confirmed by the batch itself."""
    lines: list[str] = []
    mirror = env.mirror(log=lines.append)
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.sign_pending()
    first = next(r for r in mirror.outbox.rows("signed") if r.report_id == REPORTS[0])
    assert first.valuation is not None
    assert first.signature is not None
    env.ledger.valuations.attest(first.valuation, first.signature, sender=env.actors.admin)
    mirror.send_pending(summary)
    _reconcile_until_settled(mirror, summary)
    mirror.close()
    assert sorted(r.report_id for r in mirror.outbox.rows("confirmed")) == REPORTS
    assert [f"{r}: confirmed" for r in REPORTS] == sorted(lines[-4:])
    assert summary.settled == {"confirmed": 4}


def test_each_kill_point_is_where_its_name_says(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The crash tests kill the mirror at named points (test_crash.py); here each name is
    seen where it belongs: after signing, after the stored batch is broadcast, before a
    sent batch's receipt is asked for, after it is in hand (nothing settled yet)."""
    seen: list[tuple[str, list[str], list[str]]] = []
    mirror = env.mirror()

    def record(name: str) -> None:
        rows = sorted(state for state in mirror.outbox.counts() if state != "quarantined")
        txs = [tx for tx, _nonce, _raw in mirror.outbox.txs("sent")]
        seen.append((name, rows, txs))

    for module in ("ipledger.mirror.service", "ipledger.mirror.settle"):
        monkeypatch.setattr(f"{module}.checkpoint", record)
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.sign_pending()
    mirror.send_pending(summary)
    _reconcile_until_settled(mirror, summary)
    mirror.close()
    names = [name for name, _rows, _txs in seen]
    assert names[:2] == ["after_sign", "after_send"]
    assert names[-2:] == ["before_receipt", "after_receipt"]
    assert set(names[2:-2]) <= {"before_receipt"}  # asked again while not yet mined
    states = {name: rows for name, rows, _txs in seen}
    assert states["after_sign"] == ["signed"]
    assert states["after_send"] == ["sent"] == states["after_receipt"]  # not settled yet
    assert all(len(txs) == 1 for name, _rows, txs in seen if name != "after_sign")
