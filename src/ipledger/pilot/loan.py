"""The pilot's lending leg: Harbour Bank lends to the SME issuer against part of its
tokens; a quarter's revenue is swept; the valuer revokes its valuation of one pledged
patent; the loan turns unhealthy; the bank calls it; the borrower cures with a partial
repayment."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

from eth_account.signers.local import LocalAccount

from ipledger.chain.tx import KeyAccount, NodeAccount, send_value
from ipledger.clients.ledger import Ledger
from ipledger.errors import IpledgerError
from ipledger.models import LoanState, LoanTerms, patent_id, report_id_of
from ipledger.pilot.data import PilotLoan

TOKEN = 10**18
HKD = 10**6
DAY = 86400


def _digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def _date(text: str) -> int:
    day = dt.date.fromisoformat(text)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def open_pilot_loan(
    ledger: Ledger,
    spec: PilotLoan,
    documents: Path,
    parties: dict[str, NodeAccount],
    registrar: NodeAccount,
    step: Callable[[str], None],
) -> int:
    """The bank offers, the SME accepts: pledge and principal in one transaction."""
    lender, borrower = parties[spec.lender], parties[spec.borrower]
    test_hkd = ledger.client("TestHKD", ledger.addresses.payment_token)
    test_hkd._send(
        "mint", lender.address, spec.principal * HKD, sender=registrar
    )  # the bank's funds
    book, hkd = ledger.loans, ledger.erc20(ledger.addresses.payment_token)
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    terms = LoanTerms(
        borrower=borrower.address,
        asset=ledger.addresses.payment_token,
        principal=spec.principal * HKD,
        rate_bps=spec.rate_bps,
        max_ltv_bps=spec.max_ltv_bps,
        liquidation_ltv_bps=spec.liquidation_ltv_bps,
        sweep_bps=spec.sweep_bps,
        maturity=_date(spec.maturity),
        remediation_period=spec.remediation_days * DAY,
        offer_expiry=now + 7 * DAY,
        agreement_hash=_digest(documents / spec.agreement),
    )
    pledges = []
    for label, tokens in spec.pledges.items():
        jurisdiction, number = label.split(" ", 1)
        pid = patent_id(jurisdiction, number)
        token = ledger.patents.token_of(pid)
        if token is None:
            raise IpledgerError(f"the pilot loan pledges {label}, which has no token")
        ledger.token(token).approve(book.address, tokens * TOKEN, sender=borrower)
        pledges.append((bytes(pid), tokens * TOKEN))
    step(f"{spec.lender} offers HKD {spec.principal:,} against {len(pledges)} patents' tokens")
    loan_id, _ = book.offer(terms, pledges, sender=lender)
    hkd.approve(book.address, terms.principal, sender=lender)
    step(f"{spec.borrower} accepts: tokens pledged and principal paid in one transaction")
    book.accept(loan_id, sender=borrower)
    return loan_id


def stress_pilot_loan(
    ledger: Ledger,
    spec: PilotLoan,
    loan_id: int,
    documents: Path,
    valuer: LocalAccount,
    parties: dict[str, NodeAccount],
    step: Callable[[str], None],
) -> None:
    """Revoke one pledged patent's valuation, call the loan, cure it by partial repayment."""
    lender, borrower = parties[spec.lender], parties[spec.borrower]
    book = ledger.loans
    step(f"the valuer revokes {spec.revoked_report}: one pledged patent counts zero")
    send_value(ledger.w3, lender, valuer.address, 10**17)  # the valuer's gas money
    ledger.valuations.revoke(
        report_id_of(valuer.address, spec.revoked_report),
        "comparable licences repriced",
        sender=KeyAccount(valuer),
    )
    if book.health(loan_id).healthy:
        raise IpledgerError(f"loan {loan_id} is still healthy after the revocation")
    step(f"{spec.lender} calls loan {loan_id}: {spec.remediation_days} days to cure")
    book.call_loan(loan_id, _digest(documents / spec.call_notice), sender=lender)
    step(f"{spec.borrower} cures with a repayment of HKD {spec.cure_repayment:,}")
    amount = spec.cure_repayment * HKD
    ledger.erc20(ledger.addresses.payment_token).approve(book.address, amount, sender=borrower)
    book.repay(loan_id, amount, sender=borrower)
    state = LoanState(book.loan(loan_id)["state"])
    if state is not LoanState.ACTIVE:
        raise IpledgerError(f"loan {loan_id} is {state.name.lower()} after the cure, not active")
