"""The mirror's outbox on its own (no chain): every transition writes what it says and
nothing else, old outboxes are brought up to date, and a failed transaction leaves none
of its writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ipledger.mirror.outbox import Outbox, OutboxMismatchError, Row
from ipledger.models import patent_id
from tests.support.valuations import make_valuation

VALUER = "0x554C3bA2F52fA5adb7cA4506166c4A5E71853DFa"
RELAYER = "0x" + "11" * 20
NOW = 1_790_000_000


def _valuation(n: int = 1, value: int = 100):  # type: ignore[no-untyped-def]
    return make_valuation(
        valuer=VALUER, patent_id=patent_id("HK", "30012345"), now=NOW, n=n, value=value
    )


def _insert(box: Outbox, *ids: str, content: str = "c", value: int = 100) -> None:
    box.insert_many(
        [
            {
                "report_id": r,
                "content_hash": f"{content}-{r}",
                "path": f"in/{r}.json",
                "valuation": _valuation(n, value),
            }
            for n, r in enumerate(ids, 1)
        ]
    )


@pytest.fixture
def box(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "state" / "outbox.sqlite")


def _got(box: Outbox, report_id: str) -> Row:
    row = box.get(report_id)
    assert row is not None, report_id
    return row


def _tx(box: Outbox, tx_hash: str) -> tuple[object, ...]:
    return box.db.execute(
        "SELECT nonce, raw, state, block_number, block_hash, sender FROM txs WHERE tx_hash = ?",
        (tx_hash,),
    ).fetchone()


def test_it_is_durable_and_made_where_asked(tmp_path: Path, box: Outbox) -> None:
    assert box.path == tmp_path / "state" / "outbox.sqlite"
    assert box.path.exists()
    assert box.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert box.db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    assert (box.counts(), box.rows("validated"), box.get("R1")) == ({}, [], None)


def test_new_reports_are_validated_and_read_back_whole(box: Outbox) -> None:
    _insert(box, "R2", "R1")
    assert [r.report_id for r in box.rows("validated")] == ["R1", "R2"]  # by id
    row = _got(box, "R1")
    assert row == Row("R1", "c-R1", "in/R1.json", "validated", None, _valuation(2), None, None)
    assert box.known() == {"R1": ("c-R1", "validated"), "R2": ("c-R2", "validated")}
    assert box.counts() == {"validated": 2}
    taken = box.db.execute("SELECT taken_at FROM reports").fetchall()
    assert all(t > NOW for (t,) in taken)


def test_a_known_id_is_kept_unless_it_was_rejected(box: Outbox) -> None:
    _insert(box, "R1", "R2")
    box.set_signed([("R1", b"sig1"), ("R2", b"sig2")])
    box.set_state(["R2"], "rejected", reason="FutureDate")
    _insert(box, "R1", "R2", content="new", value=200)
    kept = _got(box, "R1")
    assert (kept.content_hash, kept.state, kept.signature) == (
        "c-R1",
        "signed",
        b"sig1",
    )
    redone = _got(box, "R2")
    assert redone == Row(
        "R2", "new-R2", "in/R2.json", "validated", None, _valuation(2, 200), None, None
    )


def test_signing_sending_and_settling_write_their_columns(box: Outbox) -> None:
    _insert(box, "R1", "R2", "R3")
    box.set_signed([("R1", b"s1"), ("R2", b"s2"), ("R3", b"s3")])
    assert [r.signature for r in box.rows("signed")] == [b"s1", b"s2", b"s3"]
    box.record_tx(tx_hash="0xb", nonce=7, raw=b"raw-b", report_ids=["R1", "R2"], sender=RELAYER)
    box.record_tx(tx_hash="0xa", nonce=8, raw=b"raw-a", report_ids=["R3"])
    assert _tx(box, "0xb") == (7, b"raw-b", "sent", None, None, RELAYER)
    assert _tx(box, "0xa")[5] is None  # no sender: written before senders were kept
    assert box.txs("sent") == [("0xb", 7, b"raw-b"), ("0xa", 8, b"raw-a")]  # by nonce
    assert [r.report_id for r in box.reports_of("0xb")] == ["R1", "R2"]
    assert {r.tx_hash for r in box.rows("sent")} == {"0xa", "0xb"}
    box.finish_tx(
        "0xb",
        "mined",
        verdicts={"R1": ("confirmed", None), "R2": ("rejected", "FutureDate")},
        block_number=12,
        block_hash="0xhh",
    )
    assert _tx(box, "0xb")[2:5] == ("mined", 12, "0xhh")
    assert box.txs("sent") == [("0xa", 8, b"raw-a")]
    assert box.txs("mined") == [("0xb", 7, b"raw-b")]
    r1, r2 = _got(box, "R1"), _got(box, "R2")
    assert (r1.state, r1.reason, r1.tx_hash, r1.signature) == (
        "confirmed",
        None,
        "0xb",
        b"s1",
    )
    assert (r2.state, r2.reason) == ("rejected", "FutureDate")
    assert box.counts() == {"confirmed": 1, "rejected": 1, "sent": 1}


def test_a_reverted_batch_goes_back_to_be_sent_alone(box: Outbox) -> None:
    _insert(box, "R1", "R2")
    box.set_signed([("R1", b"s1"), ("R2", b"s2")])
    box.record_tx(tx_hash="0xa", nonce=0, raw=b"r", report_ids=["R1", "R2"])
    box.finish_tx("0xa", "failed", retry=["R1", "R2"], solo=True)
    rows = box.rows("signed")
    assert [(r.report_id, r.tx_hash, r.solo, r.signature) for r in rows] == [
        ("R1", None, True, b"s1"),
        ("R2", None, True, b"s2"),
    ]
    box.record_tx(tx_hash="0xb", nonce=1, raw=b"r", report_ids=["R1"])
    box.finish_tx("0xb", "dropped", retry=["R1"])
    again = _got(box, "R1")
    assert (again.state, again.solo) == ("signed", False)


def test_reasons_and_signatures_are_kept_when_not_given_again(box: Outbox) -> None:
    _insert(box, "R1")
    box.set_state(["R1"], "signed", signature=b"s1", tx_hash="0xa", reason="first")
    box.set_state(["R1"], "sent", tx_hash="0xb")
    row = _got(box, "R1")
    assert (row.state, row.reason, row.signature, row.tx_hash) == (
        "sent",
        "first",
        b"s1",
        "0xb",
    )
    box.set_state(["R1"], "signed")
    row = _got(box, "R1")
    assert row.tx_hash is None  # a state without a transaction
    box.set_verdicts({"R1": ("conflict", None)})
    row = _got(box, "R1")
    assert (row.state, row.reason, row.tx_hash) == ("conflict", "first", None)
    box.set_state(["R1"], "sent", tx_hash="0xc")
    box.set_verdicts({"R1": ("confirmed", "found")})
    row = _got(box, "R1")
    assert (row.state, row.reason, row.tx_hash) == ("confirmed", "found", "0xc")


def test_a_refused_broadcast_is_forgotten_and_only_its_reports_return(box: Outbox) -> None:
    _insert(box, "R1", "R2", "R3")
    box.set_signed([("R1", b"s1"), ("R2", b"s2"), ("R3", b"s3")])
    box.record_tx(tx_hash="0xa", nonce=0, raw=b"r", report_ids=["R1", "R2"])
    box.record_tx(tx_hash="0xb", nonce=1, raw=b"r", report_ids=["R3"])
    box.set_verdicts({"R2": ("confirmed", None)})  # already settled under 0xa
    box.unsend("0xa")
    assert _tx(box, "0xa") is None
    assert _tx(box, "0xb") is not None
    states = {r: (_got(box, r).state, _got(box, r).tx_hash) for r in ("R1", "R2", "R3")}
    assert states == {"R1": ("signed", None), "R2": ("confirmed", "0xa"), "R3": ("sent", "0xb")}


def test_nonces_in_flight_are_counted_per_sender(box: Outbox) -> None:
    assert box.next_nonce(RELAYER) == -1
    _insert(box, "R1", "R2", "R3", "R4")
    box.record_tx(tx_hash="0xa", nonce=4, raw=b"r", report_ids=["R1"], sender=RELAYER)
    box.record_tx(tx_hash="0xb", nonce=9, raw=b"r", report_ids=["R2"], sender="0x" + "22" * 20)
    box.record_tx(tx_hash="0xc", nonce=6, raw=b"r", report_ids=["R3"], sender=RELAYER)
    assert box.next_nonce(RELAYER) == 6
    box.finish_tx("0xc", "mined")
    assert box.next_nonce(RELAYER) == 4  # settled: the node counts it
    box.record_tx(tx_hash="0xd", nonce=5, raw=b"r", report_ids=["R4"])  # sender unknown
    assert box.next_nonce(RELAYER) == 5


def test_reports_stranded_under_a_settled_transaction_go_back_to_signed(box: Outbox) -> None:
    _insert(box, "R1", "R2")
    box.record_tx(tx_hash="0xa", nonce=0, raw=b"r", report_ids=["R1"])
    box.record_tx(tx_hash="0xb", nonce=1, raw=b"r", report_ids=["R2"])
    box.db.execute("UPDATE txs SET state = 'mined' WHERE tx_hash = '0xa'")  # an old outbox
    box.release_stranded()
    r1, r2 = _got(box, "R1"), _got(box, "R2")
    assert (r1.state, r1.tx_hash) == ("signed", None)
    assert (r2.state, r2.tx_hash) == ("sent", "0xb")


def test_binding_is_kept_and_a_different_one_is_named(box: Outbox) -> None:
    box.bind(31337, "0xReg")
    box.bind(31337, "0xReg")
    assert dict(box.db.execute("SELECT key, value FROM meta").fetchall()) == {
        "chainId": "31337",
        "registry": "0xReg",
    }
    for chain, registry in ((1, "0xReg"), (31337, "0xOther")):
        with pytest.raises(OutboxMismatchError) as refused:
            box.bind(chain, registry)
        assert str(refused.value) == (
            f"outbox {box.path} belongs to registry 0xReg on chain 31337, not {registry} on "
            f"chain {chain} (a node reset and a new deployment?): give this one its own --outbox"
        )


def test_quarantined_files_are_settled_only_by_a_report_of_that_name(box: Outbox) -> None:
    box.quarantine(file="a.json", moved_to="quarantine/a.json", content_hash="h1", reason="bad")
    box.quarantine(file="b.json", moved_to=None, content_hash="h2", reason="worse")
    box.quarantine(file="c\udcff.json", moved_to=None, content_hash=None, reason="odd \udcfe")
    assert box.quarantined() == [
        ("a.json", "bad"),
        ("b.json", "worse"),
        ("c\\udcff.json", "odd \\udcfe"),
    ]
    assert box.left_in_place() == {("b.json", "h2"), ("c\\udcff.json", None)}
    assert box.counts() == {"quarantined": 3}
    box.insert_many(
        [{"report_id": "X", "content_hash": "x", "path": "in/xa.json", "valuation": _valuation()}]
    )
    assert len(box.quarantined()) == 3  # "xa.json" is another name
    box.insert_many(
        [{"report_id": "A", "content_hash": "a", "path": "in/a.json", "valuation": _valuation()}]
    )
    assert box.quarantined() == [("b.json", "worse"), ("c\\udcff.json", "odd \\udcfe")]
    box.insert_many(
        [{"report_id": "B", "content_hash": "b", "path": "b.json", "valuation": _valuation()}]
    )
    assert box.counts() == {"validated": 3, "quarantined": 1}


def _crash_between_two_writes(box: Outbox) -> None:
    with box.transaction() as db:
        db.execute("UPDATE reports SET state = 'confirmed'")
        raise RuntimeError("crash between two writes")


def test_a_failed_transaction_writes_nothing(box: Outbox) -> None:
    _insert(box, "R1")
    with pytest.raises(RuntimeError, match="crash between two writes"):
        _crash_between_two_writes(box)
    row = _got(box, "R1")
    assert row.state == "validated"
    with box.transaction() as db:  # and the connection is usable again
        db.execute("UPDATE reports SET state = 'signed'")
    assert box.counts() == {"signed": 1}


def test_an_outbox_of_the_first_release_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE reports (report_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL,
            path TEXT NOT NULL, state TEXT NOT NULL, reason TEXT, valuation TEXT,
            signature BLOB, tx_hash TEXT, updated_at REAL NOT NULL);
        CREATE TABLE txs (tx_hash TEXT PRIMARY KEY, nonce INTEGER NOT NULL, raw BLOB NOT NULL,
            state TEXT NOT NULL, block_number INTEGER, block_hash TEXT, updated_at REAL NOT NULL);
        INSERT INTO reports VALUES ('bad.json', 'h', 'bad.json', 'quarantined', 'no JSON',
            NULL, NULL, NULL, 5.0);
        INSERT INTO reports VALUES ('R1', 'h1', 'R1.json', 'sent', NULL, NULL, x'00', '0xa', 6.0);
        INSERT INTO txs VALUES ('0xa', 3, x'01', 'sent', NULL, NULL, 6.0);
        """
    )
    old.commit()
    old.close()
    box = Outbox(path)
    assert box.get("bad.json") is None
    assert box.db.execute(
        "SELECT file, moved_to, content_hash, reason, at FROM quarantine"
    ).fetchall() == [("bad.json", "bad.json", "h", "no JSON", 5.0)]
    row = _got(box, "R1")
    assert (row.solo, row.valuation, row.signature) == (False, None, b"\x00")
    assert box.next_nonce(RELAYER) == 3  # a transaction of unknown sender counts for each
    assert box.counts() == {"sent": 1, "quarantined": 1}
    box.close()
    assert Outbox(path).counts() == {"sent": 1, "quarantined": 1}  # opening again changes nothing
