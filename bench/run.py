"""`make bench`: every benchmark, side by side with its peers, in one run.

Writes bench/results.json (rows: operation, metric, ipledger, peer, peer_value, ratio)
and bench/RESULTS.md. Gas comes from receipts on the embedded chain (deterministic).
"""

from __future__ import annotations

import json
from pathlib import Path

from bench import (
    index_bench,
    lens_bench,
    loan_gas,
    mirror_bench,
    pages_bench,
    token_gas,
    valuation_gas,
)
from bench.common import Row
from ipledger.project import Project


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 100 else f"{value:,.3f}"


def write(rows: list[Row], folder: Path) -> None:
    (folder / "results.json").write_text(json.dumps([r.as_json() for r in rows], indent=2) + "\n")
    lines = [
        "# Benchmarks",
        "",
        "Gas from receipts on the embedded chain (eth-tester, Prague); wall-clock rows on anvil,",
        "median of runs, beside their baseline in the same run; ratio = ipledger / peer.",
        "",
        "| operation | metric | ipledger | peer | peer value | ratio | EVM floor |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.operation} | {r.metric} | {_fmt(r.ipledger)} | {r.peer or ''} | "
            f"{_fmt(r.peer_value)} | {_fmt(r.ratio)} | {_fmt(r.floor)} |"
        )
    (folder / "RESULTS.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    project = Project.find()
    lens = lens_bench.measure(project)
    lens_5000 = next((r.ipledger for r in lens if r.operation.startswith("holdings of 5000")), None)
    rows = (
        valuation_gas.measure(project)
        + token_gas.measure(project)
        + loan_gas.measure(project)
        + mirror_bench.measure(project)
        + lens
        + index_bench.measure(project, lens_5000)
        + pages_bench.measure(project)
    )
    write(rows, project.root / "bench")
    for row in rows:
        ratio = f"  ratio {row.ratio}" if row.ratio is not None else ""
        print(f"{row.operation:55} {_fmt(row.ipledger):>12} {row.metric}{ratio}")


if __name__ == "__main__":
    main()
