"""Compile `contracts/**/*.sol` into `build/contracts/<Name>.json`.

py-solc-x's standard-JSON interface drives the pinned solc (see :mod:`ipledger.toolchain.solc`).
OpenZeppelin is imported as `@openzeppelin/...` and resolved from `node_modules`.
A content-hash cache skips the compiler when neither the sources (the project's and
every imported file) nor the compiler and settings changed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from solcx import compile_standard
from solcx.exceptions import SolcError

from ipledger.errors import CompilationError, CompileDiagnostic, CompilerNotFoundError
from ipledger.project import Project
from ipledger.toolchain.artifacts import Artifact, CompilerInfo, artifact_path, load_artifact
from ipledger.toolchain.solc import Solc, resolve_solc

EVM_VERSION = "prague"  # eth-tester's fork; anvil is started with the same hardfork
OPTIMIZER_RUNS = 20_000
CACHE_FILE = "compile-cache.json"  # in build/, beside (not among) the artifacts

OUTPUT_SELECTION = ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]


def compiler_settings(*, output: list[str] | None = None, ast: bool = False) -> dict[str, Any]:
    """The pinned solc settings; `ast=True` adds what static analysers need."""
    selection: dict[str, Any] = {"*": output or OUTPUT_SELECTION}
    if ast:
        selection[""] = ["ast"]
    return {
        "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
        "evmVersion": EVM_VERSION,
        "remappings": ["@openzeppelin/=node_modules/@openzeppelin/"],
        "outputSelection": {"*": selection},
    }


@dataclass(frozen=True)
class CompileResult:
    artifacts: dict[str, Artifact]
    cached: bool
    solc: Solc
    seconds: float
    warnings: list[str] = field(default_factory=list)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def project_sources(project: Project) -> dict[str, str]:
    """Source unit name (path relative to the root, `/`-separated) -> content."""
    files = sorted(project.contracts_dir.rglob("*.sol"))
    return {f.relative_to(project.root).as_posix(): f.read_text(encoding="utf-8") for f in files}


def standard_json_input(project: Project, *, ast: bool = False) -> dict[str, Any]:
    """The compiler input for the project; imports are left for solc to resolve."""
    sources = project_sources(project)
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": compiler_settings(ast=ast),
    }


def _build_key(solc: Solc, compiler_input: Mapping[str, Any]) -> str:
    blob = json.dumps({"solc": solc.version, "input": compiler_input}, sort_keys=True)
    return _sha256(blob.encode())


def _read_cache(project: Project, key: str) -> dict[str, Any] | None:
    """The cache record when it matches `key` and every imported file is unchanged."""
    try:
        record: dict[str, Any] = json.loads((project.build_dir.parent / CACHE_FILE).read_text())
    except (OSError, ValueError):
        return None
    if record.get("key") != key:
        return None
    for unit, digest in record.get("imports", {}).items():
        path = project.root / unit
        if not path.is_file() or _sha256(path.read_bytes()) != digest:
            return None
    names = record.get("contracts", [])
    if not all(artifact_path(project.build_dir, n).is_file() for n in names):
        return None
    return record


def _line_col(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _diagnostic(project: Project, sources: Mapping[str, str], err: Mapping[str, Any]) -> str:
    return str(_to_diagnostic(project, sources, err))


def _to_diagnostic(
    project: Project, sources: Mapping[str, str], err: Mapping[str, Any]
) -> CompileDiagnostic:
    loc = err.get("sourceLocation") or {}
    file = loc.get("file", "")
    line = col = 0
    text: str | None = None
    if file and loc.get("start", -1) >= 0:
        text = sources.get(file)
        if text is None and (project.root / file).is_file():
            text = (project.root / file).read_text(encoding="utf-8")
        if text is not None:
            # solc reports byte offsets; count them in bytes, then back to text.
            prefix = text.encode()[: loc["start"]].decode(errors="ignore")
            line, col = _line_col(prefix, len(prefix))
    snippet = text.splitlines()[line - 1].strip() if text is not None and line else ""
    return CompileDiagnostic(
        file=file or "<input>",
        line=line,
        column=col,
        kind=err.get("type", "Error"),
        message=err.get("message", "").strip(),
        snippet=snippet,
    )


def run_solc(project: Project, solc: Solc, compiler_input: dict[str, Any]) -> dict[str, Any]:
    sources = {k: v["content"] for k, v in compiler_input["sources"].items()}
    try:
        output: dict[str, Any] = compile_standard(
            compiler_input,
            solc_binary=solc.binary,
            base_path=project.root,
            allow_paths=[project.root],
        )
    except SolcError as exc:
        errors = [e for e in (exc.error_dict or []) if e.get("severity") == "error"]
        if not errors:
            raise CompilerNotFoundError(f"solc at {solc.binary} failed to run: {exc}") from exc
        raise CompilationError([_to_diagnostic(project, sources, e) for e in errors]) from None
    return output


def _artifacts_from(
    project: Project, solc: Solc, compiler_input: dict[str, Any], output: dict[str, Any], key: str
) -> dict[str, Artifact]:
    own = compiler_input["sources"]
    artifacts: dict[str, Artifact] = {}
    info = CompilerInfo(version=solc.version, kind=solc.kind)
    for unit, contracts in output.get("contracts", {}).items():
        if unit not in own:
            continue  # imported library code: not ours to publish
        source_hash = _sha256(own[unit]["content"].encode())
        for name, data in contracts.items():
            if name in artifacts:
                raise CompilationError(
                    [
                        CompileDiagnostic(
                            file=unit,
                            line=0,
                            column=0,
                            kind="DuplicateContractName",
                            message=f"contract {name} is also defined in "
                            f"{artifacts[name].source_path}; artifact names must be unique",
                        )
                    ]
                )
            bytecode = "0x" + data["evm"]["bytecode"]["object"]
            if "__$" in bytecode:
                raise CompilationError(
                    [
                        CompileDiagnostic(
                            file=unit,
                            line=0,
                            column=0,
                            kind="UnlinkedLibrary",
                            message=f"{name} needs library linking, which ipledger avoids",
                        )
                    ]
                )
            artifacts[name] = Artifact(
                contract_name=name,
                source_path=unit,
                abi=data["abi"],
                bytecode=bytecode,
                deployed_bytecode="0x" + data["evm"]["deployedBytecode"]["object"],
                compiler=info,
                settings=compiler_input["settings"],
                source_hash=source_hash,
                build_hash=key,
            )
    return artifacts


def _write(project: Project, artifacts: dict[str, Artifact], record: dict[str, Any]) -> None:
    build = project.build_dir
    build.mkdir(parents=True, exist_ok=True)
    for stale in build.glob("*.json"):
        if stale.stem not in artifacts:
            stale.unlink()  # a contract removed from the sources leaves no artifact behind
    for name, artifact in artifacts.items():
        artifact_path(build, name).write_text(artifact.dump(), encoding="utf-8")
    # The cache record goes last: a crash before it means a full recompile, never a
    # stale hit.
    (build.parent / CACHE_FILE).write_text(json.dumps(record, indent=2, sort_keys=True))


def compile_project(
    *, project: Project, solc: Solc | None = None, force: bool = False
) -> CompileResult:
    """Compile the project, or return the cached artifacts when nothing changed."""
    started = time.perf_counter()
    solc = solc or resolve_solc(node_modules=project.node_modules)
    compiler_input = standard_json_input(project)
    if not compiler_input["sources"]:
        raise CompilationError(
            [
                CompileDiagnostic(
                    file=str(project.contracts_dir),
                    line=0,
                    column=0,
                    kind="NoSources",
                    message="no .sol files to compile",
                )
            ]
        )
    key = _build_key(solc, compiler_input)
    record = None if force else _read_cache(project, key)
    if record is not None:
        artifacts = {n: load_artifact(project.build_dir, n) for n in record["contracts"]}
        return CompileResult(artifacts, True, solc, time.perf_counter() - started)

    output = run_solc(project, solc, compiler_input)
    artifacts = _artifacts_from(project, solc, compiler_input, output, key)
    own = compiler_input["sources"]
    imports = {
        unit: _sha256((project.root / unit).read_bytes())
        for unit in output.get("sources", {})
        if unit not in own
    }
    _write(project, artifacts, {"key": key, "imports": imports, "contracts": sorted(artifacts)})
    sources = {k: v["content"] for k, v in own.items()}
    warnings = [
        _diagnostic(project, sources, e)
        for e in output.get("errors", [])
        if e.get("severity") == "warning"
        and (e.get("sourceLocation") or {}).get("file", "") in own  # ours, not the library's
    ]
    return CompileResult(artifacts, False, solc, time.perf_counter() - started, warnings)
