"""`make mutation`'s score: mutmut's verdicts per module, the survivors to read, and the
survivors that are equivalent (no test could tell them from the code), each with why.

Killed, timed out and crashed count as caught; "no tests" (code no selected test
reaches) and survivors count against the score; an equivalent mutant is left out of it
(it is not a fault a test could find) and listed with its reason in `bench/mutation.json`.
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CAUGHT = {"killed", "timeout", "segfault"}
SQL_WORD = re.compile(
    r"\b(select|insert|update|delete|from|where|coalesce|count|values|null|excluded|set)\b", re.I
)
SQL_LITERAL = re.compile(r"'[^']*'")

# Mutants equivalent where they are, by name and the line the mutant writes.
NAMED: list[tuple[str, str, str]] = [
    (
        "ipledger.deploy.records.x_load_deployment__mutmut_*",
        "read_text(encoding=None)",
        "the default encoding is UTF-8 on every locale Python 3.11 runs here (PEP 538/540 "
        "coerce C and POSIX), and a saved record is ASCII (json.dumps escapes the rest)",
    ),
    (
        "ipledger.deploy.records.x_save_deployment__mutmut_*",
        'os.fdopen(fd, "w", ',
        "the record written is ASCII (json.dumps escapes non-ASCII): any encoding writes "
        "the same bytes",
    ),
    (
        "ipledger.mirror.reports.x_json_depth__mutmut_*",
        "= None",
        "the flag is only read for its truth value: None decides as False does",
    ),
    (
        "ipledger.mirror.reports.x_load_report__mutmut_*",
        'or "XXreportXX"',
        "pydantic names a field for every error of a report (it has no model-level "
        "validator, and a non-object is refused before), so the fallback name is never used",
    ),
    (
        "ipledger.mirror.reports.x_load_report__mutmut_*",
        'or "REPORT"',
        "the fallback name is never used (as above)",
    ),
    (
        "ipledger.mirror.reports.x_read_regular_file__mutmut_*",
        "handle.read(",
        "fstat already refused a file over the limit; reading limit+1 bytes only bounds a "
        "file that grows during the read, a race no test can hold open",
    ),
    (
        "ipledger.mirror.reports.x_read_regular_file__mutmut_*",
        "raise UnsafeFileError(None)",
        "reached only by a file that grows between fstat and read (as above)",
    ),
    (
        "ipledger.mirror.reports.x_sha256_of_regular_file__mutmut_*",
        "handle.read(",
        "the chunk size changes how much is held in memory at once, not the digest",
    ),
    (
        "ipledger.mirror.service.xǁMirrorǁrun_until_settled__mutmut_*",
        "while time.monotonic() <= deadline:",
        "`<` or `<=` against a float deadline differ only at one instant no pass lands on",
    ),
    (
        "ipledger.mirror.service.xǁMirrorǁrun_until_settled__mutmut_*",
        "first = None",
        "the flag is only read for its truth value: None decides as False does",
    ),
    (
        "ipledger.mirror.service.xǁMirrorǁrun_until_settled__mutmut_*",
        'rows("XXvalidatedXX", "signed", "sent")',
        "no report is still validated when a pass ends: sign_pending signs or rejects "
        "each one in the same pass, so leaving that state out of the check changes nothing",
    ),
    (
        "ipledger.mirror.service.xǁMirrorǁrun_until_settled__mutmut_*",
        'rows("VALIDATED", "signed", "sent")',
        "no report is still validated when a pass ends (as above)",
    ),
    (
        "ipledger.mirror.service.xǁMirrorǁrun_until_settled__mutmut_*",
        'rows(None, "signed", "sent")',
        "no report is still validated when a pass ends (as above)",
    ),
    (
        "ipledger.mirror.service.xǁMirrorǁrun_until_settled__mutmut_*",
        'rows("signed", "sent")',
        "no report is still validated when a pass ends (as above)",
    ),
    (
        "ipledger.mirror.service.xǁMirrorǁ_batch_tx__mutmut_*",
        "context = None",
        "the context names a revert found while estimating, which _batch_tx catches and "
        "answers by rebuilding the batch: it is never shown",
    ),
    (
        "ipledger.mirror.service.xǁMirrorǁ_batch_tx__mutmut_*",
        "build(call, address, decoder=decoder, context=None, gas=gas, nonce=nonce)",
        "never shown (as above)",
    ),
    (
        "ipledger.mirror.service.xǁMirrorǁ_batch_tx__mutmut_*",
        "decoder=None,",
        "the rebuilt batch has its gas given, so nothing is estimated and no revert can be "
        "decoded while building it",
    ),
    (
        "ipledger.mirror.service.xǁMirrorǁ_batch_tx__mutmut_*",
        "context=None,",
        "nothing is estimated when the gas is given (as above)",
    ),
    (
        "ipledger.mirror.intake.xǁIntakeǁingest__mutmut_*",
        'known.get(row["report_id"], ("XXXX", ""))',
        'only the default\'s state is read (compared with "rejected"); its hash is not',
    ),
    (
        "ipledger.mirror.intake.xǁIntakeǁingest__mutmut_*",
        'known.get(row["report_id"], ("", "XXXX"))',
        'a missing report\'s default state only has to differ from "rejected"',
    ),
    (
        "ipledger.mirror.intake.xǁIntakeǁ_take_in__mutmut_*",
        'known.get(path.stem, ("XXXX", ""))',
        "a default hash only has to differ from a sha256 hex digest, which XXXX does",
    ),
    (
        "ipledger.mirror.intake.xǁIntakeǁ_take_in__mutmut_*",
        'known.get(path.stem, ("", "XXXX"))',
        "only the default's hash is read here; its state is not",
    ),
    (
        "ipledger.mirror.intake.xǁIntakeǁ_take_in__mutmut_*",
        "load_report(path, ",
        "without the bytes already read, load_report reads the same file again: the same "
        "bytes unless the file changes between two reads, a race no test can hold open",
    ),
    (
        "ipledger.mirror.settle.xǁSettlementǁ_nonce_taken__mutmut_*",
        "get_transaction_count(self.relayer.address, ",
        'web3 reads the count at its default block, "latest", when none is given',
    ),
    (
        "ipledger.mirror.settle.xǁSettlementǁ_revert_reason__mutmut_*",
        "context=None,",
        "a revert's context prefixes its message only when truthy: None and '' read alike",
    ),
    (
        "ipledger.read.evidence.x_entry_hash__mutmut_*",
        "seq.to_bytes(8, )",
        'int.to_bytes is big-endian by default since Python 3.11: the same as "big"',
    ),
    (
        "ipledger.read.evidence.x_verify_entries__mutmut_*",
        'kind = "a gap" if entry.seq >= position else',
        "inside `if entry.seq != position`, `>=` and `>` decide alike",
    ),
]


def changed_lines(diff: str) -> tuple[str, str] | None:
    removed = [line[1:].strip() for line in diff.splitlines() if line.startswith("- ")]
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+ ")]
    if len(removed) == len(added) == 1:
        return removed[0], added[0]
    return None


def equivalence(name: str, diff: str) -> str | None:
    """Why the mutant `name` (its `diff`) cannot be told from the code, or None."""
    lines = changed_lines(diff)
    if lines is None:
        return None
    removed, added = lines
    if removed != added and removed.lower() == added.lower():
        if SQL_WORD.search(removed) and SQL_LITERAL.findall(removed) == SQL_LITERAL.findall(added):
            return "SQL keywords and names are case-insensitive (quoted values unchanged)"
        codec = re.compile(r"\"(utf-8|ascii)\"", re.I)
        if codec.sub("", removed) == codec.sub("", added):
            return "codec names are case-insensitive"
    for pattern, fragment, reason in NAMED:
        if fnmatch.fnmatchcase(name, pattern) and fragment in added:
            return reason
    return None


def diff_of(name: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    return get_diff_for_mutant(name)


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
    equivalents: dict[str, dict[str, str]] = defaultdict(dict)
    for line in out.splitlines():
        match = re.match(r"(ipledger\.[\w.]+?)\.x\S*?__mutmut_\d+$", line.strip().split(":")[0])
        if not match:
            continue
        name, verdict = line.strip().rsplit(": ", 1)
        module = match.group(1)
        if verdict not in CAUGHT and verdict != "not checked":
            reason = equivalence(name, diff_of(name))
            if reason is not None:
                verdict = "equivalent"
                equivalents[module][name] = reason
            else:
                survivors[module].append(f"{name}: {verdict}")
        verdicts[module][verdict] += 1
    scores = {}
    for module, counts in sorted(verdicts.items()):
        judged = sum(n for v, n in counts.items() if v not in {"equivalent", "not checked"})
        caught = sum(n for v, n in counts.items() if v in CAUGHT)
        if not judged:
            print(f"{module:32} not run  {dict(counts)}")
            continue
        score = caught / judged
        scores[module] = {
            "mutants": sum(counts.values()),
            "equivalent": counts["equivalent"],
            "caught": caught,
            "score": round(score, 3),
            "survivors": [s.split(": ")[0] for s in survivors[module]],
            "equivalents": equivalents[module],
        }
        print(f"{module:32} {caught:4}/{judged:<4} {score:6.1%}  {dict(counts)}")
    (ROOT / "bench" / "mutation.json").write_text(json.dumps(scores, indent=2) + "\n")
    if "--survivors" in sys.argv:
        for module, names in survivors.items():
            print(f"\n{module}:")
            print("\n".join(f"  {n}" for n in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
