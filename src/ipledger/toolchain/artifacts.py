"""Build artifacts: `build/contracts/<Name>.json`, written only by the compiler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ipledger.errors import ArtifactNotFoundError


class CompilerInfo(BaseModel):
    """Which solc produced an artifact, and through what."""

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    version: str  # full version with commit, e.g. 0.8.30+commit.73712a01
    kind: str  # "native" or "solc-js"


class Artifact(BaseModel):
    """One compiled contract: what deployment and clients need, and how it was made."""

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    contract_name: str
    source_path: str  # source unit name, relative to the project root
    abi: list[dict[str, Any]]
    bytecode: str = Field(pattern=r"^0x([0-9a-f]{2})*$")
    deployed_bytecode: str = Field(pattern=r"^0x([0-9a-f]{2})*$")
    compiler: CompilerInfo
    settings: dict[str, Any]
    source_hash: str  # sha256 of the contract's own source file
    build_hash: str  # sha256 of the whole compiler input (sources, settings, version)

    @property
    def deployable(self) -> bool:
        """False for interfaces and abstract contracts (no creation code)."""
        return self.bytecode != "0x"

    def dump(self) -> str:
        return json.dumps(self.model_dump(by_alias=True), indent=2, sort_keys=True) + "\n"


def artifact_path(build_dir: Path, name: str) -> Path:
    return build_dir / f"{name}.json"


def load_artifact(build_dir: Path, name: str) -> Artifact:
    """Read `build/contracts/<name>.json`; a missing one names the file and the fix."""
    path = artifact_path(build_dir, name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArtifactNotFoundError(
            f"no artifact for contract {name!r} at {path}: run `ipledger compile`"
        ) from None
    return Artifact.model_validate_json(text)
