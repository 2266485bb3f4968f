"""The `ipledger` command run in this process against the test's chain (either backend):
a scratch project holding the session suite's deployment record."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from ipledger.cli import app
from ipledger.clients.ledger import Ledger
from ipledger.project import Project


@dataclass
class Cli:
    project: Project
    ledger: Ledger  # the suite the CLI finds recorded

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(app, [*args, "--project", str(self.project.root)])

    def json(self, *args: str) -> Any:
        """The verb's `--json` output; fails the test with the output on a non-zero exit."""
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def error(self, *args: str) -> str:
        """The verb's one-line error (exit 1, no traceback)."""
        result = self(*args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, result.output
        return lines[0]
