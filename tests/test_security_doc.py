"""SECURITY.md's threat table names tests that exist (so the table cannot rot)."""

from __future__ import annotations

import re

from ipledger.project import Project


def test_every_threat_names_existing_tests(project: Project) -> None:
    text = (project.root / "SECURITY.md").read_text()
    rows = [
        line
        for line in text.splitlines()
        if line.startswith("| ") and "::" in line and "test (file" not in line
    ]
    assert len(rows) >= 25
    for row in rows:
        cell = row.rstrip(" |").rsplit("|", 1)[-1]
        for reference in cell.split(";"):
            path, _, names = reference.strip().partition(" :: ")
            source = (project.root / path).read_text()
            for name in (n.strip() for n in names.split(",")):
                assert re.search(rf"^def {name}\(", source, re.M), f"{path} has no test {name}"
