"""`account new` makes a signing key in an encrypted keystore (the only way ipledger takes
a key); `account list` shows a dev chain's funded accounts, as `--account N` numbers them."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from eth_account import Account
from rich.text import Text

from ipledger.chain.connect import connect
from ipledger.chain.keys import DEV_CHAIN_IDS, PASSWORD_ENV
from ipledger.chain.tx import send_value
from ipledger.cli.common import (
    JsonOpt,
    RpcOpt,
    Target,
    console,
    emit_json,
    fail,
    one_line_errors,
    token_units,
    verb,
)
from ipledger.cli.render import dev_accounts_table
from ipledger.errors import IpledgerError
from ipledger.models import parse_address


def account_new_cmd(
    keystore: Annotated[
        Path, typer.Option("--keystore", help="Where to write the new encrypted keystore.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Make a new signing key in an encrypted keystore (password from
    $IPLEDGER_KEYSTORE_PASSWORD, or asked twice); prints its address."""
    try:
        if keystore.exists():
            raise IpledgerError(f"{keystore} exists: a keystore is never overwritten")
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            password = typer.prompt(
                f"Password for {keystore}", hide_input=True, confirmation_prompt=True
            )
        if not password:
            raise IpledgerError("the keystore needs a password that is not empty")
        account = Account.create()
        keystore.parent.mkdir(parents=True, exist_ok=True)
        # Written whole to a file readable by its owner only, then linked into place: an
        # interrupted write leaves no empty keystore, and an existing one is never replaced.
        fd, scratch = tempfile.mkstemp(prefix=".keystore-", dir=keystore.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(Account.encrypt(account.key, password), out)
            os.link(scratch, keystore)
        except FileExistsError:
            raise IpledgerError(f"{keystore} exists: a keystore is never overwritten") from None
        finally:
            os.unlink(scratch)
    except (IpledgerError, OSError) as exc:
        raise fail(exc) from None
    if as_json:
        emit_json({"address": account.address, "keystore": str(keystore)})
        return
    console.print(
        Text(
            f"new account {account.address} in {keystore}; sign with --keystore {keystore}. "
            "Give it gas money (the chain's coin) before it sends anything; back up the "
            "file and its password: neither can be recovered."
        )
    )


def account_list_cmd(rpc: RpcOpt = None, as_json: JsonOpt = False) -> None:
    """A dev chain's funded accounts (anvil, the embedded chain), by `--account N`."""
    try:
        w3 = connect(rpc)
        if w3.eth.chain_id not in DEV_CHAIN_IDS:
            raise IpledgerError(
                f"chain {w3.eth.chain_id} is not a dev chain: its node holds no keys for "
                "ipledger; sign with --keystore (make one with `ipledger account new`)"
            )
        accounts = [(a, w3.eth.get_balance(a)) for a in w3.eth.accounts]
    except IpledgerError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json(
            {
                "chainId": w3.eth.chain_id,
                "accounts": [
                    {"index": i, "address": a, "balance": str(b)}
                    for i, (a, b) in enumerate(accounts)
                ],
            }
        )
        return
    console.print(dev_accounts_table(w3))


@verb(signs=True)
def account_fund_cmd(
    address: Annotated[str, typer.Argument(help="The account to fund.")],
    eth: Annotated[
        str | None, typer.Option("--eth", help='Gas money in the chain\'s coin, e.g. "1".')
    ] = None,
    test_hkd: Annotated[
        str | None,
        typer.Option("--test-hkd", help='Test HKD to mint (dev chains only), e.g. "500000".'),
    ] = None,
    *,
    target: Target,
) -> None:
    """Send an account gas money, and on a dev chain test HKD (the signer pays; the test
    HKD's owner, the deployer, mints)."""
    if eth is None and test_hkd is None:
        raise fail(IpledgerError("say what to send: --eth and/or --test-hkd"))
    data: dict[str, str] = {"address": ""}
    with one_line_errors():
        who = parse_address(address)
        data["address"] = who
        wei = None if eth is None else token_units(eth, 18)
        ledger, sender = target.signer()
        if test_hkd is not None:  # first: the one that can be refused (not the HKD's owner)
            hkd = ledger.test_hkd()
            hkd_units = token_units(test_hkd, hkd.decimals())
            receipt = hkd.mint(who, hkd_units, sender=sender)
            data["testHkdTx"] = receipt["transactionHash"].to_0x_hex()
            data["testHkd"] = str(hkd_units)
        if wei is not None:
            data["ethTx"] = send_value(ledger.w3, sender, who, wei)["transactionHash"].to_0x_hex()
            data["eth"] = str(wei)
    sent = [f"{eth} ETH" if eth else "", f"tHKD {test_hkd}" if test_hkd else ""]
    target.done(data, f"sent {' and '.join(s for s in sent if s)} to {who}")
