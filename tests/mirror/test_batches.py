"""How the mirror batches what it sends: oldest valuation first, `batch_size` to a
transaction, with the gas each batch is given."""

from __future__ import annotations

import json

from ipledger.mirror.common import valuation_of
from ipledger.mirror.service import BATCH_BASE_GAS, ITEM_GAS
from ipledger.models import Role
from tests.support.mirror import REPORTS, MirrorEnv, rid


def _attested_in(env: MirrorEnv, tx_hash: str) -> list[bytes]:
    receipt = env.ledger.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
    return [
        e["args"]["reportId"] for e in env.ledger.valuations.events(receipt, "ValuationAttested")
    ]


def test_batches_go_oldest_valuation_first_with_their_gas(env: MirrorEnv) -> None:
    first = env.source / f"{REPORTS[0]}.json"
    report = json.loads(first.read_text())
    report["valuationDate"] = "2026-11-05"  # now the latest of the four
    first.write_text(json.dumps(report))
    mirror = env.mirror(batch_size=2)
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    assert summary.sent == 4
    txs = mirror.outbox.txs("mined")
    assert [_attested_in(env, h) for h, _, _ in txs] == [
        [rid(REPORTS[1]), rid(REPORTS[2])],
        [rid(REPORTS[3]), rid(REPORTS[0])],
    ]
    for tx_hash, _, _ in txs:
        assert env.ledger.w3.eth.get_transaction(tx_hash)["gas"] == BATCH_BASE_GAS + 2 * ITEM_GAS  # type: ignore[arg-type]


def test_a_report_sent_alone_gets_at_least_one_items_gas(env: MirrorEnv) -> None:
    mirror = env.mirror(batch_size=1)
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    assert summary.sent == 4
    txs = mirror.outbox.txs("mined")
    assert [_attested_in(env, h) for h, _, _ in txs] == [[rid(r)] for r in REPORTS]
    gas = [env.ledger.w3.eth.get_transaction(h)["gas"] for h, _, _ in txs]  # type: ignore[arg-type]
    assert gas == [BATCH_BASE_GAS + ITEM_GAS] * 4  # the node's estimate is below that floor


def test_a_batch_the_chain_refuses_is_failed_with_the_replayed_reason(env: MirrorEnv) -> None:
    """The registry lost its evidence-writer role (a misconfiguration): every attestation
    reverts. The batch is split, each report reverts alone, and each is failed with the
    error the replay decodes, after one batch and one transaction per report."""
    lines: list[str] = []
    mirror = env.mirror(log=lines.append)
    registry = env.ledger.valuations.address
    env.ledger.evidence.revoke_role(Role.EVIDENCE_WRITER, registry, sender=env.actors.admin)
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    rows = mirror.outbox.rows("rejected")
    assert [r.report_id for r in rows] == REPORTS
    for row in rows:
        patent = "0x" + valuation_of(row).patent_id.hex()
        assert (
            row.reason
            == f"reverted with EvidenceUnauthorized(caller={registry}, patentId={patent})"
        )
    (batch,) = [h for h, _, _ in mirror.outbox.txs("failed")]  # the lone ones are "mined"
    assert f"batch {batch} reverted: retrying its 4 reports one by one" in lines
    assert env.ledger.w3.eth.get_transaction_count(env.relayer.address) == 5  # 1 batch + 4
    assert summary.settled == {"rejected": 4}
    assert [f"{r}: rejected ({rows[i].reason})" for i, r in enumerate(REPORTS)] == [
        line for line in lines if ": rejected (" in line
    ]
