"""Mutual recognition: a mainland (CN) valuation counts in Hong Kong (an HK investor's
implied value, an HK bank's collateral) only once a valuer accredited in Hong Kong signs
a recognition of that report, and stops counting when it is withdrawn; a jurisdiction's
policy may accept another's valuations directly."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from fastapi.testclient import TestClient

from ipledger.api.app import create_app
from ipledger.chain.eip712 import Domain, recognition_message
from ipledger.chain.revert import ContractRevertError
from ipledger.models import EvidenceKind
from ipledger.read.index_check import verify_index
from ipledger.read.indexed import IndexReader
from ipledger.read.indexed_holdings import holdings_from_index
from ipledger.read.indexed_patent import valuation_records
from ipledger.read.queries import holdings, valuation_history
from ipledger.read.supervision import valuation_changes
from tests.support.chain import now
from tests.support.cli import Cli
from tests.support.indexing import indexer
from tests.support.loans import PLEDGED, loan_setup, open_loan
from tests.support.suite import YEAR, Market, SessionLedger, accredit_valuer, distribute
from tests.support.valuations import attest, valuer_sender

pytestmark = pytest.mark.chain
REVIEW = keccak(text="HK review of the mainland report")
REASON = keccak(text="the review was withdrawn")
PATENT = "HK 30012345"
CN_KEY = keccak(text="accredited valuer, Shenzhen valuation centre")


@pytest.fixture
def cn_valuer(market: Market) -> LocalAccount:
    return accredit_valuer(market, CN_KEY, name="Shenzhen IP Valuation Centre", jurisdiction="CN")


def recognise(
    market: Market, recogniser: LocalAccount, report: bytes, where: str = "HK",
    review: bytes = REVIEW,
) -> None:  # fmt: skip
    r = market.ledger.recognition
    signature = r.sign(
        recogniser, report_id=report, patent_id=market.patent_id, jurisdiction=where,
        review_hash=review,
    )  # fmt: skip
    r.recognise(
        report_id=report, patent_id=market.patent_id, jurisdiction=where,
        recogniser=recogniser.address, review_hash=review, signature=signature,
        sender=market.actors.admin,
    )  # fmt: skip


def implied(market: Market) -> object:
    return holdings(market.ledger, market.actors.investors[0].address).holdings[0].implied_value


def test_a_mainland_valuation_counts_in_hong_kong_once_recognised(
    market: Market, valuer: LocalAccount, cn_valuer: LocalAccount
) -> None:
    ledger, r = market.ledger, market.ledger.recognition
    distribute(market, [10_000])  # an HK investor
    report = attest(market, cn_valuer)
    assert r.latest_valuation_in(market.patent_id, "CN").report_id == report  # type: ignore[union-attr]
    assert r.latest_valuation_in(market.patent_id, "HK") is None
    assert implied(market) is None  # not for an HK investor
    recognise(market, valuer, report)
    assert r.latest_valuation_in(market.patent_id, "HK").report_id == report  # type: ignore[union-attr]
    assert implied(market) is not None
    [record] = valuation_history(ledger, market.patent_id)
    assert record.valuer_jurisdiction == "CN"
    assert [(x.jurisdiction, x.recogniser, x.withdrawn) for x in record.recognised_by] == [
        ("HK", valuer.address, False)
    ]
    # Withdrawn by the recogniser: it counts no more, and the signature cannot come back.
    r.withdraw(report, "HK", REASON, sender=valuer_sender(market, valuer))
    assert r.latest_valuation_in(market.patent_id, "HK") is None
    assert implied(market) is None
    with pytest.raises(ContractRevertError.named("RecognitionAlreadyRecognised")):
        recognise(market, valuer, report)  # the same signature, replayed
    assert valuation_history(ledger, market.patent_id)[0].recognised_by[0].withdrawn
    # A new review may recognise it again; while in force, no second one.
    recognise(market, valuer, report, review=keccak(text="a second review"))
    assert r.latest_valuation_in(market.patent_id, "HK").report_id == report  # type: ignore[union-attr]
    with pytest.raises(ContractRevertError.named("RecognitionAlreadyRecognised")):
        recognise(market, valuer, report, review=keccak(text="a third review"))
    assert [x.withdrawn for x in valuation_history(ledger, market.patent_id)[0].recognised_by] == [
        True,
        False,
    ]
    trail = ledger.evidence.entries(market.patent_id)
    assert [(e.kind, e.content_hash) for e in trail[-3:]] == [
        (EvidenceKind.VALUATION, REVIEW),
        (EvidenceKind.OTHER, REASON),
        (EvidenceKind.VALUATION, keccak(text="a second review")),
    ]


def test_an_older_recognised_valuation_counts_behind_a_newer_unrecognised_one(
    market: Market, valuer: LocalAccount, cn_valuer: LocalAccount
) -> None:
    t = now(market.ledger.w3)
    older = attest(market, cn_valuer, 1, valuation_date=t - 5 * 86400)
    recognise(market, valuer, older)
    newer = attest(market, cn_valuer, 2, valuation_date=t - 86400)
    r = market.ledger.recognition
    assert r.latest_valuation_in(market.patent_id, "CN").report_id == newer  # type: ignore[union-attr]
    assert r.latest_valuation_in(market.patent_id, "HK").report_id == older  # type: ignore[union-attr]


def test_the_policy_may_accept_a_jurisdiction_directly(
    market: Market, cn_valuer: LocalAccount
) -> None:
    r, admin = market.ledger.recognition, market.actors.admin
    report = attest(market, cn_valuer)
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")):
        r.set_direct("HK", "CN", direct=True, sender=market.actors.outsider)
    r.set_direct("HK", "CN", direct=True, sender=admin)
    assert r.accepts_directly("HK", "CN")
    assert not r.accepts_directly("CN", "HK")  # one way only
    assert r.latest_valuation_in(market.patent_id, "HK").report_id == report  # type: ignore[union-attr]
    r.set_direct("HK", "CN", direct=False, sender=admin)
    assert r.latest_valuation_in(market.patent_id, "HK") is None
    with pytest.raises(ContractRevertError.named("RecognitionInvalidJurisdiction")):
        r.set_direct("HK", "HK", direct=True, sender=admin)


def test_only_a_valuer_accredited_there_may_recognise_and_only_its_signature(
    market: Market, valuer: LocalAccount, cn_valuer: LocalAccount
) -> None:
    ledger, r = market.ledger, market.ledger.recognition
    report = attest(market, cn_valuer)
    # The CN valuer cannot recognise its own report for Hong Kong; the HK one not for CN.
    with pytest.raises(ContractRevertError.named("RecognitionNotAccredited")):
        recognise(market, cn_valuer, report, "HK")
    hk_report = attest(market, valuer, 2)
    with pytest.raises(ContractRevertError.named("RecognitionNotAccredited")):
        recognise(market, valuer, hk_report, "CN")
    # A recognition of an HK report in HK: it counts there already.
    with pytest.raises(ContractRevertError.named("RecognitionNotNeeded")):
        recognise(market, valuer, hk_report, "HK")
    fields = {"report_id": report, "patent_id": market.patent_id, "jurisdiction": "HK",
              "recogniser": valuer.address, "review_hash": REVIEW}  # fmt: skip
    domain = r.domain()
    elsewhere = [
        domain.model_copy(update={"chain_id": domain.chain_id + 1}),  # another chain
        domain.model_copy(update={"verifying_contract": ledger.addresses.valuation_registry}),
        Domain(
            name="ipledger ValuationRegistry",
            version="1",
            chain_id=domain.chain_id,
            verifying_contract=domain.verifying_contract,
        ),
    ]
    for d in elsewhere:
        signature = bytes(valuer.sign_message(recognition_message(d, **fields)).signature)
        with pytest.raises(ContractRevertError.named("RecognitionInvalidSignature")):
            r.recognise(**fields, signature=signature, sender=market.actors.admin)
    # Another key's signature over the HK valuer's recognition.
    forged = bytes(cn_valuer.sign_message(recognition_message(domain, **fields)).signature)
    with pytest.raises(ContractRevertError.named("RecognitionInvalidSignature")):
        r.recognise(**fields, signature=forged, sender=market.actors.admin)
    # Only a valuation of this patent that counts now (0 names none).
    with pytest.raises(ContractRevertError.named("RecognitionNotCounting")):
        recognise(market, valuer, keccak(text="no such report"))
    with pytest.raises(ContractRevertError.named("RecognitionInvalidField")):
        recognise(market, valuer, b"\0" * 32)
    market.ledger.valuations.revoke(report, "superseded", sender=valuer_sender(market, cn_valuer))
    with pytest.raises(ContractRevertError.named("RecognitionNotCounting")):
        recognise(market, valuer, report)


def test_who_may_withdraw_and_a_withdrawn_recogniser(
    market: Market, valuer: LocalAccount, cn_valuer: LocalAccount
) -> None:
    r, admin = market.ledger.recognition, market.actors.admin
    report = attest(market, cn_valuer)
    recognise(market, valuer, report)
    with pytest.raises(ContractRevertError.named("RecognitionNotAllowed")):
        r.withdraw(report, "HK", REASON, sender=valuer_sender(market, cn_valuer))
    with pytest.raises(ContractRevertError.named("RecognitionNotRecognised")):
        r.withdraw(report, "CN", REASON, sender=admin)
    # The recogniser withdrawn for cause takes its recognitions with it; another valuer
    # accredited in Hong Kong may recognise the report again.
    market.ledger.valuations.remove_valuer(valuer.address, sender=admin)
    assert r.latest_valuation_in(market.patent_id, "HK") is None
    [shown] = valuation_history(market.ledger, market.patent_id)[0].recognised_by
    assert (shown.withdrawn, shown.recogniser_withdrawn) == (False, True)
    second = accredit_valuer(market, keccak(text="another HK valuer"), name="HK Valuers Ltd")
    recognise(market, second, report)
    assert r.latest_valuation_in(market.patent_id, "HK").report_id == report  # type: ignore[union-attr]
    r.withdraw(report, "HK", REASON, sender=admin)  # the accreditor may
    with pytest.raises(ContractRevertError.named("RecognitionNotRecognised")):
        r.withdraw(report, "HK", REASON, sender=admin)


def test_an_hk_banks_collateral_counts_a_mainland_valuation_once_recognised(
    market: Market, cn_valuer: LocalAccount
) -> None:
    setup = loan_setup(market)  # an HK valuation, an HK bank
    ledger = market.ledger
    loan_id = open_loan(setup, PLEDGED)
    hk = ledger.valuations.latest_valuation(market.patent_id)
    assert hk is not None
    cn = attest(market, cn_valuer, 7, value=hk.value * 2)  # newer, and worth twice as much
    before = ledger.loans.health(loan_id).collateral_value
    assert before > 0  # still the HK valuation's
    # Where the loan's collateral must count was fixed when it was accepted: the bank
    # relisted in CN does not make the unrecognised mainland valuation count for it.
    ledger.investors.set_investor(
        setup.lender.address, jurisdiction="CN", expiry=now(ledger.w3) + YEAR,
        sender=market.actors.admin,
    )  # fmt: skip
    assert ledger.loans.health(loan_id).collateral_value == before
    recognise(market, setup.valuer, cn)
    assert ledger.loans.health(loan_id).collateral_value == 2 * before
    ledger.recognition.withdraw(cn, "HK", REASON, sender=market.actors.admin)
    assert ledger.loans.health(loan_id).collateral_value == before


def test_the_index_counts_what_the_chain_counts(
    market: Market,
    valuer: LocalAccount,
    cn_valuer: LocalAccount,
    session_ledger: SessionLedger,
    tmp_path: Path,
) -> None:
    distribute(market, [10_000])
    investor = market.actors.investors[0].address
    t = now(market.ledger.w3)
    recognised = attest(market, cn_valuer, 1, valuation_date=t - 3 * 86400)
    recognise(market, valuer, recognised)
    newer = attest(market, cn_valuer, 2)  # unrecognised: counts in CN only
    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    ix.sync()
    with IndexReader.open(ix.engine) as reader:
        [indexed] = holdings_from_index(reader, investor).holdings
        assert indexed.valuation == holdings(market.ledger, investor).holdings[0].valuation
        assert indexed.valuation.report_id == recognised  # type: ignore[union-attr]
        assert valuation_records(reader, "0x" + market.patent_id.hex()) == valuation_history(
            market.ledger, market.patent_id
        )
        assert verify_index(reader, market.ledger).ok
        # The supervisor sees which valuations cross the boundary, and where they count.
        block = reader.indexed_block()
        rows = valuation_changes(reader, block, reader.block_time(block) or 0)
        assert {(r.report_id, r.valuer_jurisdiction, tuple(r.recognised_in)) for r in rows} == {
            (recognised, "CN", ("HK",)),
            (newer, "CN", ()),
        }


def test_recognise_withdraw_and_policy_from_the_cli_and_the_api(
    market: Market,
    valuer: LocalAccount,
    cn_valuer: LocalAccount,
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = attest(market, cn_valuer, label_n := 3)
    label = f"HKTIS-2026-{label_n:04d}"
    review, reason = tmp_path / "review.pdf", tmp_path / "reason.txt"
    review.write_bytes(b"%PDF review")
    reason.write_text("withdrawn")
    assert cli.json("valuation", "latest", PATENT, "--jurisdiction", "HK") is None
    # Relayed: the CN valuer's signature, sent by someone else, is refused for HK.
    signature = market.ledger.recognition.sign(
        cn_valuer, report_id=report, patent_id=market.patent_id, jurisdiction="HK",
        review_hash=keccak(text="x"),
    )  # fmt: skip
    relayed = [
        "valuation",
        "recognise",
        PATENT,
        "0x" + report.hex(),
        "--review",
        str(review),
        "--signature",
        "0x" + signature.hex(),
        "--recogniser",
        cn_valuer.address,
    ]
    assert "RecognitionNotAccredited" in cli.error(*relayed)
    assert "not an ISO 3166-1" in cli.error(*relayed, "--jurisdiction", "HKG")
    bad = [*relayed[:-4], "--signature", "0xzz", "--recogniser", cn_valuer.address]
    assert "is not hex" in cli.error(*bad)
    # The HK valuer signs with its keystore (it pays its own gas).
    keystore = tmp_path / "hk.json"
    keystore.write_text(json.dumps(Account.encrypt(valuer.key, "pw", iterations=1024)))
    monkeypatch.setenv("IPLEDGER_KEYSTORE_PASSWORD", "pw")
    valuer_sender(market, valuer)
    said = cli.json("valuation", "recognise", PATENT, label, "--valuer", cn_valuer.address,
                    "--review", str(review), "--keystore", str(keystore))  # fmt: skip
    assert said["recogniser"] == valuer.address
    assert said["reviewHash"] == "0x" + hashlib.sha256(b"%PDF review").hexdigest()
    latest = cli.json("valuation", "latest", PATENT, "--jurisdiction", "HK")
    assert latest["reportId"] == "0x" + report.hex()
    client = TestClient(create_app(ledger=market.ledger))
    got = client.get(f"/api/patents/{PATENT}/valuations/latest", params={"jurisdiction": "HK"})
    assert got.status_code == 200
    assert got.json()["reportId"] == "0x" + report.hex()
    lower = client.get(f"/api/patents/{PATENT}/valuations/latest?jurisdiction=hk")
    assert lower.json()["reportId"] == "0x" + report.hex()  # case forgiven, as the CLI does
    assert (
        client.get(f"/api/patents/{PATENT}/valuations/latest?jurisdiction=HKG").status_code == 422
    )
    [record] = client.get(f"/api/patents/{PATENT}/valuations").json()
    assert record["valuerJurisdiction"] == "CN"
    assert record["recognisedBy"][0]["jurisdiction"] == "HK"
    page = client.get(f"/patents/{PATENT}", headers={"Accept": "text/html"}).text
    assert '<span class="muted">(CN)</span>' in page  # the valuer's jurisdiction
    assert "<td>HK</td>" in page  # recognised in
    # Withdrawn by the accreditor (the CLI's default account).
    args = ["valuation", "withdraw-recognition", "0x" + report.hex(), "--reason", str(reason)]
    assert cli.json(*args)["withdrawn"] is True
    assert "RecognitionNotRecognised" in cli.error(*args)
    assert cli.json("valuation", "latest", PATENT, "--jurisdiction", "HK") is None
    # The policy: HK takes CN valuations directly.
    assert cli.json("valuation", "accept", "HK", "CN")["direct"] is True
    assert cli.json("valuation", "latest", PATENT, "--jurisdiction", "HK")["reportId"] == (
        "0x" + report.hex()
    )
