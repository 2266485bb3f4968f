"""Revaluation due: the accreditor's maximum valuation age per field. An over-age
valuation stops counting (stale) however long its valid-until, comes back if the policy
is relaxed, and `ipledger valuations due` lists what valuers must revalue; the index
agrees with the chain throughout."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient

from ipledger.api.app import create_app
from ipledger.chain.revert import ContractRevertError
from ipledger.models import Field
from ipledger.read.index_check import verify_index
from ipledger.read.indexed import IndexReader
from ipledger.read.revaluation import valuations_due
from tests.support.chain import advance, now
from tests.support.cli import Cli
from tests.support.indexing import indexer
from tests.support.suite import YEAR, Market, SessionLedger, register
from tests.support.valuations import DAY, attest

pytestmark = pytest.mark.chain


def test_a_valuation_older_than_its_fields_maximum_age_is_stale(
    market: Market, valuer: LocalAccount
) -> None:
    valuations, admin = market.ledger.valuations, market.actors.admin
    report = attest(market, valuer)  # dated a day ago, valid a year; the patent: mechanical
    valuations.set_max_age(Field.MECHANICAL, 30 * DAY, sender=admin)
    valuations.set_max_age(Field.CHEMICAL, 1, sender=admin)  # another field's: no effect
    assert valuations.max_age(Field.MECHANICAL) == 30 * DAY
    assert valuations.latest_valuation(market.patent_id).report_id == report  # type: ignore[union-attr]
    advance(market.ledger.w3, 29 * DAY)
    assert valuations.latest_valuation(market.patent_id) is None  # 30 days after its date
    valuations.set_max_age(Field.MECHANICAL, 0, sender=admin)  # no limit: it counts again
    assert valuations.latest_valuation(market.patent_id).report_id == report  # type: ignore[union-attr]


def test_only_the_accreditor_sets_the_policy_for_a_real_field(market: Market) -> None:
    valuations = market.ledger.valuations
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")):
        valuations.set_max_age(Field.MECHANICAL, DAY, sender=market.actors.outsider)
    with pytest.raises(ContractRevertError.named("ValuationInvalidPolicy")):
        valuations._send("setMaxValuationAge", 9, DAY, sender=market.actors.admin)


def test_valuations_due_lists_missing_stale_and_soon_due(
    market: Market, valuer: LocalAccount, cli: Cli
) -> None:
    ledger, admin = market.ledger, market.actors.admin
    t = now(ledger.w3)
    report = attest(market, valuer, valid_until=t + 45 * DAY)
    unvalued = register(ledger, admin, "30055001", field=Field.ELECTRICAL)
    found = {r.reference: r for r in valuations_due(ledger, within_days=60)}
    assert found["HK 30012345"].status == "due"
    assert found["HK 30012345"].report_id == report
    assert found["HK 30012345"].due_at == t + 45 * DAY  # its valid-until: no age policy yet
    assert found["HK 30055001"].status == "none"
    assert found["HK 30055001"].patent_id == unvalued
    assert "HK 30012345" not in {r.reference for r in valuations_due(ledger, within_days=30)}
    api = TestClient(create_app(ledger=ledger)).get("/api/valuations/due", params={"within": 60})
    assert [(r["reference"], r["status"]) for r in api.json()] == [
        (r.reference, r.status) for r in valuations_due(ledger, within_days=60)
    ]
    # A policy of 20 days makes it due sooner, then stale.
    ledger.valuations.set_max_age(Field.MECHANICAL, 20 * DAY, sender=admin)
    [soon] = [r for r in valuations_due(ledger, within_days=30) if r.reference == "HK 30012345"]
    assert (soon.status, soon.due_at) == ("due", t - DAY + 20 * DAY)
    advance(ledger.w3, 25 * DAY)
    listed = cli.json("valuations", "due", "--within", "30")
    [stale] = [r for r in listed if r["reference"] == "HK 30012345"]
    assert (stale["status"], stale["field"], stale["daysLeft"]) == ("stale", "mechanical", -6)
    assert [r["status"] for r in listed][:2] == ["none", "stale"]  # the urgent first
    said = cli.json("valuation", "max-age", "mechanical", "0", "--account", "0")
    assert (said["field"], said["maxAge"]) == ("mechanical", 0)
    [back] = [r for r in cli.json("valuations", "due") if r["reference"] == "HK 30012345"]
    assert back["status"] == "due"  # counts again until its valid-until, 19 days away


def test_the_index_follows_the_policy(
    market: Market, valuer: LocalAccount, session_ledger: SessionLedger, tmp_path: Path
) -> None:
    ledger = market.ledger
    attest(market, valuer, valid_until=now(ledger.w3) + YEAR)
    ledger.valuations.set_max_age(Field.MECHANICAL, 10 * DAY, sender=market.actors.admin)
    advance(ledger.w3, 10 * DAY)
    ledger.investors.set_investor(market.actors.outsider.address, jurisdiction="HK",
                                  expiry=2**40, sender=market.actors.admin)  # fmt: skip
    ix = indexer(session_ledger, tmp_path / "index.sqlite")
    ix.sync()
    with IndexReader.open(ix.engine) as reader:
        at = reader.block_time(reader.indexed_block()) or 0
        assert reader.latest_valuation("0x" + market.patent_id.hex(), at) is None
        report = verify_index(reader, ledger)
    assert report.ok, report.differences
