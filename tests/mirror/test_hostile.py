"""The mirror against whoever can drop files in --source (trusted less than its keys),
and against a chain that does not hold what it signed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ipledger.chain.eip712 import sign_valuation
from ipledger.mirror.service import RunSummary
from tests.support.mirror import MirrorEnv, rid, sign_and_store_unsent
from tests.support.valuations import make_valuation

REPORTS = ["HKTIS-2026-0001", "HKTIS-2026-0002", "HKTIS-2026-0003", "HKTIS-2026-0004"]


def _confirmed(env: MirrorEnv) -> list[bool]:
    return [env.ledger.valuations.is_attested(rid(r)) for r in REPORTS]


def test_links_are_moved_as_links_and_nothing_outside_is_touched(
    env: MirrorEnv, tmp_path: Path
) -> None:
    keystore = tmp_path / "keystore.json"
    keystore.write_text("the relayer's keystore")
    profile = tmp_path / "profile"
    profile.write_text("export PATH=...")
    (env.source / "x.json").symlink_to(keystore)
    quarantine = env.source / "quarantine"
    quarantine.mkdir()
    # Planted where a bad file's reason would be written, and where it would be moved.
    (quarantine / "bad.json.reason.txt").symlink_to(profile)
    (quarantine / "bad.json").symlink_to(profile)
    (env.source / "bad.json").write_text("{not json")
    mirror = env.mirror()
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    assert keystore.read_text() == "the relayer's keystore"
    assert profile.read_text() == "export PATH=..."
    assert (quarantine / "x.json").is_symlink()  # the link itself, moved
    assert "symbolic link" in summary.quarantined["x.json"]
    assert "not valid JSON" in summary.quarantined["bad.json"]
    assert (quarantine / "bad.json.1").read_text() == "{not json"
    assert "not valid JSON" in (quarantine / "bad.json.1.reason.txt").read_text()
    assert _confirmed(env) == [True] * 4


def test_no_entry_can_stop_a_pass(env: MirrorEnv) -> None:
    (env.source / "folder.json").mkdir()
    (env.source / "dangling.json").symlink_to(env.source / "nowhere")
    (env.source / "deep.json").write_text("[" * 5_000 + "]" * 5_000)
    (env.source / "huge.json").write_text("[" * 300_000)
    os.mkfifo(env.source / "pipe.json")
    report = (env.source / "HKTIS-2026-0001.json").read_text()
    twice = report.replace('"reportId": "HKTIS-2026-0001"', '"reportId": "D-1"').replace(
        '"amount": 1850000000', '"amount": 1, "amount": 1850000000'
    )
    (env.source / "twice.json").write_text(twice)
    mirror = env.mirror()
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    reasons = summary.quarantined
    assert "not a regular file" in reasons["folder.json"]
    assert "not a regular file" in reasons["pipe.json"]
    assert "symbolic link" in reasons["dangling.json"]
    assert "nests 5000 levels deep" in reasons["deep.json"]
    assert "300000 bytes" in reasons["huge.json"]
    assert "'amount' is given twice" in reasons["twice.json"]
    assert _confirmed(env) == [True] * 4
    assert mirror.outbox.counts() == {"confirmed": 4, "quarantined": 6}


def test_a_bad_reexport_never_touches_a_signed_report(env: MirrorEnv) -> None:
    mirror = env.mirror()
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.sign_pending()
    before = mirror.outbox.get("HKTIS-2026-0001")
    assert before is not None
    assert before.state == "signed"
    (env.source / "HKTIS-2026-0001.json").write_text('{"reportId": "HKTIS-2026-0001"')
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    assert "HKTIS-2026-0001.json" in summary.quarantined
    after = mirror.outbox.get("HKTIS-2026-0001")
    assert after is not None
    assert after.state == "confirmed"
    assert after.signature == before.signature
    assert _confirmed(env) == [True] * 4


def test_dates_before_1970_are_refused_and_one_unsignable_row_stops_nothing(
    env: MirrorEnv,
) -> None:
    report = json.loads((env.source / "HKTIS-2026-0001.json").read_text())
    report.update(reportId="OLD-1", valuationDate="1969-12-31")
    (env.source / "old.json").write_text(json.dumps(report))
    mirror = env.mirror()
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    assert "valuationDate: is outside 2000-01-01..2100-12-31" in summary.quarantined["old.json"]
    # A row that slipped in by another way (an older release) cannot be signed...
    row = mirror.outbox.get("HKTIS-2026-0002")
    assert row is not None
    assert row.valuation is not None
    broken = row.valuation.model_copy(update={"report_id": rid("BROKEN"), "valuation_date": -1})
    mirror.outbox.insert_many(
        [{"report_id": "BROKEN", "content_hash": "x", "path": "x", "valuation": broken}]
    )
    # ...and is rejected alone: the others are signed and sent.
    mirror.sign_pending()
    rejected = mirror.outbox.get("BROKEN")
    assert rejected is not None
    assert rejected.state == "rejected"
    assert (rejected.reason or "").startswith("cannot sign")
    mirror.run_until_settled(env.source)
    mirror.close()
    assert _confirmed(env) == [True] * 4


@pytest.mark.parametrize(
    "change",
    [{"value": 1}, {"legal_value": 1}, {"scoring_model": "Other-Model@1"}],
    ids=["value", "basis: a dimension", "basis: the scoring model"],
)
def test_an_id_attested_with_other_content_is_a_conflict_not_confirmed(
    env: MirrorEnv, change: dict[str, object]
) -> None:
    """Other content under the id, in `ValuationAttested` or in `ValuationBasis` alone."""
    mirror = env.mirror()
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.sign_pending()
    row = mirror.outbox.get("HKTIS-2026-0003")
    assert row is not None
    assert row.valuation is not None
    # The same valuer's other system attests a different valuation under that id first.
    other = row.valuation.model_copy(update=change)
    valuations = env.ledger.valuations
    valuations.attest(
        other, sign_valuation(env.valuer, valuations.domain(), other), sender=env.actors.admin
    )
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    conflict = mirror.outbox.get("HKTIS-2026-0003")
    assert conflict is not None
    assert conflict.state == "conflict"
    assert "other content than was signed" in (conflict.reason or "")
    assert mirror.outbox.counts() == {"confirmed": 3, "conflict": 1}
    [told] = summary.conflicts  # and the run's summary tells which, and why
    assert told.startswith("HKTIS-2026-0003: report id is attested on chain (block ")


def test_a_taken_nonce_is_resigned_at_a_fresh_one(env: MirrorEnv) -> None:
    """The batch was stored but never reached the node, and the relayer's key used its
    nonce for something else: the reports are sent again, once, at the next nonce."""
    mirror = env.mirror()
    sign_and_store_unsent(mirror, env.source)
    [(_hash, nonce, _raw)] = mirror.outbox.txs("sent")
    w3 = env.ledger.w3
    other = env.relayer.sign_transaction(
        {
            "to": env.actors.admin.address,
            "value": 1,
            "nonce": nonce,
            "gas": 21_000,
            "maxFeePerGas": 10**11,
            "maxPriorityFeePerGas": 10**9,
            "chainId": w3.eth.chain_id,
        }
    )
    w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(other.raw_transaction))
    mirror.run_until_settled(env.source, timeout=60)
    mirror.close()
    assert mirror.outbox.counts() == {"confirmed": 4}
    assert mirror.outbox.txs("replaced") != []
    assert w3.eth.get_transaction_count(env.relayer.address) == nonce + 2
    assert _confirmed(env) == [True] * 4


def test_a_report_naming_a_non_canonical_patent_is_quarantined(env: MirrorEnv) -> None:
    report = json.loads((env.source / "HKTIS-2026-0001.json").read_text())
    report.update(reportId="NC-1", patent="HK 030012345")
    (env.source / "noncanonical.json").write_text(json.dumps(report))
    report.update(reportId="NC-2", patent="HK 3001-")
    (env.source / "dash.json").write_text(json.dumps(report))
    utf16 = (env.source / "HKTIS-2026-0002.json").read_text().replace("0002", "0099")
    (env.source / "utf16.json").write_bytes(utf16.encode("utf-16"))
    mirror = env.mirror()
    summary = mirror.run_until_settled(env.source)
    mirror.close()
    assert "did you mean 'HK 30012345'" in summary.quarantined["noncanonical.json"]
    assert "patent" in summary.quarantined["dash.json"]
    assert "is not UTF-8" in summary.quarantined["utf16.json"]
    assert _confirmed(env) == [True] * 4


def test_a_quarantine_that_is_not_a_folder_stops_nothing(env: MirrorEnv, tmp_path: Path) -> None:
    """Swapped for a link (or a file), quarantine/ is not written through: bad files stay
    in place, recorded once, and the good ones go on."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (env.source / "quarantine").symlink_to(elsewhere)
    (env.source / "bad.json").write_text("{not json")
    mirror = env.mirror()
    summary = mirror.run_until_settled(env.source)
    again = mirror.run_until_settled(env.source)
    mirror.close()
    assert "not valid JSON" in summary.quarantined["bad.json"]
    assert again.quarantined == {}  # recorded once, not on every pass
    assert list(elsewhere.iterdir()) == []
    assert (env.source / "bad.json").exists()
    assert mirror.outbox.counts() == {"confirmed": 4, "quarantined": 1}
    assert _confirmed(env) == [True] * 4


def test_reports_stranded_under_a_finished_transaction_are_picked_up(env: MirrorEnv) -> None:
    """An outbox where a transaction was marked mined but its reports were left `sent`
    (a crash between two commits, in an earlier release) finishes them, sending nothing."""
    mirror = env.mirror()
    summary = RunSummary()
    mirror.ingest(env.source, summary)
    mirror.sign_pending()
    mirror.send_pending(summary)
    env.ledger.w3.eth.wait_for_transaction_receipt(mirror.outbox.txs("sent")[0][0])
    mirror.outbox.db.execute("UPDATE txs SET state = 'mined'")
    summary = mirror.run_until_settled(env.source, timeout=60)
    mirror.close()
    assert mirror.outbox.counts() == {"confirmed": 4}
    assert summary.sent == 0
    assert env.ledger.w3.eth.get_transaction_count(env.relayer.address) == 1


def test_an_older_outboxs_quarantine_rows_stop_blocking_their_ids(env: MirrorEnv) -> None:
    """Before quarantine had a table of its own, a bad file was a report row keyed by
    its name; a corrected report of that id is taken in now."""
    import sqlite3

    from ipledger.mirror.outbox import Outbox

    Outbox(env.outbox_path).close()
    db = sqlite3.connect(env.outbox_path)
    db.execute(
        "INSERT INTO reports (report_id, content_hash, path, state, reason, updated_at) "
        "VALUES ('HKTIS-2026-0001', 'x', 'in/HKTIS-2026-0001.json', 'quarantined', 'bad', 0)"
    )
    db.commit()
    db.close()
    mirror = env.mirror()
    mirror.run_until_settled(env.source)
    mirror.close()
    # The old entry is kept, but settled: its corrected report was taken in since.
    assert mirror.outbox.counts() == {"confirmed": 4}
    assert mirror.outbox.quarantined() == []
    assert _confirmed(env) == [True] * 4


def test_names_the_folder_cannot_take_stop_nothing(env: MirrorEnv) -> None:
    """A name too long for a numbered copy in quarantine/, and a name that is not UTF-8."""
    long_name = "x" * 250 + ".json"
    quarantine = env.source / "quarantine"
    quarantine.mkdir()
    (quarantine / long_name).write_text("planted")
    (env.source / long_name).write_text("{not json")
    (env.source / os.fsdecode(b"\xff.json")).write_text("{}")
    mirror = env.mirror()
    summary = mirror.run_until_settled(env.source)
    again = mirror.run_until_settled(env.source)
    mirror.close()
    assert long_name in summary.quarantined
    assert (quarantine / long_name).read_text() == "planted"
    assert any(
        r.endswith(".json: file: its name is not UTF-8") for r in summary.quarantined.values()
    )
    assert again.quarantined == {}  # each recorded once
    assert _confirmed(env) == [True] * 4


def test_an_attested_report_whose_event_is_not_found_is_not_sent_again(
    env: MirrorEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node whose logs lag or expire: the report stays pending, and no pass re-sends it."""
    mirror = env.mirror()
    mirror.run_until_settled(env.source)
    box = mirror.outbox
    box.db.execute("UPDATE reports SET state = 'signed', tx_hash = NULL")  # outcome unknown
    monkeypatch.setattr(mirror.ledger.valuations, "attested_event", lambda *a, **k: None)
    sent = env.ledger.w3.eth.get_transaction_count(env.relayer.address)
    for _ in range(3):
        summary = mirror.run_once(env.source)
        assert summary.sent == 0
    mirror.close()
    assert env.ledger.w3.eth.get_transaction_count(env.relayer.address) == sent
    assert box.counts() == {"signed": 4}


def test_a_report_behind_padded_dead_entries_still_goes_through(env: MirrorEnv) -> None:
    """Another valuer pads a patent with valuations and revokes them: the walk past them
    sinks a lone report's fixed-gas transaction; sent again alone with the node's
    estimate, it is attested, not rejected for good."""
    from eth_account import Account
    from eth_utils.crypto import keccak

    from ipledger.chain.tx import KeyAccount
    from ipledger.models import patent_id, report_id_of

    ledger, admin = env.ledger, env.actors.admin
    other = Account.from_key(keccak(text="padding valuer"))
    t = int(ledger.w3.eth.get_block("latest")["timestamp"])
    ledger.valuations.set_valuer(
        other.address, name="P", jurisdiction="HK", accredited_until=t + 10**7, sender=admin
    )
    ledger.w3.eth.wait_for_transaction_receipt(
        ledger.w3.eth.send_transaction(
            {"from": admin.address, "to": other.address, "value": 10**19}
        )
    )
    pid = patent_id("HK", "30012345")
    pads = [
        make_valuation(
            valuer=other.address,
            patent_id=pid,
            now=t,
            n=n,
            report_id=report_id_of(other.address, f"pad-{n}"),
            valuation_date=t - 60 + n,
            valid_until=t + 100 * 86400,
            subsidised=False,
        )
        for n in range(60)
    ]
    domain = ledger.valuations.domain()
    ledger.valuations.attest_batch(
        [(v, sign_valuation(other, domain, v)) for v in pads], sender=admin
    )
    for v in pads:
        ledger.valuations.revoke(v.report_id, "padding", sender=KeyAccount(other))
    mirror = env.mirror()  # the four reports in one fixed-gas batch
    mirror.run_until_settled(env.source, timeout=60)
    mirror.close()
    assert mirror.outbox.counts() == {"confirmed": 4}
    assert mirror.outbox.txs("failed") != []  # the fixed-gas send did sink
    assert _confirmed(env) == [True] * 4
