"""SECURITY.md's threat table: every row names tests, and every named test is one pytest
collects and runs (so the table cannot rot, or point at a test that never runs)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from ipledger.project import Project
from tests.support.collected import COLLECTED


def _rows(text: str) -> list[str]:
    """The threat table's body rows (not its header or separator)."""
    table = [line for line in text.splitlines() if line.startswith("| ")]
    return [row for row in table if not row.startswith(("| threat ", "| --- "))]


def _references(row: str) -> list[tuple[str, str]]:
    cell = row.rstrip(" |").rsplit("|", 1)[-1]
    pairs = []
    for reference in cell.split(";"):
        path, _, names = reference.strip().partition(" :: ")
        pairs += [(path, name.strip()) for name in names.split(",") if name.strip()]
    return pairs


def _collected(project: Project, files: list[str], config: pytest.Config) -> set[str]:
    """The test ids pytest collects from `files`: this session's own collection when it
    took in every one of them (the whole suite, as `make test` runs it), else a
    `--collect-only` of those files."""
    mine = config.stash.get(COLLECTED, set())
    if all(any(test.startswith(f"{path}::") for test in mine) for path in files):
        return mine
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", *files],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        re.sub(r"\[.*\]$", "", line.strip()) for line in listed.stdout.splitlines() if "::" in line
    }


def test_every_threat_names_tests_that_pytest_collects(
    project: Project, pytestconfig: pytest.Config
) -> None:
    rows = _rows((project.root / "SECURITY.md").read_text())
    assert len(rows) >= 40
    references = []
    for row in rows:
        found = _references(row)
        assert found, f"this threat names no test: {row[:80]}"
        references += found
    files = sorted({path for path, _ in references})
    collected = _collected(project, files, pytestconfig)
    for path, name in references:
        assert f"{path}::{name}" in collected, f"{path} :: {name} is not a collected test"


def test_row_parsing_catches_a_row_without_tests() -> None:
    row = "| a threat | where | defence | nothing named |"
    assert _references(row) == []
    assert _references("| t | w | d | tests/x.py :: test_a, test_b |") == [
        ("tests/x.py", "test_a"),
        ("tests/x.py", "test_b"),
    ]
