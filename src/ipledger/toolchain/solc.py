"""Finding a solc of the pinned version: native when there is one, else solc-js.

Order: `SOLC_BINARY` if set (it must be the pinned version); else a solc that
py-solc-x installed, or one on PATH, of the pinned version; else the official solc-js
from `node_modules` through the adapter shipped beside this module. All four give the
same compiler output; native is only faster.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from solcx.exceptions import SolcNotInstalled
from solcx.install import get_executable

from ipledger.errors import CompilerNotFoundError, CompilerVersionError

SOLC_VERSION = "0.8.30"
ADAPTER = Path(__file__).with_name("solc_adapter.cjs")
_VERSION_RE = re.compile(r"Version: (\d+\.\d+\.\d+)(\+commit\.[0-9a-f]+)?")


@dataclass(frozen=True)
class Solc:
    """A runnable solc: its path, its full version and whether it is native or solc-js."""

    binary: Path
    version: str  # with commit, e.g. 0.8.30+commit.73712a01
    kind: str  # "native" or "solc-js"

    @property
    def base_version(self) -> str:
        return self.version.split("+", 1)[0]


def _probe(binary: Path, env: Mapping[str, str] | None = None) -> str | None:
    """The full version a solc-like binary reports, or None when it will not answer."""
    try:
        out = subprocess.run(
            [str(binary), "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=dict(env) if env is not None else None,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION_RE.search(out.stdout)
    return "".join(g for g in match.groups() if g) if match else None


def _native_candidates() -> list[Path]:
    found: list[Path] = []
    # py-solc-x may have none of the pinned version; PATH or solc-js may.
    with contextlib.suppress(SolcNotInstalled):
        found.append(Path(get_executable(SOLC_VERSION)))
    on_path = shutil.which("solc")
    if on_path:
        found.append(Path(on_path))
    return found


def resolve_solc(*, node_modules: Path, env: Mapping[str, str] | None = None) -> Solc:
    """The solc to compile with, by the order in the module docstring."""
    environ = os.environ if env is None else env
    configured = environ.get("SOLC_BINARY")
    if configured:
        binary = Path(configured)
        version = _probe(binary)
        if version is None:
            raise CompilerNotFoundError(f"SOLC_BINARY={configured} does not run as solc")
        if version.split("+")[0] != SOLC_VERSION:
            raise CompilerVersionError(binary, version, SOLC_VERSION)
        return Solc(binary=binary, version=version, kind="native")

    for binary in _native_candidates():
        version = _probe(binary)
        if version and version.split("+")[0] == SOLC_VERSION:
            return Solc(binary=binary, version=version, kind="native")

    return solcjs(node_modules=node_modules)


def solcjs(*, node_modules: Path, version: str = SOLC_VERSION) -> Solc:
    """The official solc-js from `node_modules`, through the adapter; it must be
    `version` (peers compiled for benchmarks pin their own)."""
    if shutil.which("node") is None:
        raise CompilerNotFoundError(
            f"no native solc {version} and no `node` on PATH to run solc-js; "
            "install Node.js, or set SOLC_BINARY to a solc binary"
        )
    package = node_modules / "solc" / "package.json"
    if not package.is_file():
        raise CompilerNotFoundError(
            f"no native solc {version}, and solc-js is not installed at "
            f"{package.parent}: run `npm ci` (or `make install`)"
        )
    env = {**os.environ, "IPLEDGER_NODE_MODULES": str(node_modules)}
    found = _probe(ADAPTER, env)
    if found is None or found.split("+")[0] != version:
        raise CompilerVersionError(ADAPTER, found or "unknown", version)
    return Solc(binary=ADAPTER, version=found, kind="solc-js")
