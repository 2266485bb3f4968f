"""Loans as the CLI, the API and the pilot show them: the book's view of each loan,
its health at the same block, and its pledges named by patent reference."""

from __future__ import annotations

from typing import Any

from ipledger.clients.ledger import Ledger
from ipledger.errors import IpledgerError
from ipledger.models import Loan, LoanHealth, LoanState, PledgedTokens, parse_address
from ipledger.read.labels import Labels


def loan(ledger: Ledger, loan_id: int, *, labels: Labels | None = None) -> Loan:
    """One loan, brought up to the latest block; an unknown id is an error naming it."""
    book = ledger.loans
    if not 0 < loan_id <= book.loan_count():
        raise IpledgerError(f"no loan {loan_id} in the loan book at {book.address}")
    raw = book.loan(loan_id)
    state = LoanState(raw["state"])
    health = book.health(loan_id)
    return _assemble(raw, state, health, labels or Labels(ledger))


def loans(
    ledger: Ledger,
    *,
    borrower: str | None = None,
    lender: str | None = None,
    labels: Labels | None = None,
) -> list[Loan]:
    """Every loan of `borrower` and/or `lender` (all loans when neither is given)."""
    book = ledger.loans
    if borrower is None and lender is None:
        ids = list(range(1, book.loan_count() + 1))
    else:
        sets = []
        if borrower is not None:
            sets.append(set(book.loans_of(parse_address(borrower), as_lender=False)))
        if lender is not None:
            sets.append(set(book.loans_of(parse_address(lender), as_lender=True)))
        ids = sorted(set.intersection(*sets))
    labels = labels or Labels(ledger)
    return [loan(ledger, i, labels=labels) for i in ids]


def pledged_by_patent(ledger: Ledger, borrower: str) -> dict[bytes, int]:
    """Tokens `borrower` has pledged to open (active or called) loans, by patent id."""
    book = ledger.loans
    found: dict[bytes, int] = {}
    for loan_id in book.loans_of(parse_address(borrower), as_lender=False):
        raw = book.loan(loan_id)
        if LoanState(raw["state"]) not in (LoanState.ACTIVE, LoanState.CALLED):
            continue
        for patent_id, tokens in raw["pledges"]:
            found[bytes(patent_id)] = found.get(bytes(patent_id), 0) + int(tokens)
    return found


def _assemble(raw: dict[str, Any], state: LoanState, health: LoanHealth, labels: Labels) -> Loan:
    pledges = []
    for patent_id, tokens in raw["pledges"]:
        pid = bytes(patent_id)
        pledges.append(PledgedTokens(patent_id=pid, reference=labels.reference(pid), tokens=tokens))
    deadline = int(raw["deadline"])
    return Loan(
        loan_id=raw["loanId"],
        state=state,
        borrower=raw["borrower"],
        lender=raw["lender"],
        asset=raw["asset"],
        pledged={p.reference or "0x" + p.patent_id.hex(): p.tokens for p in pledges},
        pledges=pledges,
        principal=raw["principal"],
        principal_outstanding=raw["principalOutstanding"],
        interest=raw["interest"],
        debt=health.debt,
        collateral_value=health.collateral_value,
        ltv_bps=health.ltv_bps,
        max_ltv_bps=raw["maxLtvBps"],
        liquidation_ltv_bps=raw["liquidationLtvBps"],
        healthy=health.healthy,
        rate_bps=raw["rateBps"],
        sweep_bps=raw["sweepBps"],
        maturity=raw["maturity"],
        remediation_period=raw["remediationPeriod"],
        call_deadline=deadline if state is LoanState.CALLED else None,
        offer_expiry=deadline if state is LoanState.OFFERED else None,
        agreement_hash=raw["agreementHash"],
    )
