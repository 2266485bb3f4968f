"""Signing keys: an eth-account encrypted keystore, never a key on the command line."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from ipledger.errors import IpledgerError

PASSWORD_ENV = "IPLEDGER_KEYSTORE_PASSWORD"  # noqa: S105 - the variable name, not a password
# Chains whose node accounts may sign: anvil's default and the embedded eth-tester chain.
# Not 1337: other tools give that id to chains whose node accounts are real.
DEV_CHAIN_IDS = frozenset({31337, 131277322940537})


class KeystoreError(IpledgerError, ValueError):
    """A keystore could not be read or unlocked."""


def load_keystore(
    path: Path,
    *,
    env: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] | None = None,
    password_env: str = PASSWORD_ENV,
) -> LocalAccount:
    """Unlock the keystore at `path` with the password from `$IPLEDGER_KEYSTORE_PASSWORD`,
    else from `prompt` (interactive use); without either, a clear error."""
    environ = os.environ if env is None else env
    create = "create one with `ipledger account new --keystore FILE`"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeystoreError(f"keystore {path} does not exist: {create}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeystoreError(f"keystore {path} cannot be read ({exc})") from None
    if not text.strip():
        raise KeystoreError(f"keystore {path} is empty: {create}")
    try:
        keystore = json.loads(text)
    except ValueError:
        raise KeystoreError(f"keystore {path} is not JSON: {create}") from None
    if not isinstance(keystore, dict) or not ({"crypto", "Crypto"} & keystore.keys()):
        raise KeystoreError(
            f"keystore {path} is JSON but not an eth-account keystore (no 'crypto' "
            f"section): {create}"
        )
    password = environ.get(password_env)
    if password is None:
        if prompt is None:
            raise KeystoreError(
                f"no password for keystore {path}: set {password_env} or run interactively"
            )
        password = prompt(f"Password for {path}")
    try:
        key = Account.decrypt(keystore, password)
    except ValueError as exc:
        if "MAC mismatch" in str(exc):
            raise KeystoreError(f"wrong password for keystore {path}") from None
        raise KeystoreError(f"keystore {path} is damaged: {exc}") from None
    except (KeyError, TypeError) as exc:
        raise KeystoreError(f"keystore {path} is damaged (missing or bad {exc})") from None
    account: LocalAccount = Account.from_key(key)
    return account
