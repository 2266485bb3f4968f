"""The chain-side checks of a report, each refusal with its field and words, and each
limit where it falls: at chain time `now`, the limit itself passes and a second past it
does not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ipledger.mirror.checks import MAX_AGE, MIN_VALIDITY, ChainChecks
from ipledger.mirror.reports import ReportError, ValuationReport, load_report
from tests.support.mirror import MirrorEnv

UNTIL_2100 = 4102444800
DAY = 86400


@pytest.fixture
def report(env: MirrorEnv) -> ValuationReport:
    return load_report(env.source / "HKTIS-2026-0001.json")


def _checks(env: MirrorEnv, now: int) -> ChainChecks:
    env.ledger.valuations.set_valuer(
        env.valuer.address,
        name="HKTIS",
        jurisdiction="HK",
        accredited_until=UNTIL_2100,
        sender=env.actors.admin,
    )
    checks = ChainChecks(env.ledger, env.valuer.address.lower())
    checks.now = now
    return checks


def _refusal(checks: ChainChecks, report: ValuationReport) -> tuple[str, str]:
    with pytest.raises(ReportError) as info:
        checks.check(Path("r.json"), report)
    assert info.value.path == Path("r.json")
    return info.value.field, info.value.problem


def _midnight(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def test_a_report_of_another_valuer_is_refused(env: MirrorEnv, report: ValuationReport) -> None:
    other = "0x" + "ab" * 20
    checks = _checks(env, _midnight(report.valuation_date))
    refused = _refusal(checks, report.model_copy(update={"valuer": other}))
    assert refused == ("valuer", f"{other} is not the key this mirror signs with")
    checks.check(Path("r.json"), report)  # the mirror's own key, in any case, passes


def test_an_unregistered_patent_is_refused_and_asked_once(
    env: MirrorEnv, report: ValuationReport
) -> None:
    checks = _checks(env, _midnight(report.valuation_date))
    unknown = report.model_copy(update={"patent": "HK 39999999"})
    assert _refusal(checks, unknown) == ("patent", "HK 39999999 is not registered on chain")
    assert checks.registered == {unknown.patent_id: False}
    checks.check(Path("r.json"), report)
    assert checks.registered[report.patent_id] is True


def test_accreditation_ends_at_its_second(env: MirrorEnv, report: ValuationReport) -> None:
    start = _midnight(report.valuation_date)
    checks = _checks(env, start)
    env.ledger.valuations.set_valuer(
        env.valuer.address,
        name="HKTIS",
        jurisdiction="HK",
        accredited_until=start + DAY,
        sender=env.actors.admin,
    )
    checks.now = start + DAY - 1
    checks.check(Path("r.json"), report)
    assert checks.accredited_until == start + DAY  # read once, then kept for the pass
    checks.now = start + DAY
    assert _refusal(checks, report) == ("valuer", f"{report.valuer} is not accredited now")


def test_the_valuation_date_may_be_today_not_tomorrow(
    env: MirrorEnv, report: ValuationReport
) -> None:
    day = _midnight(report.valuation_date)
    checks = _checks(env, day)
    checks.check(Path("r.json"), report)
    checks.now = day - 1
    assert _refusal(checks, report) == ("valuationDate", "is in the future by chain time")


def test_validity_must_run_30_days_past_chain_time(env: MirrorEnv, report: ValuationReport) -> None:
    short = report.model_copy(update={"valid_until": report.valuation_date + dt.timedelta(60)})
    until = _midnight(short.valid_until)
    checks = _checks(env, until - MIN_VALIDITY)
    checks.check(Path("r.json"), short)
    checks.now = until - MIN_VALIDITY + 1
    assert _refusal(checks, short) == ("validUntil", "is less than 30 days after chain time")
    checks.now = until
    assert _refusal(checks, short) == ("validUntil", "has already passed by chain time")


def test_a_valuation_may_be_a_year_old_not_older(env: MirrorEnv, report: ValuationReport) -> None:
    oldest = _midnight(report.valuation_date) + MAX_AGE
    checks = _checks(env, oldest)
    checks.check(Path("r.json"), report)
    checks.now = oldest + 1
    assert _refusal(checks, report) == (
        "valuationDate",
        "is more than 365 days before chain time: too old to attest",
    )
