"""CLI verbs of the loan book: a bank offers, the borrower accepts (pledge and principal
in one transaction), anyone repays, the bank calls, the borrower cures, the bank
enforces; `loans` and `loan show` read. Amounts are typed in the payment token's whole
units ("300000" = HKD 300,000) and tokens in whole tokens; JSON gives base units."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ipledger.cli.common import (
    Target,
    one_line_errors,
    registered_patent,
    sha256_file,
    token_units,
    verb,
)
from ipledger.cli.render import fit, loans_table
from ipledger.clients.ledger import Ledger
from ipledger.errors import IpledgerError
from ipledger.models import LoanTerms, parse_address
from ipledger.models.units import timestamp
from ipledger.read import loans as read

DAY = 86400
LoanArg = Annotated[int, typer.Argument(help="The loan's id (from `loan offer` or `loans`).")]
MoneyOpt = Annotated[str, typer.Option(help='Whole units of the payment token, e.g. "300000".')]
NoticeOpt = Annotated[Path, typer.Option(help="The notice document (its sha256 is recorded).")]
PledgeOpt = Annotated[
    list[str], typer.Option("--pledge", help='PATENT=TOKENS, e.g. "HK 30012345=100000"; repeat.')
]


def _money(ledger: Ledger, text: str) -> int:
    return token_units(text, ledger.erc20(ledger.addresses.payment_token).decimals())


def _pledge(ledger: Ledger, text: str) -> tuple[bytes, int]:
    patent, sep, tokens = text.rpartition("=")
    if not sep:
        raise ValueError(f"--pledge {text!r} must be PATENT=TOKENS, e.g. 'HK 30012345=100000'")
    return bytes(registered_patent(ledger, patent.strip())), token_units(tokens.strip())


def _tx(receipt: Any) -> str:
    return str(receipt["transactionHash"].to_0x_hex())


def _ensure_allowance(ledger: Ledger, token_address: str, owner: Any, amount: int) -> None:
    """Approve the loan book for `amount` of a token the signer is about to hand it."""
    token = ledger.erc20(token_address)
    if token.allowance(owner.address, ledger.addresses.loan_book) < amount:
        token.approve(ledger.addresses.loan_book, amount, sender=owner)


@verb(signs=True)
def offer_cmd(
    borrower: Annotated[str, typer.Option(help="The borrower (an eligible holder).")],
    pledge: PledgeOpt,
    principal: MoneyOpt,
    maturity: Annotated[str, typer.Option(help="ISO date the loan falls due, e.g. 2027-06-30.")],
    agreement: Annotated[Path, typer.Option(help="The signed loan agreement (sha256 recorded).")],
    rate_bps: Annotated[int, typer.Option(help="Annual interest, basis points.")] = 500,
    max_ltv_bps: Annotated[int, typer.Option(help="Loan-to-value allowed at opening.")] = 6000,
    liquidation_ltv_bps: Annotated[int, typer.Option(help="Callable above this.")] = 7500,
    sweep_bps: Annotated[int, typer.Option(help="Revenue share swept to the lender.")] = 5000,
    remediation_days: Annotated[int, typer.Option(help="Days to cure after a call.")] = 30,
    offer_days: Annotated[int, typer.Option(help="Days the borrower has to accept.")] = 7,
    *,
    target: Target,
) -> None:
    """Offer a loan against pledged revenue rights (lender: a listed bank)."""
    with one_line_errors():
        ledger, sender = target.signer()
        now = int(ledger.w3.eth.get_block("latest")["timestamp"])
        terms = LoanTerms(
            borrower=parse_address(borrower),
            asset=ledger.addresses.payment_token,
            principal=_money(ledger, principal),
            rate_bps=rate_bps,
            max_ltv_bps=max_ltv_bps,
            liquidation_ltv_bps=liquidation_ltv_bps,
            sweep_bps=sweep_bps,
            maturity=timestamp(maturity, "--maturity"),
            remediation_period=remediation_days * DAY,
            offer_expiry=now + offer_days * DAY,
            agreement_hash=sha256_file(agreement),
        )
        pledges = [_pledge(ledger, p) for p in pledge]
        loan_id, receipt = ledger.loans.offer(terms, pledges, sender=sender)
        _ensure_allowance(ledger, terms.asset, sender, terms.principal)
    data = {"loanId": loan_id, "tx": _tx(receipt), **terms.as_json()}
    target.done(data, f"offered loan {loan_id} to {terms.borrower}")


@verb(signs=True)
def accept_cmd(loan_id: LoanArg, *, target: Target) -> None:
    """Accept an offer: pledge the tokens and receive the principal (borrower)."""
    with one_line_errors():
        ledger, sender = target.signer()
        offered = read.loan(ledger, loan_id)
        for p in offered.pledges:
            token = ledger.patents.token_of(p.patent_id)
            if token is not None:
                _ensure_allowance(ledger, token, sender, p.tokens)
        receipt = ledger.loans.accept(loan_id, sender=sender)
        shown = read.loan(ledger, loan_id)
    target.done({**shown.as_json(), "tx": _tx(receipt)}, f"loan {loan_id} opened")


@verb(signs=True)
def repay_cmd(loan_id: LoanArg, amount: MoneyOpt, *, target: Target) -> None:
    """Repay part or all of a loan (anyone); paid in full releases the pledge."""
    with one_line_errors():
        ledger, sender = target.signer()
        units_ = _money(ledger, amount)
        _ensure_allowance(ledger, ledger.loans.loan(loan_id)["asset"], sender, units_)
        paid, receipt = ledger.loans.repay(loan_id, units_, sender=sender)
        shown = read.loan(ledger, loan_id)
    data = {**shown.as_json(), "paid": str(paid), "tx": _tx(receipt)}
    target.done(data, f"paid {paid} base units; loan {loan_id} is {shown.state.name.lower()}")


@verb(signs=True)
def call_cmd(loan_id: LoanArg, notice: NoticeOpt, *, target: Target) -> None:
    """Call an unhealthy or matured loan: the remediation clock starts (lender)."""
    with one_line_errors():
        ledger, sender = target.signer()
        receipt = ledger.loans.call_loan(loan_id, sha256_file(notice), sender=sender)
        shown = read.loan(ledger, loan_id)
    deadline = dt.datetime.fromtimestamp(shown.call_deadline or 0, dt.UTC).isoformat()
    target.done(
        {**shown.as_json(), "tx": _tx(receipt)}, f"loan {loan_id} called; cure by {deadline}"
    )


@verb(signs=True)
def cure_cmd(
    loan_id: LoanArg,
    repay: Annotated[str | None, typer.Option(help="Repay this much first (whole units).")] = None,
    pledge: Annotated[list[str] | None, typer.Option(help="PATENT=TOKENS to pledge first.")] = None,
    *,
    target: Target,
) -> None:
    """Cure a called loan before its deadline: repay and/or pledge more (borrower)."""
    with one_line_errors():
        ledger, sender = target.signer()
        book = ledger.loans
        if repay is not None:
            amount = _money(ledger, repay)
            _ensure_allowance(ledger, book.loan(loan_id)["asset"], sender, amount)
            book.repay(loan_id, amount, sender=sender)
        for text in pledge or []:
            pid, tokens = _pledge(ledger, text)
            token = ledger.patents.token_of(pid)
            if token is not None:
                _ensure_allowance(ledger, token, sender, tokens)
            book.pledge_more(loan_id, pid, tokens, sender=sender)
        if read.loan(ledger, loan_id).state.name == "CALLED":
            book.cure(loan_id, sender=sender)
        shown = read.loan(ledger, loan_id)
    target.done(shown.as_json(), f"loan {loan_id} is {shown.state.name.lower()}")


@verb(signs=True)
def bid_cmd(loan_id: LoanArg, price: MoneyOpt, *, target: Target) -> None:
    """Bid for a called loan's pledged tokens (an eligible buyer; approves the price)."""
    with one_line_errors():
        ledger, sender = target.signer()
        units_ = _money(ledger, price)
        _ensure_allowance(ledger, ledger.loans.loan(loan_id)["asset"], sender, units_)
        receipt = ledger.loans.bid(loan_id, units_, sender=sender)
    data = {"loanId": loan_id, "buyer": sender.address, "price": str(units_), "tx": _tx(receipt)}
    target.done(data, f"bid {price} for loan {loan_id}")


@verb(signs=True)
def enforce_cmd(
    loan_id: LoanArg,
    notice: NoticeOpt,
    buyer: Annotated[str | None, typer.Option(help="Sell to this bidder instead.")] = None,
    price: Annotated[str | None, typer.Option(help="The buyer's bid (whole units).")] = None,
    *,
    target: Target,
) -> None:
    """Enforce a called loan after its remediation period (lender)."""
    with one_line_errors():
        ledger, sender = target.signer()
        if (buyer is None) != (price is None):
            raise ValueError("--buyer and --price go together")
        to = sender.address if buyer is None else parse_address(buyer)
        units_ = 0 if price is None else _money(ledger, price)
        receipt = ledger.loans.enforce(loan_id, to, units_, sha256_file(notice), sender=sender)
        [event] = ledger.loans.events(receipt, "LoanEnforced")
    args = event["args"]
    data = {
        "loanId": loan_id,
        "to": to,
        "price": str(args["price"]),
        "recovered": str(args["recovered"]),
        "shortfall": str(args["shortfall"]),
        "guaranteePaid": str(args["guaranteePaid"]),
        "tx": _tx(receipt),
    }
    target.done(data, f"loan {loan_id} enforced: shortfall {args['shortfall']} base units")


@verb(signs=True)
def cancel_cmd(loan_id: LoanArg, *, target: Target) -> None:
    """Withdraw (lender) or decline (borrower) an offer not yet accepted."""
    with one_line_errors():
        ledger, sender = target.signer()
        receipt = ledger.loans.cancel(loan_id, sender=sender)
    target.done({"loanId": loan_id, "tx": _tx(receipt)}, f"offer {loan_id} cancelled")


@verb(signs=True)
def withdraw_cmd(*, target: Target) -> None:
    """Withdraw what the loan book owes the signer (repayments, swept revenue)."""
    with one_line_errors():
        ledger, sender = target.signer()
        asset = ledger.addresses.payment_token
        if ledger.loans.owed(sender.address, asset) == 0:
            raise IpledgerError(f"the loan book owes {sender.address} nothing in {asset}")
        amount, receipt = ledger.loans.withdraw(asset, sender=sender)
    data = {"account": sender.address, "asset": asset, "amount": str(amount), "tx": _tx(receipt)}
    target.done(data, f"withdrew {amount} base units")


@verb(signs=False)
def show_cmd(loan_id: LoanArg, *, target: Target) -> None:
    """One loan: terms, pledges, debt, collateral value, LTV and health."""
    with one_line_errors():
        shown = read.loan(target.ledger(), loan_id)
    if target.as_json:
        target.done(shown.as_json(), "")
        return
    out = Console()
    out.print(fit(out, loans_table([shown], title=f"Loan {loan_id}")))


@verb(signs=False)
def loans_cmd(
    borrower: Annotated[str | None, typer.Option(help="Only this borrower's loans.")] = None,
    lender: Annotated[str | None, typer.Option(help="Only this lender's loans.")] = None,
    *,
    target: Target,
) -> None:
    """Every loan (or a borrower's, or a lender's) with its health."""
    with one_line_errors():
        found = read.loans(target.ledger(), borrower=borrower, lender=lender)
    if target.as_json:
        target.done({"loans": [loan.as_json() for loan in found]}, "")
        return
    out = Console()
    out.print(fit(out, loans_table(found, title="Loans")))
