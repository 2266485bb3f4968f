"""CLI verbs on a patent's revenue-rights token: holders move and approve tokens, the
revenue depositor pays in, holders claim, the token agent pauses, freezes and forces a
transfer (citing evidence). Amounts are typed in the token's own units ("1.5" tokens;
"500000" HKD of revenue) and given back in JSON in base units, as decimal strings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ipledger.cli.common import (
    PatentArg,
    Target,
    one_line_errors,
    patent_token,
    sha256_file,
    token_units,
    verb,
)
from ipledger.models import parse_address
from ipledger.models.units import money

AmountOpt = Annotated[str, typer.Option("--amount", help='Whole tokens, e.g. "250" or "0.5".')]
AccountArg = Annotated[str, typer.Argument(help="The holder's address.")]


@verb(signs=True)
def transfer_cmd(
    patent: PatentArg,
    to: Annotated[str, typer.Option("--to", help="The receiver (an eligible investor).")],
    amount: AmountOpt,
    *,
    target: Target,
) -> None:
    """Transfer revenue-rights tokens from the signer (holder)."""
    with one_line_errors():
        receiver, units = parse_address(to), token_units(amount)
        ledger, sender = target.signer()
        token = patent_token(ledger, patent)
        receipt = token.transfer(receiver, units, sender=sender)
    tx = receipt["transactionHash"].to_0x_hex()
    data = {"token": token.address, "from": sender.address, "to": receiver, "amount": str(units)}
    target.done({**data, "tx": tx}, f"transferred {amount} tokens of {patent} to {receiver}")


@verb(signs=True)
def approve_cmd(
    patent: PatentArg,
    spender: Annotated[str, typer.Option("--spender", help="Who may transfer them.")],
    amount: AmountOpt,
    *,
    target: Target,
) -> None:
    """Let `--spender` transfer up to `--amount` of the signer's tokens (holder)."""
    with one_line_errors():
        who, units = parse_address(spender), token_units(amount)
        ledger, sender = target.signer()
        token = patent_token(ledger, patent)
        token.approve(who, units, sender=sender)
    data = {"token": token.address, "owner": sender.address, "spender": who}
    target.done({**data, "allowance": str(units)}, f"{who} may transfer {amount} tokens")


@verb(signs=True)
def deposit_cmd(
    patent: PatentArg,
    amount: Annotated[
        str,
        typer.Option(
            help='In the payment token\'s own units: "500000" is HKD 500,000 of an HKD token '
            "(its decimals are read from it)."
        ),
    ],
    report: Annotated[Path, typer.Option(help="Licence revenue report (its sha256 is recorded).")],
    base_units: Annotated[
        bool, typer.Option("--base-units", help="--amount is in base units (no decimals).")
    ] = False,
    *,
    target: Target,
) -> None:
    """Pay licence revenue into a patent's token (revenue depositor; approves it first)."""
    with one_line_errors():
        ledger, sender = target.signer()
        token = patent_token(ledger, patent)
        payment = ledger.erc20(token.payment_token())
        symbol, decimals = payment.symbol(), payment.decimals()
        units = token_units(amount, 0 if base_units else decimals)
        digest = sha256_file(report)  # before any transaction: a mistyped path costs nothing
        if payment.allowance(sender.address, token.address) < units:
            payment.approve(token.address, units, sender=sender)
        receipt = token.deposit_revenue(units, digest, sender=sender)
    tx = receipt["transactionHash"].to_0x_hex()
    data = {"token": token.address, "amount": str(units), "tx": tx}
    target.done(data, f"deposited {money(units, decimals, symbol)} into {patent} ({tx})")


@verb(signs=True)
def claim_cmd(
    patent: PatentArg,
    *,
    target: Target,
) -> None:
    """Claim the revenue the signer has earned on a patent's token."""
    with one_line_errors():
        ledger, sender = target.signer()
        token = patent_token(ledger, patent)
        amount, _ = token.claim(sender=sender)
        payment = ledger.erc20(token.payment_token())
        shown = money(amount, payment.decimals(), payment.symbol())
    target.done({"claimed": str(amount)}, f"claimed {shown} from {patent}")


def _set_paused(patent: str, paused: bool, target: Target) -> None:
    with one_line_errors():
        ledger, sender = target.signer()
        token = patent_token(ledger, patent)
        (token.pause if paused else token.unpause)(sender=sender)
    state = "paused" if paused else "unpaused"
    target.done({"token": token.address, "paused": paused}, f"{patent}: {state}")


@verb(signs=True)
def pause_cmd(
    patent: PatentArg,
    *,
    target: Target,
) -> None:
    """Stop every transfer and claim of a patent's token (token agent)."""
    _set_paused(patent, True, target)


@verb(signs=True)
def unpause_cmd(
    patent: PatentArg,
    *,
    target: Target,
) -> None:
    """Let a paused token move again (token agent)."""
    _set_paused(patent, False, target)


def _set_frozen(patent: str, holder: str, frozen: bool, target: Target) -> None:
    with one_line_errors():
        who = parse_address(holder)
        ledger, sender = target.signer()
        token = patent_token(ledger, patent)
        token.set_frozen(who, frozen, sender=sender)
    state = "frozen" if frozen else "unfrozen"
    target.done({"token": token.address, "account": who, "frozen": frozen}, f"{who}: {state}")


@verb(signs=True)
def freeze_cmd(
    patent: PatentArg,
    holder: AccountArg,
    *,
    target: Target,
) -> None:
    """Stop one holder's transfers and claims on a patent's token (token agent)."""
    _set_frozen(patent, holder, True, target)


@verb(signs=True)
def unfreeze_cmd(
    patent: PatentArg,
    holder: AccountArg,
    *,
    target: Target,
) -> None:
    """Let a frozen holder move and claim again (token agent)."""
    _set_frozen(patent, holder, False, target)


@verb(signs=True)
def forced_transfer_cmd(
    patent: PatentArg,
    source: Annotated[str, typer.Option("--from", help="The holder the tokens leave.")],
    to: Annotated[str, typer.Option("--to", help="The receiver (eligible, not frozen).")],
    amount: AmountOpt,
    evidence: Annotated[
        Path, typer.Option(help="The court order or decision (its sha256 goes on the trail).")
    ],
    *,
    target: Target,
) -> None:
    """Move tokens without the holder, citing evidence (token agent; recorded on the
    patent's evidence trail as a court order)."""
    with one_line_errors():
        holder, receiver, units = parse_address(source), parse_address(to), token_units(amount)
        digest = sha256_file(evidence)
        ledger, sender = target.signer()
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
    target.done(data, f"forced transfer of {amount} tokens from {holder} to {receiver}")
