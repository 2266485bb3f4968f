"""Where a project's files live: one frozen value passed to whatever needs a path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ipledger.errors import ProjectNotFoundError


@dataclass(frozen=True)
class Project:
    """The folders of an ipledger checkout (contracts in, artifacts and deployments out)."""

    root: Path

    @property
    def contracts_dir(self) -> Path:
        return self.root / "contracts"

    @property
    def build_dir(self) -> Path:
        return self.root / "build" / "contracts"

    @property
    def node_modules(self) -> Path:
        return self.root / "node_modules"

    @property
    def deployments_dir(self) -> Path:
        return self.root / "deployments"

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The nearest folder at or above `start` (default: cwd) holding `contracts/`
        and `package.json`."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "contracts").is_dir() and (folder / "package.json").is_file():
                return cls(root=folder)
        raise ProjectNotFoundError(
            f"no ipledger project at or above {here}: expected a folder with contracts/ "
            "and package.json (run from the repository, or pass --project)"
        )
