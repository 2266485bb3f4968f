"""A scratch project: the real contracts, packages and build, with its own deployments."""

from __future__ import annotations

import shutil
from pathlib import Path

from ipledger.project import Project


def scratch_project(project: Project, folder: Path, *, examples: bool = False) -> Project:
    """A project in `folder` sharing `project`'s contracts, node_modules and build (read
    only: the build is current, so nothing compiles into it), with deployments of its own;
    `examples` copies the pilot data too."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "contracts").symlink_to(project.contracts_dir)
    (folder / "node_modules").symlink_to(project.node_modules)
    (folder / "build").symlink_to(project.root / "build")
    (folder / "package.json").write_text("{}")
    if examples:
        shutil.copytree(project.root / "examples", folder / "examples")
    return Project(folder)
