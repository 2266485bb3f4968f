from __future__ import annotations

import json

from typer.testing import CliRunner

from ipledger.cli import app
from ipledger.project import Project


def test_compile_json_lists_contracts(project: Project) -> None:
    result = CliRunner().invoke(app, ["compile", "--json", "--project", str(project.root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "TestHKD" in data["contracts"]
    assert data["compiler"]["version"].startswith("0.8.30")


def test_bad_rpc_url_is_one_clear_line(project: Project) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--rpc", "http://127.0.0.1:1", "--project", str(project.root)]
    )
    assert result.exit_code == 1
    assert "no Ethereum JSON-RPC node answered at http://127.0.0.1:1" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_errors_quoting_markup_are_printed_as_text(project: Project) -> None:
    result = CliRunner().invoke(app, ["patent", "show", "HK [/]1", "--project", str(project.root)])
    assert result.exit_code == 1
    assert "[/]1" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
