"""CLI verbs on a patent's revenue-rights token: holders move and approve tokens, the
revenue depositor pays in, holders claim, the token agent pauses, freezes and forces a
transfer (citing evidence). Amounts are typed in whole tokens ("1.5") and given back in
base units, as decimal strings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ipledger.cli.common import (
    AccountOpt,
    JsonOpt,
    KeystoreOpt,
    PatentArg,
    ProjectOpt,
    RpcOpt,
    done,
    one_line_errors,
    open_signer,
    patent_token,
    sha256_file,
    token_units,
)
from ipledger.models import parse_address

AmountOpt = Annotated[str, typer.Option("--amount", help='Whole tokens, e.g. "250" or "0.5".')]
AccountArg = Annotated[str, typer.Argument(help="The holder's address.")]


def transfer_cmd(
    patent: PatentArg,
    to: Annotated[str, typer.Option("--to", help="The receiver (an eligible investor).")],
    amount: AmountOpt,
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Transfer revenue-rights tokens from the signer (holder)."""
    with one_line_errors():
        receiver, units = parse_address(to), token_units(amount)
        ledger, sender = open_signer(project, rpc, keystore, account)
        token = patent_token(ledger, patent)
        receipt = token.transfer(receiver, units, sender=sender)
    tx = receipt["transactionHash"].to_0x_hex()
    data = {"token": token.address, "from": sender.address, "to": receiver, "amount": str(units)}
    done(as_json, {**data, "tx": tx}, f"transferred {amount} tokens of {patent} to {receiver}")


def approve_cmd(
    patent: PatentArg,
    spender: Annotated[str, typer.Option("--spender", help="Who may transfer them.")],
    amount: AmountOpt,
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Let `--spender` transfer up to `--amount` of the signer's tokens (holder)."""
    with one_line_errors():
        who, units = parse_address(spender), token_units(amount)
        ledger, sender = open_signer(project, rpc, keystore, account)
        token = patent_token(ledger, patent)
        token.approve(who, units, sender=sender)
    data = {"token": token.address, "owner": sender.address, "spender": who}
    done(as_json, {**data, "allowance": str(units)}, f"{who} may transfer {amount} tokens")


def deposit_cmd(
    patent: PatentArg,
    amount: Annotated[int, typer.Option(help="Payment-token base units.")],
    report: Annotated[Path, typer.Option(help="Licence revenue report (its sha256 is recorded).")],
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Pay licence revenue into a patent's token (revenue depositor; approves it first)."""
    with one_line_errors():
        ledger, sender = open_signer(project, rpc, keystore, account)
        token = patent_token(ledger, patent)
        payment = ledger.erc20(token.payment_token())
        if payment.allowance(sender.address, token.address) < amount:
            payment.approve(token.address, amount, sender=sender)
        receipt = token.deposit_revenue(amount, sha256_file(report), sender=sender)
    tx = receipt["transactionHash"].to_0x_hex()
    data = {"token": token.address, "amount": str(amount), "tx": tx}
    done(as_json, data, f"deposited {amount} ({tx})")


def claim_cmd(
    patent: PatentArg,
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Claim the revenue the signer has earned on a patent's token."""
    with one_line_errors():
        ledger, sender = open_signer(project, rpc, keystore, account)
        amount, _ = patent_token(ledger, patent).claim(sender=sender)
    done(as_json, {"claimed": str(amount)}, f"claimed {amount}")


def _set_paused(
    patent: str,
    paused: bool,
    project: Path | None,
    rpc: str | None,
    keystore: Path | None,
    account: int,
    as_json: bool,
) -> None:
    with one_line_errors():
        ledger, sender = open_signer(project, rpc, keystore, account)
        token = patent_token(ledger, patent)
        (token.pause if paused else token.unpause)(sender=sender)
    state = "paused" if paused else "unpaused"
    done(as_json, {"token": token.address, "paused": paused}, f"{patent}: {state}")


def pause_cmd(
    patent: PatentArg,
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Stop every transfer and claim of a patent's token (token agent)."""
    _set_paused(patent, True, project, rpc, keystore, account, as_json)


def unpause_cmd(
    patent: PatentArg,
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Let a paused token move again (token agent)."""
    _set_paused(patent, False, project, rpc, keystore, account, as_json)


def _set_frozen(
    patent: str,
    holder: str,
    frozen: bool,
    project: Path | None,
    rpc: str | None,
    keystore: Path | None,
    account: int,
    as_json: bool,
) -> None:
    with one_line_errors():
        who = parse_address(holder)
        ledger, sender = open_signer(project, rpc, keystore, account)
        token = patent_token(ledger, patent)
        token.set_frozen(who, frozen, sender=sender)
    state = "frozen" if frozen else "unfrozen"
    done(as_json, {"token": token.address, "account": who, "frozen": frozen}, f"{who}: {state}")


def freeze_cmd(
    patent: PatentArg,
    holder: AccountArg,
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Stop one holder's transfers and claims on a patent's token (token agent)."""
    _set_frozen(patent, holder, True, project, rpc, keystore, account, as_json)


def unfreeze_cmd(
    patent: PatentArg,
    holder: AccountArg,
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Let a frozen holder move and claim again (token agent)."""
    _set_frozen(patent, holder, False, project, rpc, keystore, account, as_json)


def forced_transfer_cmd(
    patent: PatentArg,
    source: Annotated[str, typer.Option("--from", help="The holder the tokens leave.")],
    to: Annotated[str, typer.Option("--to", help="The receiver (eligible, not frozen).")],
    amount: AmountOpt,
    evidence: Annotated[
        Path, typer.Option(help="The court order or decision (its sha256 goes on the trail).")
    ],
    project: ProjectOpt = None,
    rpc: RpcOpt = None,
    keystore: KeystoreOpt = None,
    account: AccountOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Move tokens without the holder, citing evidence (token agent; recorded on the
    patent's evidence trail as a court order)."""
    with one_line_errors():
        holder, receiver, units = parse_address(source), parse_address(to), token_units(amount)
        digest = sha256_file(evidence)
        ledger, sender = open_signer(project, rpc, keystore, account)
        token = patent_token(ledger, patent)
        receipt = token.forced_transfer(
            holder, receiver, units, evidence_hash=digest, sender=sender
        )
    data = {
        "token": token.address,
        "from": holder,
        "to": receiver,
        "amount": str(units),
        "evidenceHash": "0x" + digest.hex(),
        "tx": receipt["transactionHash"].to_0x_hex(),
    }
    done(as_json, data, f"forced transfer of {amount} tokens from {holder} to {receiver}")
