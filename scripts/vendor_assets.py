#!/usr/bin/env python3
"""Copy the front-end assets the API serves from npm's node_modules into the package
(`src/ipledger/api/static/`), so pages and /docs work offline: never a CDN."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "src" / "ipledger" / "api" / "static"
ASSETS = {
    "swagger-ui": (
        "swagger-ui-dist",
        ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE"],
    ),
}


def main() -> int:
    for folder, (package, files) in ASSETS.items():
        source = ROOT / "node_modules" / package
        if not source.is_dir():
            print(f"vendor_assets: {source} is missing: run npm ci first", file=sys.stderr)
            return 1
        target = STATIC / folder
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copyfile(source / name, target / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
