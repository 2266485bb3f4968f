"""The pilot's lending leg: Harbour Bank lends to the SME issuer against part of its
tokens; a quarter's revenue is swept; the valuer revokes its valuation of one pledged
patent; the loan turns unhealthy; the bank calls it; the borrower cures with a partial
repayment."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from eth_account.signers.local import LocalAccount

from ipledger.chain.tx import KeyAccount, NodeAccount, send_value
from ipledger.clients.ledger import Ledger
from ipledger.errors import IpledgerError
from ipledger.models import LoanState, LoanTerms, parse_patent, report_id_of
from ipledger.models.units import timestamp
from ipledger.pilot.data import PilotLoan

TOKEN = 10**18
HKD = 10**6
DAY = 86400


def _digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def open_pilot_loan(
    ledger: Ledger,
    spec: PilotLoan,
    documents: Path,
    parties: dict[str, NodeAccount],
    registrar: NodeAccount,
    step: Callable[[str], None],
) -> tuple[int, bool]:
    """The bank offers, the SME accepts: pledge and principal in one transaction. The
    loan id, and whether anything was done (a loan already opened, or offered and not yet
    accepted, is taken up where it stands)."""
    lender, borrower = parties[spec.lender], parties[spec.borrower]
    book = ledger.loans
    mine = [
        i
        for i in book.loans_of(borrower.address, as_lender=False)
        if book.loan(i)["lender"] == lender.address
    ]
    loan_id = mine[-1] if mine else 0  # the latest: an expired offer may precede it
    if loan_id:
        raw = book.loan(loan_id)
        state = LoanState(raw["state"])
        if state is not LoanState.OFFERED:
            return loan_id, False
        now = int(ledger.w3.eth.get_block("latest")["timestamp"])
        if raw["deadline"] <= now:  # offered by an interrupted run, long ago: offer anew
            book.cancel(loan_id, sender=lender)
            loan_id = 0
    if not loan_id:
        loan_id = _offer(ledger, spec, documents, lender, borrower, step)
    principal = spec.principal * HKD
    test_hkd = ledger.client("TestHKD", ledger.addresses.payment_token)
    hkd = ledger.erc20(ledger.addresses.payment_token)
    if hkd.balance_of(lender.address) < principal:
        test_hkd._send("mint", lender.address, principal, sender=registrar)  # the bank's funds
    hkd.approve(book.address, principal, sender=lender)
    step(f"{spec.borrower} accepts: tokens pledged and principal paid in one transaction")
    book.accept(loan_id, sender=borrower)
    return loan_id, True


def _offer(
    ledger: Ledger,
    spec: PilotLoan,
    documents: Path,
    lender: NodeAccount,
    borrower: NodeAccount,
    step: Callable[[str], None],
) -> int:
    book = ledger.loans
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    terms = LoanTerms(
        borrower=borrower.address,
        asset=ledger.addresses.payment_token,
        principal=spec.principal * HKD,
        rate_bps=spec.rate_bps,
        max_ltv_bps=spec.max_ltv_bps,
        liquidation_ltv_bps=spec.liquidation_ltv_bps,
        sweep_bps=spec.sweep_bps,
        maturity=timestamp(spec.maturity),
        remediation_period=spec.remediation_days * DAY,
        offer_expiry=now + 7 * DAY,
        agreement_hash=_digest(documents / spec.agreement),
    )
    pledges = []
    for label, tokens in spec.pledges.items():
        pid = parse_patent(label)
        token = ledger.patents.token_of(pid)
        if token is None:
            raise IpledgerError(f"the pilot loan pledges {label}, which has no token")
        ledger.token(token).approve(book.address, tokens * TOKEN, sender=borrower)
        pledges.append((bytes(pid), tokens * TOKEN))
    step(f"{spec.lender} offers HKD {spec.principal:,} against {len(pledges)} patents' tokens")
    loan_id, _ = book.offer(terms, pledges, sender=lender)
    return loan_id


def stress_pilot_loan(
    ledger: Ledger,
    spec: PilotLoan,
    loan_id: int,
    documents: Path,
    valuer: LocalAccount,
    parties: dict[str, NodeAccount],
    step: Callable[[str], None],
) -> bool:
    """Revoke one pledged patent's valuation, call the loan, cure it by partial repayment;
    each only if the chain does not show it done. Whether anything was done."""
    lender, borrower = parties[spec.lender], parties[spec.borrower]
    book = ledger.loans
    report_id = report_id_of(valuer.address, spec.revoked_report)
    notice = _digest(documents / spec.call_notice)
    changed = False
    if not ledger.valuations.is_revoked(report_id):
        step(f"the valuer revokes {spec.revoked_report}: one pledged patent counts zero")
        if ledger.w3.eth.get_balance(valuer.address) < 10**16:  # the valuer's gas money
            send_value(ledger.w3, lender, valuer.address, 10**17)
        ledger.valuations.revoke(
            report_id, "comparable licences repriced", sender=KeyAccount(valuer)
        )
        changed = True
    # Revoked and not yet called, the loan is active and unhealthy; once cured, healthy.
    # (Unhealthy again later, after the pilot's call and cure, is the bank's affair.)
    state = LoanState(book.loan(loan_id)["state"])
    unhealthy = not book.health(loan_id).healthy
    if state is LoanState.ACTIVE and (changed or (unhealthy and not book.was_called(loan_id))):
        if book.health(loan_id).healthy:
            raise IpledgerError(f"loan {loan_id} is still healthy after the revocation")
        step(f"{spec.lender} calls loan {loan_id}: {spec.remediation_days} days to cure")
        book.call_loan(loan_id, notice, sender=lender)
        changed = True
    if LoanState(book.loan(loan_id)["state"]) is LoanState.CALLED:
        step(f"{spec.borrower} cures with a repayment of HKD {spec.cure_repayment:,}")
        amount = spec.cure_repayment * HKD
        ledger.erc20(ledger.addresses.payment_token).approve(book.address, amount, sender=borrower)
        book.repay(loan_id, amount, sender=borrower)
        changed = True
    state = LoanState(book.loan(loan_id)["state"])
    if state is not LoanState.ACTIVE:
        raise IpledgerError(f"loan {loan_id} is {state.name.lower()} after the cure, not active")
    return changed
