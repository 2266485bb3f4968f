"""Gas may not move more than 1% either way from bench/gas-snapshot.json (`make snapshot` updates
it deliberately), as `forge snapshot --check` does. Gas is deterministic on eth-tester."""

from __future__ import annotations

import json

from bench.snapshot import check, measure, snapshot_path

from ipledger.project import Project


def test_gas_within_one_percent_of_snapshot(project: Project) -> None:
    snapshot = json.loads(snapshot_path(project).read_text())
    measured = measure(project)
    assert check(measured, snapshot) == []
    assert set(snapshot) == set(measured)


def test_check_flags_a_rise_above_tolerance() -> None:
    assert check({"op": 1011}, {"op": 1000}) == ["op: 1011 gas, 1.1% above the snapshot's 1000"]
    assert check({"op": 1010}, {"op": 1000}) == []
    assert check({"new": 5}, {}) == ["new: 5 gas, not in the snapshot (run `make snapshot`)"]


def test_check_flags_a_drop_below_tolerance_too() -> None:
    """A deposit that stopped writing its evidence entry would be ~30% cheaper."""
    assert check({"op": 989}, {"op": 1000}) == ["op: 989 gas, 1.1% below the snapshot's 1000"]
    assert check({"op": 990}, {"op": 1000}) == []
    assert check({}, {"gone": 7}) == ["gone: in the snapshot but no longer measured"]


def test_snapshot_covers_the_operations_that_move_money_or_rights(project: Project) -> None:
    names = set(json.loads(snapshot_path(project).read_text()))
    assert {
        "token.forcedTransfer",
        "token.setFrozen",
        "token.transferFrom",
        "token.transferToNewHolder",
        "token.claimRevenueSettling",
        "token.recoverAccount",
        "valuations.revokeBySig",
        "patents.registerPatent",
        "investors.setInvestor",
    } <= names
