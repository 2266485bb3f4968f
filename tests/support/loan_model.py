"""An exact model of one loan's money, for the token state machine.

Written from the loan's rules, not from the book's code: interest is the exact rational
sum of principal x rate x time over the loan's life, floored, minus what was paid of it;
a pledge earns exactly its share of every deposit while pledged, and the whole units of
that are swept when the loan is settled (the lender's share, up to the debt, against
interest first; the rest the borrower's).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from fractions import Fraction

BPS = 10_000
YEAR = 365 * 86400


@dataclass
class LoanModel:
    loan_id: int
    borrower: int  # the machine's holder index
    principal: int
    rate_bps: int
    sweep_bps: int
    remediation: int
    opened: int  # block time of acceptance
    amount: int  # tokens pledged
    state: str = "active"  # active, called, repaid, enforced
    deadline: int = 0
    earned: Fraction = field(default_factory=Fraction)  # the pledge's exact revenue
    credited: int = 0  # whole units of it swept so far
    accrued: Fraction = field(default_factory=Fraction)  # interest, exactly, over the life
    last: int = 0
    interest_paid: int = 0
    principal_paid: int = 0

    def __post_init__(self) -> None:
        self.last = self.opened

    @property
    def open(self) -> bool:
        return self.state in ("active", "called")

    @property
    def unswept(self) -> int:
        """Whole units of revenue the pledge earned and the book has not swept."""
        return math.floor(self.earned) - self.credited

    def accrue(self, t: int) -> None:
        self.accrued += Fraction(self.outstanding * self.rate_bps * (t - self.last), BPS * YEAR)
        self.last = t

    @property
    def outstanding(self) -> int:
        return self.principal - self.principal_paid

    @property
    def interest(self) -> int:
        return math.floor(self.accrued) - self.interest_paid

    @property
    def debt(self) -> int:
        return self.outstanding + self.interest

    def pay(self, amount: int) -> int:
        """Pays `amount` (at most the debt) against interest first; the part on interest."""
        to_interest = min(amount, self.interest)
        self.interest_paid += to_interest
        self.principal_paid += amount - to_interest
        return to_interest

    def sweep(self) -> tuple[int, int]:
        """Sweeps the unswept whole units: (to the lender, to the borrower)."""
        whole = self.unswept
        self.credited += whole
        to_lender = min(whole * self.sweep_bps // BPS, self.debt)
        self.pay(to_lender)
        return to_lender, whole - to_lender

    def pending(self, t: int) -> tuple[int, int]:
        """(principal outstanding, interest) as the book's views answer at time `t`:
        accrued to `t`, then the unswept revenue swept."""
        ghost = copy.copy(self)
        ghost.accrue(t)
        ghost.sweep()
        return ghost.outstanding, ghost.interest
