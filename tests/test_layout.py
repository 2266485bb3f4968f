"""The package's parts import downwards only (docs/ARCHITECTURE.md): front ends ->
pilot -> read, index and mirror -> clients and deploy -> chain and toolchain -> models, and
no two parts import each other."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "ipledger"
LAYERS = {
    "errors": 0,
    "project": 0,
    "models": 0,
    "toolchain": 1,
    "chain": 1,
    "clients": 2,
    "deploy": 2,
    "index": 3,
    "read": 3,
    "mirror": 3,
    "pilot": 4,
    "cli": 5,
    "api": 5,
    "__main__": 6,
}


def _part(module: str) -> str:
    return module.removeprefix("ipledger.").split(".")[0]


def _imports() -> dict[str, set[str]]:
    """Each part's imports of other parts (module level and inside functions)."""
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        part = path.relative_to(SRC).parts[0].removesuffix(".py")
        if part == "__init__":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("ipledger.") and _part(name) != part:
                    found.setdefault(part, set()).add(_part(name))
    return found


def test_every_part_has_a_layer() -> None:
    parts = {p.name.removesuffix(".py") for p in SRC.iterdir() if p.name != "__init__.py"}
    parts -= {"__pycache__", "py.typed"}
    assert parts == set(LAYERS)


def test_parts_import_only_downwards_and_never_each_other() -> None:
    imports = _imports()
    upward = [
        f"{part} -> {other}"
        for part, others in imports.items()
        for other in others
        if LAYERS[other] > LAYERS[part]
    ]
    assert upward == []
    mutual = [f"{a} <-> {b}" for a, bs in imports.items() for b in bs if a in imports.get(b, ())]
    assert mutual == []
