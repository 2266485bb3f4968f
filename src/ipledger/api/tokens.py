"""Regulator tokens for the API: random, stored only as their sha256 with the scopes
they carry, one JSON object a line (`ipledger api-token new` writes them). Kept apart
from the routes so the CLI can make tokens without loading the web framework."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from ipledger.errors import IpledgerError

SCOPES = ("register", "statements", "flows", "risk", "subsidy")


class TokenFileError(IpledgerError, ValueError):
    """A tokens file that cannot be read."""


@dataclass(frozen=True)
class TokenStore:
    """sha256(token) -> (name, scopes)."""

    entries: dict[str, tuple[str, frozenset[str]]]

    @classmethod
    def load(cls, path: Path) -> TokenStore:
        """One JSON object per line: {"sha256": hex, "name": str, "scopes": [...]}."""
        entries = {}
        try:
            lines = path.read_text().splitlines()
        except OSError as exc:
            raise TokenFileError(f"tokens file {path}: {exc.strerror}") from None
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                digest, name, scopes = entry["sha256"], entry["name"], frozenset(entry["scopes"])
                bytes.fromhex(digest)
            except (ValueError, KeyError, TypeError) as exc:
                raise TokenFileError(f"tokens file {path}, line {number}: {exc}") from None
            if unknown := scopes - set(SCOPES):
                raise TokenFileError(
                    f"tokens file {path}, line {number}: unknown scopes {sorted(unknown)}"
                )
            entries[digest] = (name, scopes)
        return cls(entries)

    def scopes_of(self, token: str) -> frozenset[str] | None:
        digest = _digest(token)
        for stored, (_name, scopes) in self.entries.items():
            if hmac.compare_digest(stored, digest):
                return scopes
        return None


def new_token(path: Path, *, name: str, scopes: list[str]) -> str:
    """A fresh token with `scopes`, appended to the tokens file as its hash; the token."""
    if unknown := set(scopes) - set(SCOPES):
        raise TokenFileError(f"unknown scopes {sorted(unknown)}: choose from {', '.join(SCOPES)}")
    if not scopes:
        raise TokenFileError(f"give at least one scope: {', '.join(SCOPES)}")
    token = secrets.token_urlsafe(32)
    line = json.dumps({"sha256": _digest(token), "name": name, "scopes": sorted(set(scopes))})
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(line + "\n")
    path.chmod(0o600)
    return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
