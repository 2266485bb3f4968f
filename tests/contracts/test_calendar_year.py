from __future__ import annotations

import datetime as dt

from web3 import Web3

from ipledger.chain.tx import NodeAccount
from ipledger.deploy.suite import deploy_artifact
from ipledger.toolchain.artifacts import Artifact


def _instants() -> list[int]:
    """Year boundaries (a second either side), leap days, and the far future."""
    out = []
    for year in (1970, 1999, 2000, 2024, 2025, 2026, 2027, 2100, 2400, 9999):
        start = int(dt.datetime(year, 1, 1, tzinfo=dt.UTC).timestamp())
        out += [start, start - 1, start + 86399]
    for year in (2000, 2024, 2028):
        out.append(int(dt.datetime(year, 2, 29, 12, tzinfo=dt.UTC).timestamp()))
    return [t for t in out if t >= 0]


def test_calendar_year_matches_python(w3: Web3, artifacts: dict[str, Artifact]) -> None:
    address, _ = deploy_artifact(
        w3=w3, artifact=artifacts["CalendarYearHarness"], sender=NodeAccount(w3.eth.accounts[0])
    )
    harness = w3.eth.contract(address=address, abi=artifacts["CalendarYearHarness"].abi)
    for t in _instants():
        expected = dt.datetime.fromtimestamp(t, dt.UTC).year
        assert harness.functions.yearOf(t).call() == expected, t
