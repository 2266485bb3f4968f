from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from web3 import Web3

from ipledger.errors import ContractRevertError
from ipledger.models import EvidenceKind, patent_id
from ipledger.read.evidence import ZERO, entry_hash, verify_entries
from ipledger.read.queries import evidence_trail
from tests.support.suite import Market

DOCS = {
    "filing.pdf": b"%PDF filing of HK 30012345",
    "grant.pdf": b"%PDF certificate of grant",
    "licence.pdf": b"%PDF exclusive licence to Acme Ltd",
}


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def record_documents(m: Market) -> None:
    kinds = [EvidenceKind.FILING, EvidenceKind.GRANT, EvidenceKind.LICENCE]
    for (name, data), kind in zip(DOCS.items(), kinds, strict=True):
        m.ledger.evidence.append(
            m.patent_id, kind, sha(data), f"docs/{name}", sender=m.actors.admin
        )


def test_append_chains_entries_to_head(market: Market) -> None:
    first, _ = market.ledger.evidence.append(
        market.patent_id, EvidenceKind.FILING, sha(b"a"), "a.pdf", sender=market.actors.admin
    )
    second, _ = market.ledger.evidence.append(
        market.patent_id, EvidenceKind.GRANT, sha(b"b"), "", sender=market.actors.admin
    )
    assert (first.seq, first.previous_hash) == (1, ZERO)
    assert (second.seq, second.previous_hash) == (2, first.entry_hash)
    assert first.entry_hash == entry_hash(
        previous=ZERO,
        patent_id=market.patent_id,
        kind=EvidenceKind.FILING,
        content_hash=sha(b"a"),
        submitter=market.actors.admin.address,
        timestamp=first.timestamp,
        seq=1,
    )
    assert market.ledger.evidence.head(market.patent_id) == (second.entry_hash, 2)


def test_deposit_and_forced_transfer_append_their_own_entries(market: Market) -> None:
    report = sha(b"Q3 licence revenue report")
    order = sha(b"court order")
    market.token.transfer(market.actors.investors[0].address, 10, sender=market.actors.issuer)
    market.token.deposit_revenue(1000, report, sender=market.actors.issuer)
    market.token.forced_transfer(
        market.actors.investors[0].address,
        market.actors.investors[1].address,
        5,
        evidence_hash=order,
        sender=market.actors.agent,
    )
    entries = market.ledger.evidence.entries(market.patent_id)
    assert [(e.kind, e.content_hash, e.submitter) for e in entries] == [
        (EvidenceKind.REVENUE_REPORT, report, market.token.address),
        (EvidenceKind.COURT_ORDER, order, market.token.address),
    ]


def test_deposit_without_report_hash_reverts(market: Market) -> None:
    with pytest.raises(ContractRevertError.named("RevenueRightsMissingEvidence")):
        market.token.deposit_revenue(1000, b"\0" * 32, sender=market.actors.issuer)


def test_writers_are_role_holders_or_the_patents_own_token(market: Market) -> None:
    with pytest.raises(ContractRevertError.named("EvidenceUnauthorized")) as info:
        market.ledger.evidence.append(
            market.patent_id, EvidenceKind.OTHER, sha(b"x"), sender=market.actors.outsider
        )
    assert info.value.arguments == {
        "caller": market.actors.outsider.address,
        "patentId": market.patent_id,
    }


def test_tokens_write_only_their_own_trail(market: Market) -> None:
    from tests.support.suite import open_market

    other = open_market(market.ledger, market.actors, number="30011111")
    other.token.deposit_revenue(10, sha(b"report"), sender=market.actors.issuer)
    assert market.ledger.evidence.head(other.patent_id)[1] == 1
    assert market.ledger.evidence.head(market.patent_id)[1] == 0


def test_a_token_may_write_its_own_patents_trail_and_no_other(market: Market) -> None:
    """The guard itself, run: the registry names an account as patent A's token; it may
    append to A's trail, and is refused on B's."""
    from ipledger.clients.evidence import EvidenceTrailClient
    from ipledger.deploy.suite import deploy_artifact

    ledger, admin = market.ledger, market.actors.admin
    artifacts = ledger.artifacts
    trail_address, _ = deploy_artifact(
        w3=ledger.w3, artifact=artifacts["EvidenceTrail"], sender=admin, args=(admin.address,)
    )
    registry_address, _ = deploy_artifact(
        w3=ledger.w3, artifact=artifacts["TokenOfRegistry"], sender=admin
    )
    registry = ledger.client("TokenOfRegistry", registry_address)
    trail = EvidenceTrailClient.of(
        artifacts["EvidenceTrail"], w3=ledger.w3, address=trail_address, decoder=ledger.decoder
    )
    trail._send("bindPatentRegistry", registry_address, sender=admin)
    token = market.actors.investors[0]  # stands in for patent A's token contract
    a, b = patent_id("HK", "30000001"), patent_id("HK", "30000002")
    registry._send("setToken", a, token.address, sender=admin)
    entry, _ = trail.append(a, EvidenceKind.REVENUE_REPORT, sha(b"q3"), sender=token)
    assert (entry.patent_id, entry.seq, entry.submitter) == (a, 1, token.address)
    with pytest.raises(ContractRevertError.named("EvidenceUnauthorized")) as info:
        trail.append(b, EvidenceKind.REVENUE_REPORT, sha(b"q3"), sender=token)
    assert info.value.arguments == {"caller": token.address, "patentId": b}


def test_role_holder_may_record_before_registration(market: Market) -> None:
    # A filing receipt can precede the patent's registration on the ledger.
    unregistered = patent_id("HK", "1")
    entry, _ = market.ledger.evidence.append(
        unregistered, EvidenceKind.FILING, sha(b"x"), sender=market.actors.admin
    )
    assert (entry.patent_id, entry.seq) == (unregistered, 1)


def test_empty_content_and_bad_kind_revert(market: Market) -> None:
    with pytest.raises(ContractRevertError.named("EvidenceEmptyContent")):
        market.ledger.evidence.append(
            market.patent_id, EvidenceKind.OTHER, ZERO, sender=market.actors.admin
        )
    with pytest.raises(ContractRevertError.named("EvidenceInvalidKind")):
        market.ledger.evidence._send(
            "append",
            market.patent_id,
            max(EvidenceKind) + 1,
            sha(b"x"),
            "",
            sender=market.actors.admin,
        )


def test_registry_binds_once(market: Market) -> None:
    with pytest.raises(ContractRevertError.named("EvidenceRegistryAlreadyBound")):
        market.ledger.evidence._send(
            "bindPatentRegistry", market.actors.outsider.address, sender=market.actors.admin
        )


def test_verified_trail_with_documents(market: Market, tmp_path: Path) -> None:
    record_documents(market)
    for name, data in DOCS.items():
        (tmp_path / name).write_bytes(data)
    result = evidence_trail(market.ledger, market.patent_id, documents=tmp_path)
    assert result.ok, result.problems
    assert (result.count, result.documents_checked) == (3, 3)


def test_tampered_document_is_reported_with_entry_number(market: Market, tmp_path: Path) -> None:
    record_documents(market)
    for name, data in DOCS.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "grant.pdf").write_bytes(b"%PDF certificate of grant (edited)")
    (tmp_path / "licence.pdf").unlink()
    result = evidence_trail(market.ledger, market.patent_id, documents=tmp_path)
    assert [(p.seq, p.problem.split(":")[0]) for p in result.problems] == [
        (2, "document grant.pdf was altered"),
        (3, "document licence.pdf is missing from " + str(tmp_path)),
    ]


def test_forged_event_order_and_gap_are_reported(market: Market) -> None:
    record_documents(market)
    entries = market.ledger.evidence.entries(market.patent_id)
    head, count = market.ledger.evidence.head(market.patent_id)
    swapped = [entries[0], entries[2], entries[1]]
    result = verify_entries(swapped, patent_id=market.patent_id, head_hash=head, count=count)
    assert {p.seq for p in result.problems} >= {2, 3}
    assert any("out of order" in p.problem or "a gap" in p.problem for p in result.problems)
    gap = verify_entries(
        [entries[0], entries[2]], patent_id=market.patent_id, head_hash=head, count=count
    )
    assert any(p.seq == 2 and "a gap" in p.problem for p in gap.problems)
    forged = entries[1].model_copy(update={"content_hash": sha(b"forged")})
    altered = verify_entries(
        [entries[0], forged, entries[2]], patent_id=market.patent_id, head_hash=head, count=count
    )
    assert any(p.seq == 2 and "altered" in p.problem for p in altered.problems)


def test_entry_hash_matches_contract(market: Market) -> None:
    expected = entry_hash(
        previous=b"\x01" * 32,
        patent_id=market.patent_id,
        kind=3,
        content_hash=b"\x02" * 32,
        submitter=market.actors.admin.address,
        timestamp=12345,
        seq=7,
    )
    onchain = market.ledger.evidence._call(
        "entryHashOf",
        b"\x01" * 32,
        market.patent_id,
        3,
        b"\x02" * 32,
        market.actors.admin.address,
        12345,
        7,
    )
    full = Web3.keccak(
        b"\x01" * 32
        + market.patent_id
        + (3).to_bytes(32, "big")
        + b"\x02" * 32
        + bytes(12)
        + bytes.fromhex(market.actors.admin.address[2:])
        + (12345).to_bytes(32, "big")
    )
    assert onchain == expected == full[:24] + (7).to_bytes(8, "big")
