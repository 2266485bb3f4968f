#!/usr/bin/env python3
"""`make audit`: Slither over contracts/ through the project's pinned compiler.

Writes the build's standard-JSON input (with the AST) to build/slither-input.json and
runs Slither from its own virtualenv (.venv-audit: slither-analyzer pins web3 7, which
ipledger's web3 8 cannot share) with the solc-js adapter. Fails on any medium or high
finding, and on any lower one not accepted with a reason in audit/slither-accepted.json.
Library code (node_modules) and test doubles (contracts/mocks) are not analysed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ipledger.project import Project
from ipledger.toolchain.compiler import standard_json_input
from ipledger.toolchain.solc import ADAPTER

SLITHER = Path(".venv-audit/bin/slither")
FAILING = {"High", "Medium"}


def main() -> int:
    project = Project.find()
    data = standard_json_input(project, ast=True)
    data["settings"]["outputSelection"] = {
        "*": {
            "*": ["abi", "evm.bytecode", "evm.deployedBytecode", "evm.methodIdentifiers"],
            "": ["ast"],
        }
    }
    build = project.root / "build"
    build.mkdir(exist_ok=True)
    (build / "slither-input.json").write_text(json.dumps(data))
    report = build / "slither-report.json"
    report.unlink(missing_ok=True)  # slither refuses to overwrite its report
    shutil.rmtree(project.root / "crytic-export", ignore_errors=True)
    run = subprocess.run(
        [
            str(project.root / SLITHER),
            str(build / "slither-input.json"),
            "--compile-force-framework",
            "solc-json",
            "--solc",
            str(ADAPTER),
            "--filter-paths",
            "node_modules|contracts/mocks",
            "--exclude-dependencies",
            "--json",
            str(report),
        ],
        cwd=project.root,
        check=False,
        capture_output=True,
        # crytic-compile reads foundry.toml through `forge config` whenever the file is
        # there, whatever framework is forced: it finds the project's forge (npm).
        env={
            **os.environ,
            "PATH": f"{project.node_modules / '.bin'}{os.pathsep}{os.environ['PATH']}",
        },
    )
    shutil.rmtree(project.root / "crytic-export", ignore_errors=True)
    if not report.is_file():
        last = run.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        print(f"slither wrote no report (exit {run.returncode}): {last[0]}", file=sys.stderr)
        return 2
    results = json.loads(report.read_text())
    if not results.get("success"):
        print(f"slither failed: {results.get('error')}", file=sys.stderr)
        return 2
    accepted = json.loads((project.root / "audit" / "slither-accepted.json").read_text())[
        "accepted"
    ]
    findings = results["results"].get("detectors", [])
    failing = [f for f in findings if f["impact"] in FAILING or f["check"] not in accepted]
    for finding in findings:
        mark = "FAIL" if finding in failing else "ok  "
        first = finding["description"].splitlines()[0]
        print(f"{mark} {finding['impact']:13} {finding['check']:24} {first[:110]}")
    print(
        f"slither: {len(findings)} findings, {len(failing)} failing "
        f"({len(findings) - len(failing)} accepted in audit/slither-accepted.json)"
    )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
