"""The README's walk-through, run as a newcomer would run it: its shell block, word for
word, against a fresh anvil with a state file (only the node's URL is this test's own)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ipledger.chain.node import start_anvil
from ipledger.project import Project
from tests.support.project import scratch_project

README = Path(__file__).resolve().parent.parent / "README.md"


def walkthrough() -> str:
    """The ```sh block right after `<!-- walkthrough -->` in the README."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- walkthrough -->\n```sh\n(.*?)\n```", text, re.S)
    assert found, "README.md has no walk-through block"
    return found.group(1)


@pytest.mark.slow
def test_the_readme_walkthrough_runs_as_written(project: Project, tmp_path: Path) -> None:
    assert shutil.which("jq"), "the walk-through reads --json answers with jq: install jq"
    script = walkthrough()
    assert "http://127.0.0.1:8545" in script
    scratch_project(project, tmp_path / "mine")
    with start_anvil(node_modules=project.node_modules, state=tmp_path / "chain.json") as node:
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp_path),  # the mirror's lock and anything else per user
        }
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script.replace("http://127.0.0.1:8545", node.url)],
            cwd=tmp_path / "mine",
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    said = " ".join(run.stdout.split())
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert "claimed tHKD 25,000.00 from HK 30099999" in said
    assert "this run: took in 1, sent 1, confirmed 1" in said
    assert "HKD 12,000,000.00" in said  # the mirrored valuation
    assert "MVC-2026-0001" in said  # shown by the valuer's own report id
    assert "HKD 3,000,000.00" in said  # the investor's 25% of it
