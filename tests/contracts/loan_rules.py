"""The token state machine's loan rules: a bank lends against the holders' tokens.

Loans are opened (offer and accept), repaid in part or in full, topped up, called, cured
and enforced, and time passes; every refusal is asserted by its error name, in the order
the book checks. The machine's token model (balances, exact earnings, claims, freezes,
listings, pause, patent status) is shared with the token rules: the book is one more
holder (the escrow), the lender another. Each loan's money is `LoanModel`'s.
"""

from __future__ import annotations

import copy
import math
from fractions import Fraction
from typing import Any, ClassVar

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from ipledger.errors import ContractRevertError
from tests.support.chain import advance, now
from tests.support.lending import (
    DAY,
    LIQUIDATION_LTV,
    MAX_LTV,
    NO_COLLATERAL,
    NOTICE,
    World,
    ltv_of,
)
from tests.support.loan_model import BPS, LoanModel
from tests.support.suite import SUPPLY

LENDER, BOOK = 5, 6  # model indices after the issuer (0) and the four investors (1-4)
MAX_ADVANCE = 150 * DAY  # the valuation (valid a year) stays clear of its age window
STATES = {"active": 2, "called": 3, "repaid": 4, "enforced": 5}


class LoanRules(RuleBasedStateMachine):
    """Mixed into the token machine, which owns the token model these rules move."""

    world: ClassVar[World]
    # The token model (the token machine's): per model index.
    balances: list[int]
    earned: list[Fraction]
    claimed: list[int]
    frozen: list[bool]
    listed: list[bool]
    paused: bool
    loans: list[LoanModel]
    owed: list[int]  # what the book owes each of the holders and the lender
    held: list[int]  # tokens the book keeps for a borrower it could not hand them back to
    repaid: int
    advanced: int

    def _move_error(self, src: int, dst: int, amount: int) -> str | None:
        raise NotImplementedError

    def _move(self, src: int, dst: int, amount: int) -> None:
        raise NotImplementedError

    def start_loans(self) -> None:
        self.loans = [copy.copy(loan) for loan in self.world.loans]
        self.owed, self.held = [0] * 6, [0] * 6
        self.repaid = self.advanced = 0

    def pledges_earn(self, deposit: int) -> None:
        """Each open loan's pledge earns its exact share of a deposit."""
        for loan in self.loans:
            if loan.open:
                loan.earned += Fraction(loan.amount * deposit, SUPPLY)

    @property
    def book(self) -> Any:
        return self.world.market.ledger.loans

    def _refused(self, error: str, send: Any) -> None:
        with pytest.raises(ContractRevertError.named(error)):
            send()

    def _settle(self, loan: LoanModel, t: int) -> None:
        """The book brings `loan` to time `t` (as every servicing step does first)."""
        if not loan.open:
            return
        loan.accrue(t)
        if loan.unswept == 0 or self.paused:  # a paused token keeps it for later
            return
        self.claimed[BOOK] = math.floor(self.earned[BOOK])  # the book claims all it has
        to_lender, to_borrower = loan.sweep()
        self.owed[LENDER] += to_lender
        self.owed[loan.borrower] += to_borrower

    def _healthy(self, loan: LoanModel, amount: int, t: int) -> bool:
        """Whether `loan` with `amount` pledged is healthy at `t` (or a step later: loans
        open at most at half their collateral's value and interest cannot double a debt
        within MAX_ADVANCE, so a loan is far below the liquidation level or has no
        collateral value at all)."""
        principal, interest = loan.pending(t)
        ltv = ltv_of(principal + interest, self.world.value(amount))
        assert ltv < LIQUIDATION_LTV - 1000 or ltv == NO_COLLATERAL, (loan, ltv)
        return ltv <= LIQUIDATION_LTV

    def _in(self, *states: str) -> list[LoanModel]:
        return [loan for loan in self.loans if loan.state in states]

    def _pick(self, pick: int, *states: str) -> LoanModel:
        """One of the loans in `states` (any loan without)."""
        loans = self._in(*states) if states else self.loans
        return loans[pick % len(loans)]

    @rule(
        who=st.integers(1, 4),
        fraction=st.fractions(0, 1),
        ltv=st.integers(0, 5000),
        rate=st.sampled_from([0, 500, 2000]),
        sweep=st.sampled_from([0, 3333, 5000, 10_000]),
    )
    def open_loan(self, who: int, fraction: Fraction, ltv: int, rate: int, sweep: int) -> None:
        amount = int(self.balances[who] * fraction)
        if amount == 0:
            return
        value = self.world.value(amount)
        principal = max(1, value * ltv // BPS)
        error = (
            "LoanNotEligible"
            if not self.listed[who]
            else "LoanLtvTooHigh"
            if ltv_of(principal, value) > MAX_LTV
            else self._move_error(who, BOOK, amount)
        )
        if error is None:
            self.loans.append(self.world.open(who, amount, principal, rate, sweep))
            self._move(who, BOOK, amount)
            return
        terms = self.world.terms(who, principal, rate, sweep)
        pledge = [(self.world.market.patent_id, amount)]
        loan_id, _ = self.book.offer(terms, pledge, sender=self.world.lender)
        self._refused(error, lambda: self.book.accept(loan_id, sender=self.world.holders[who]))

    @precondition(lambda self: self.loans)
    @rule(pick=st.integers(0, 2**16), full=st.booleans(), fraction=st.fractions(0, 1))
    def repay(self, pick: int, full: bool, fraction: Fraction) -> None:
        loan = self._pick(pick)
        borrower = self.world.holders[loan.borrower]
        t0 = now(self.world.w3)
        debt0 = sum(loan.pending(t0))
        # Debt only grows with time: less than it now is less than it when mined.
        amount = 2**128 if full or debt0 == 0 else min(int(debt0 * fraction), debt0 - 1)
        error = (
            "LoanWrongState"
            if not loan.open
            else "LoanUnsettled"
            if amount == 2**128 and self.paused and loan.unswept > 0
            else None
        )
        send = lambda: self.book.repay(loan.loan_id, amount, sender=borrower)  # noqa: E731
        if error is not None:
            self._refused(error, send)
            return
        paid, receipt = send()
        self._settle(loan, self.world.time_of(receipt))
        debt = loan.debt
        assert paid == min(amount, debt)
        loan.pay(paid)
        self.owed[LENDER] += paid
        self.repaid += paid
        if paid == debt:
            loan.state = "repaid"
            if self._move_error(BOOK, loan.borrower, loan.amount) is None:
                self._move(BOOK, loan.borrower, loan.amount)
            else:
                self.held[loan.borrower] += loan.amount
        elif loan.state == "called" and self._healthy(loan, loan.amount, loan.last):
            loan.state = "active"

    @precondition(lambda self: self._in("active", "called"))
    @rule(pick=st.integers(0, 2**16), fraction=st.fractions(0, 1))
    def pledge_more(self, pick: int, fraction: Fraction) -> None:
        loan = self._pick(pick, "active", "called")
        amount = int(self.balances[loan.borrower] * fraction)
        error = (
            "LoanInvalidPledge"
            if amount == 0
            else "LoanUnsettled"
            if self.paused and loan.unswept > 0
            else self._move_error(loan.borrower, BOOK, amount)
        )
        borrower = self.world.holders[loan.borrower]
        pid = self.world.market.patent_id
        send = lambda: self.book.pledge_more(loan.loan_id, pid, amount, sender=borrower)  # noqa: E731
        if error is not None:
            self._refused(error, send)
            return
        cures = loan.state == "called" and self._healthy(
            loan, loan.amount + amount, now(self.world.w3)
        )
        t = self.world.time_of(send())
        self._settle(loan, t)
        loan.amount += amount
        self._move(loan.borrower, BOOK, amount)
        if cures:
            loan.state = "active"

    @precondition(lambda self: self._in("active"))
    @rule(pick=st.integers(0, 2**16))
    def call(self, pick: int) -> None:
        loan = self._pick(pick, "active")
        error = "LoanHealthy" if self._healthy(loan, loan.amount, now(self.world.w3)) else None
        send = lambda: self.book.call_loan(loan.loan_id, NOTICE, sender=self.world.lender)  # noqa: E731
        if error is not None:
            self._refused(error, send)
            return
        t = self.world.time_of(send())
        self._settle(loan, t)
        loan.state, loan.deadline = "called", t + loan.remediation

    @precondition(lambda self: self._in("called"))
    @rule(pick=st.integers(0, 2**16))
    def cure(self, pick: int) -> None:
        loan = self._pick(pick, "called")
        healthy = self._healthy(loan, loan.amount, now(self.world.w3))
        error = None if healthy else "LoanUnhealthy"
        borrower = self.world.holders[loan.borrower]
        send = lambda: self.book.cure(loan.loan_id, sender=borrower)  # noqa: E731
        if error is not None:
            self._refused(error, send)
            return
        self._settle(loan, self.world.time_of(send()))
        loan.state = "active"

    @precondition(lambda self: self._in("called"))
    @rule(pick=st.integers(0, 2**16))
    def enforce(self, pick: int) -> None:
        """The lender takes the pledged tokens itself once the remediation period is over."""
        loan = self._pick(pick, "called")
        t0 = now(self.world.w3)
        if t0 < loan.deadline <= t0 + 60:
            return  # mined a few seconds on, the period may or may not be over
        healthy = self._healthy(loan, loan.amount, t0)
        error = (
            "LoanRemediationRunning"
            if t0 < loan.deadline
            else "LoanUnsettled"
            if self.paused and loan.unswept > 0
            else "LoanHealthy"
            if healthy
            else self._move_error(BOOK, LENDER, loan.amount)
        )
        lender = self.world.lender
        send = lambda: self.book.enforce(loan.loan_id, lender.address, 0, NOTICE, sender=lender)  # noqa: E731
        if error is not None:
            self._refused(error, send)
            return
        self._settle(loan, self.world.time_of(send()))
        loan.state = "enforced"
        self._move(BOOK, LENDER, loan.amount)

    @precondition(lambda self: any(self.held))
    @rule(who=st.integers(1, 4))
    def reclaim(self, who: int) -> None:
        amount = self.held[who]
        error = "LoanZeroAmount" if amount == 0 else self._move_error(BOOK, who, amount)
        token = self.world.market.token.address
        send = lambda: self.book.reclaim(token, sender=self.world.holders[who])  # noqa: E731
        if error is not None:
            self._refused(error, send)
            return
        send()
        self.held[who] = 0
        self._move(BOOK, who, amount)

    @rule(hours=st.integers(1, 20 * 24))
    def pass_time(self, hours: int) -> None:
        seconds = min(hours * 3600, MAX_ADVANCE - self.advanced)
        if seconds > 0:
            advance(self.world.w3, seconds)
            self.advanced += seconds

    def check_loans(self) -> None:
        """Each loan's state and debt, what the book owes and holds for everyone, and its
        cash, against the model; and the lender's receipts + the borrowers' credits + the
        book's dust are exactly the revenue the book claimed for its pledges."""
        w = self.world
        ids = [loan.loan_id for loan in self.loans]
        addresses = w.market.ledger.addresses
        r = w.loan_probe.read(
            addresses.loan_book,
            ids,
            w.addresses[:6],
            w.market.token.address,
            addresses.payment_token,
        )
        for loan, state, principal, interest in zip(
            self.loans, r.states, r.principal, r.interest, strict=True
        ):
            assert state == STATES[loan.state], loan
            expected = loan.pending(r.timestamp) if loan.open else (0, 0)
            assert (principal, interest) == expected, (principal, interest, expected, loan)
        assert r.owed == self.owed
        assert r.held == self.held
        # The book's cash is what it claimed for its pledges and what borrowers repaid.
        assert r.cash - self.repaid == self.claimed[BOOK]
        dust = r.cash - sum(r.owed)
        assert dust == self.claimed[BOOK] - sum(loan.credited for loan in self.loans) >= 0
