"""`make mutation`'s score: mutmut's verdicts per module, and the survivors to read.

Killed counts as caught; "no tests" (code no selected test reaches) and survivors count
against the score; timeouts and crashes count as caught (the mutant hung or broke the
tests).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CAUGHT = {"killed", "timeout", "segfault"}


def main() -> int:
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "mutmut"), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    verdicts: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for line in out.splitlines():
        match = re.match(r"\s*(ipledger\.[\w.]+)\.x\S*?__mutmut_\d+: (.+)$", line.strip())
        if not match:
            continue
        module, verdict = match.group(1), match.group(2).strip()
        module = module.split(".x")[0]
        verdicts[module][verdict] += 1
        if verdict not in CAUGHT:
            survivors[module].append(line.strip())
    scores = {}
    for module, counts in sorted(verdicts.items()):
        total = sum(counts.values())
        caught = sum(n for v, n in counts.items() if v in CAUGHT)
        scores[module] = {"mutants": total, "caught": caught, "score": round(caught / total, 3)}
        print(f"{module:32} {caught:4}/{total:<4} {caught / total:6.1%}  {dict(counts)}")
    (ROOT / "bench" / "mutation.json").write_text(json.dumps(scores, indent=2) + "\n")
    if "--survivors" in sys.argv:
        for module, names in survivors.items():
            print(f"\n{module}:")
            print("\n".join(f"  {n}" for n in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
