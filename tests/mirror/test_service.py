from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from ipledger.errors import ContractRevertError
from ipledger.mirror.checks import MAX_AGE, MIN_VALIDITY
from ipledger.mirror.outbox import Outbox
from ipledger.mirror.service import Mirror, MirrorError, RunSummary
from tests.support.mirror import REPORTS, MirrorEnv, rid


def attestations(env: MirrorEnv, report_id: str) -> int:
    """How many times the chain attested `report_id` (events, not just state)."""
    logs = env.ledger.valuations.contract.events.ValuationAttested().get_logs(
        from_block=0, argument_filters={"reportId": rid(report_id)}
    )
    return len(logs)


def _bad(env: MirrorEnv, name: str, change: dict[str, object]) -> None:
    report = json.loads((env.source / "HKTIS-2026-0001.json").read_text())
    report.update(change)
    (env.source / f"{name}.json").write_text(json.dumps(report))


def test_reports_are_mirrored_once(env: MirrorEnv) -> None:
    lines: list[str] = []
    mirror = env.mirror(log=lines.append)
    summary = mirror.run_until_settled(env.source)
    assert summary.sent == 4
    assert [attestations(env, r) for r in REPORTS] == [1, 1, 1, 1]
    assert mirror.outbox.counts() == {"confirmed": 4}
    (tx_hash,) = {row.tx_hash for row in mirror.outbox.rows("confirmed")}
    assert lines == [
        *(f"{r}: taken in from {r}.json" for r in REPORTS),
        f"sent 4 valuations in {tx_hash}",
        *(f"{r}: confirmed" for r in REPORTS),
    ]
    assert (summary.taken_in, summary.resubmitted, summary.settled) == (4, 0, {"confirmed": 4})
    lines.clear()
    again = mirror.run_until_settled(env.source)
    assert again.sent == 0
    assert (lines, again.taken_in, again.settled) == ([], 0, {})
    assert [attestations(env, r) for r in REPORTS] == [1, 1, 1, 1]
    mirror.close()


def test_bad_reports_are_quarantined_and_the_rest_go_on(env: MirrorEnv) -> None:
    _bad(env, "float-amount", {"reportId": "B1", "value": {"amount": 1.5, "currency": "HKD"}})
    _bad(env, "unknown-patent", {"reportId": "B2", "patent": "HK 404"})
    _bad(
        env, "future", {"reportId": "B3", "valuationDate": "2099-01-01", "validUntil": "2100-01-01"}
    )
    _bad(
        env,
        "expired",
        {"reportId": "B4", "valuationDate": "2020-01-01", "validUntil": "2021-01-01"},
    )
    _bad(
        env,
        "too-old",
        {"reportId": "B7", "valuationDate": "2024-01-01", "validUntil": "2099-01-01"},
    )
    _bad(env, "wrong-hash", {"reportId": "B5", "reportHash": "00" * 32})
    _bad(env, "other-valuer", {"reportId": "B6", "valuer": "0x" + "11" * 20})
    (env.source / "malformed.json").write_text("{not json")
    mirror = env.mirror()
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    reasons = summary.quarantined
    assert set(reasons) == {
        "float-amount.json",
        "unknown-patent.json",
        "future.json",
        "expired.json",
        "too-old.json",
        "wrong-hash.json",
        "other-valuer.json",
        "malformed.json",
    }
    assert reasons["unknown-patent.json"].startswith(
        "unknown-patent.json: patent: HK 404 is not registered"
    )
    assert "valuationDate: is in the future" in reasons["future.json"]
    assert "validUntil: has already passed" in reasons["expired.json"]
    assert "valuationDate: is more than 365 days before chain time" in reasons["too-old.json"]
    assert env.ledger.valuations._call("MAX_AGE") == MAX_AGE
    assert env.ledger.valuations._call("MIN_VALIDITY") == MIN_VALIDITY
    assert "value.amount" in reasons["float-amount.json"]
    quarantine = env.source / "quarantine"
    assert (quarantine / "wrong-hash.json").is_file()
    assert "reportHash" in (quarantine / "wrong-hash.json.reason.txt").read_text()
    assert [attestations(env, r) for r in REPORTS] == [1, 1, 1, 1]
    assert attestations(env, "B2") == 0


def test_changed_file_with_attested_id_is_a_conflict(env: MirrorEnv) -> None:
    mirror = env.mirror()
    mirror.run_until_settled(env.source)
    report = json.loads((env.source / "HKTIS-2026-0002.json").read_text())
    report["scores"]["marketPotential"] = 99
    (env.source / "HKTIS-2026-0002.json").write_text(json.dumps(report))
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    [conflict] = summary.conflicts
    assert "HKTIS-2026-0002 was already taken (confirmed) with different content" in conflict
    assert summary.sent == 0
    assert attestations(env, "HKTIS-2026-0002") == 1


def test_wrong_chain_is_refused(env: MirrorEnv) -> None:
    with pytest.raises(MirrorError, match="refusing to sign or send"):
        env.mirror(chain_id=1)


def test_one_instance_per_valuer_key(env: MirrorEnv) -> None:
    first = env.mirror()
    with pytest.raises(MirrorError, match="another mirror is submitting"):
        env.mirror()
    first.close()
    env.mirror().close()


def test_one_instance_per_valuer_key_whatever_the_outbox(env: MirrorEnv) -> None:
    first = env.mirror()
    elsewhere = env.outbox_path.parent / "elsewhere" / "outbox.sqlite"
    with pytest.raises(MirrorError, match="another mirror is submitting"):
        env.mirror(outbox=Outbox(elsewhere))
    first.close()


def test_status_counts(env: MirrorEnv, tmp_path: Path) -> None:
    mirror = env.mirror()
    mirror.run_until_settled(env.source)
    mirror.close()
    box = Outbox(env.outbox_path)
    assert box.counts() == {"confirmed": 4}
    assert all(row.tx_hash for row in box.rows("confirmed"))
    box.close()


def test_mirror_status_command_reports_states_and_problems(env: MirrorEnv) -> None:
    from typer.testing import CliRunner

    from ipledger.cli import app

    (env.source / "bad.json").write_text("{not json")
    mirror = env.mirror()
    mirror.run_until_settled(env.source)
    mirror.close()
    result = CliRunner().invoke(
        app, ["mirror", "status", "--outbox", str(env.outbox_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["states"] == {"confirmed": 4, "quarantined": 1}
    assert "not valid JSON" in data["problems"]["bad.json"]
    missing = CliRunner().invoke(
        app, ["mirror", "status", "--outbox", str(env.outbox_path.parent / "none.sqlite")]
    )
    assert missing.exit_code == 1
    assert "no outbox at" in missing.output


def test_every_bad_file_case_is_quarantined_with_its_reason(env: MirrorEnv) -> None:
    from tests.support.reports import BAD_CASES

    template = json.loads((env.source / "HKTIS-2026-0001.json").read_text())
    for n, case in enumerate(BAD_CASES):
        change = case.change
        report = {**template, **change}
        if "reportId" not in change:
            report["reportId"] = f"BAD-{n}"
        (env.source / f"bad-{n:02d}.json").write_text(json.dumps(report))
    (env.source / "nan.json").write_text('{"value": NaN}')
    mirror = env.mirror()
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    assert len(summary.quarantined) == len(BAD_CASES) + 1
    for n, case in enumerate(BAD_CASES):
        reason = (env.source / "quarantine" / f"bad-{n:02d}.json.reason.txt").read_text()
        assert f": {case.field.split('.')[0]}" in reason, (n, reason)
        assert f": {case.problem}" in reason or f", {case.problem}" in reason, (n, reason)
    assert [attestations(env, r) for r in REPORTS] == [1, 1, 1, 1]


def _settle(mirror: Mirror, summary: RunSummary) -> None:
    for _ in range(100):  # a node may take a moment to report a receipt
        mirror.reconcile(summary)
        if not mirror.outbox.rows("sent"):
            return
        time.sleep(0.1)


def test_reverted_batch_is_retried_report_by_report(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch that reverts (here: out of gas) is split, so the innocent reports still
    go through, each once."""
    import ipledger.mirror.service as service

    mirror = env.mirror()
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.sign_pending()
    # Gas above the intrinsic cost but far below what four attestations need.
    monkeypatch.setattr(service, "ITEM_GAS", 22_500)
    mirror.send_pending(summary)
    monkeypatch.undo()
    _settle(mirror, summary)
    assert [r.solo for r in mirror.outbox.rows("signed")] == [True] * 4
    mirror.send_pending(summary)
    _settle(mirror, summary)
    assert mirror.outbox.counts() == {"confirmed": 4}
    assert env.ledger.w3.eth.get_transaction_count(env.relayer.address) == 5  # 1 batch + 4
    assert [attestations(env, r) for r in REPORTS] == [1, 1, 1, 1]
    mirror.close()


def test_report_reverting_alone_fails_with_the_decoded_reason(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ipledger.mirror.service as service

    mirror = env.mirror()
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.sign_pending()
    monkeypatch.setattr(service, "ITEM_GAS", 22_500)  # every send runs out of gas
    mirror.send_pending(summary)
    _settle(mirror, summary)

    real_build = service.build

    def estimate_reverts(call: Any, sender: str, *, gas: int | None = None, **kw: Any) -> Any:
        if gas is None:  # the node's estimate for the lone report: it would revert
            raise ContractRevertError("Error", {"message": "execution reverted"})
        return real_build(call, sender, gas=gas, **kw)

    monkeypatch.setattr(service, "build", estimate_reverts)
    mirror.send_pending(summary)  # one by one, with the fixed gas
    _settle(mirror, summary)
    mirror.close()
    rows = Outbox(env.outbox_path).rows("rejected")
    assert len(rows) == 4
    # Replayed with enough gas the call succeeds, so the mirror says what it could tell.
    assert {r.reason for r in rows} == {
        "reverted (out of gas or a reason the replay could not reproduce)"
    }
    assert [attestations(env, r) for r in REPORTS] == [0, 0, 0, 0]
