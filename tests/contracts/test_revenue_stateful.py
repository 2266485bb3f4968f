"""Stateful property test of a revenue-rights token, and loans against it, against an
exact model.

Rules: transfers, approvals and transferFrom (overspending included), deposits, claims,
freezes, listing and delisting, pause, the patent lapsing and restored, forced transfers
and account recovery; and a bank's loans against the holders' tokens (`loan_rules`):
opened, repaid in part or in full, topped up, called, cured, enforced, as time passes.
Every refusal is asserted by its error name, in the order the contracts check.

After every step: balances sum to the supply (the book's escrow is a holder); each
holder's claimable revenue equals the model's exact earnings (rational arithmetic)
rounded down, minus what it claimed; sum claimed + sum claimable <= sum deposited <= that
+ holders + deposits; each loan's debt is the model's exactly; what the book owes the
lender (sweeps and repayments) and the borrowers (their share of the sweeps), plus the
book's dust, is exactly what it claimed for its pledges and was repaid.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule, run_state_machine_as_test
from web3 import Web3

from ipledger.chain.tx import NodeAccount
from ipledger.errors import ContractRevertError
from ipledger.models import Status
from tests.contracts.loan_rules import LoanRules
from tests.support.chain import TokenProbe
from tests.support.lending import lending_world
from tests.support.suite import SUPPLY, Market

pytestmark = pytest.mark.stateful

REPORT = Web3.keccak(text="report")
STEPS = 30
EVIDENCE = Web3.keccak(text="court order")


class TokenMachine(LoanRules):
    """The token's rules; the loan rules come from `LoanRules`."""

    @property
    def holders(self) -> list[NodeAccount]:
        return self.world.holders

    @property
    def token(self):  # type: ignore[no-untyped-def]
        return self.world.market.token

    @property
    def admin(self) -> NodeAccount:
        return self.world.market.actors.admin

    @property
    def agent(self) -> NodeAccount:
        return self.world.market.actors.agent

    @property
    def issuer(self) -> NodeAccount:
        return self.world.market.actors.issuer

    @initialize()
    def start(self) -> None:
        self.snapshot = self.world.w3.testing.snapshot()
        n = len(self.world.addresses)  # the holders, the lender, the book
        self.balances = list(self.world.balances)
        self.earned = [Fraction(0)] * n
        self.claimed = [0] * n
        self.frozen = [False] * n
        self.listed = [True] * n  # the issuer (0) is exempt; the book is the custodian
        self.allowances: dict[tuple[int, int], int] = {}
        self.paused = False
        self.active = True
        self.deposited = 0
        self.deposits = 0
        self.start_loans()

    def teardown(self) -> None:
        self.world.w3.testing.revert(self.snapshot)

    def _move_error(self, src: int, dst: int, amount: int) -> str | None:
        """What `_update` refuses, in the order it checks."""
        if self.paused:
            return "RevenueRightsPaused"
        if self.frozen[dst] or self.frozen[src]:
            return "RevenueRightsFrozen"
        if not (src == 0 or self.listed[src]) or not (dst == 0 or self.listed[dst]):
            return "RevenueRightsNotEligible"
        if amount > self.balances[src]:
            return "ERC20InsufficientBalance"
        return None

    def _move(self, src: int, dst: int, amount: int) -> None:
        self.balances[src] -= amount
        self.balances[dst] += amount

    @rule(src=st.integers(0, 4), dst=st.integers(0, 4), fraction=st.fractions(0, 2))
    def transfer(self, src: int, dst: int, fraction: Fraction) -> None:
        amount = int(self.balances[src] * fraction) + (1 if fraction > 1 else 0)
        error = self._move_error(src, dst, amount)
        if error is not None:
            with pytest.raises(ContractRevertError.named(error)):
                self.token.transfer(self.holders[dst].address, amount, sender=self.holders[src])
            return
        self.token.transfer(self.holders[dst].address, amount, sender=self.holders[src])
        self._move(src, dst, amount)

    @rule(owner=st.integers(0, 4), spender=st.integers(0, 4), amount=st.integers(0, SUPPLY))
    def approve(self, owner: int, spender: int, amount: int) -> None:
        self.token._send(
            "approve", self.holders[spender].address, amount, sender=self.holders[owner]
        )
        self.allowances[(owner, spender)] = amount

    @rule(
        owner=st.integers(0, 4),
        spender=st.integers(0, 4),
        dst=st.integers(0, 4),
        fraction=st.fractions(0, 2),
    )
    def transfer_from(self, owner: int, spender: int, dst: int, fraction: Fraction) -> None:
        allowed = self.allowances.get((owner, spender), 0)
        amount = int(min(allowed, self.balances[owner]) * fraction)
        error = (
            "ERC20InsufficientAllowance"
            if amount > allowed
            else self._move_error(owner, dst, amount)
        )
        call = (self.holders[owner].address, self.holders[dst].address, amount)
        if error is not None:
            with pytest.raises(ContractRevertError.named(error)):
                self.token._send("transferFrom", *call, sender=self.holders[spender])
            return
        self.token._send("transferFrom", *call, sender=self.holders[spender])
        self.allowances[(owner, spender)] = allowed - amount
        self._move(owner, dst, amount)

    @rule(amount=st.integers(1, 10**12))
    def deposit(self, amount: int) -> None:
        error = (
            "RevenueRightsPaused"
            if self.paused
            else "RevenueRightsPatentInactive"
            if not self.active
            else None
        )
        if error is not None:
            with pytest.raises(ContractRevertError.named(error)):
                self.token.deposit_revenue(amount, REPORT, sender=self.issuer)
            return
        self.token.deposit_revenue(amount, REPORT, sender=self.issuer)
        for i, balance in enumerate(self.balances):
            self.earned[i] += Fraction(balance * amount, SUPPLY)
        self.deposited += amount
        self.deposits += 1
        self.pledges_earn(amount)

    @rule(who=st.integers(0, 4))
    def claim(self, who: int) -> None:
        error = (
            "RevenueRightsPaused"
            if self.paused
            else "RevenueRightsFrozen"
            if self.frozen[who]
            else "RevenueRightsNotEligible"
            if not (who == 0 or self.listed[who])
            else None
        )
        if error is not None:
            with pytest.raises(ContractRevertError.named(error)):
                self.token.claim(sender=self.holders[who])
            return
        amount, _ = self.token.claim(sender=self.holders[who])
        assert amount == int(self.earned[who]) - self.claimed[who]
        self.claimed[who] += amount

    @rule(who=st.integers(1, 4))
    def toggle_freeze(self, who: int) -> None:
        self.frozen[who] = not self.frozen[who]
        self.token.set_frozen(self.holders[who].address, self.frozen[who], sender=self.agent)

    @rule(who=st.integers(1, 4))
    def toggle_listing(self, who: int) -> None:
        investors = self.world.market.ledger.investors
        if self.listed[who]:
            investors.remove_investor(self.holders[who].address, sender=self.admin)
        else:
            investors.set_investor(
                self.holders[who].address,
                jurisdiction="HK",
                expiry=2**40,
                sender=self.admin,
            )
        self.listed[who] = not self.listed[who]

    @rule()
    def toggle_pause(self) -> None:
        if self.paused:
            self.token.unpause(sender=self.agent)
        else:
            self.token.pause(sender=self.agent)
        self.paused = not self.paused

    @rule()
    def toggle_patent_status(self) -> None:
        status = Status.GRANTED if not self.active else Status.LAPSED
        self.world.market.ledger.patents.set_status(
            self.world.market.patent_id, status, sender=self.admin
        )
        self.active = not self.active

    @rule(src=st.integers(1, 4), dst=st.integers(1, 4), fraction=st.fractions(0, 2))
    def forced_transfer(self, src: int, dst: int, fraction: Fraction) -> None:
        amount = int(self.balances[src] * fraction) + (1 if fraction > 1 else 0)
        error = (
            "RevenueRightsFrozen"
            if self.frozen[dst]
            else "RevenueRightsNotEligible"
            if not self.listed[dst]
            else "ERC20InsufficientBalance"
            if amount > self.balances[src]
            else None
        )
        call = (self.holders[src].address, self.holders[dst].address, amount)
        if error is not None:
            with pytest.raises(ContractRevertError.named(error)):
                self.token.forced_transfer(*call, evidence_hash=EVIDENCE, sender=self.agent)
            return
        self.token.forced_transfer(*call, evidence_hash=EVIDENCE, sender=self.agent)
        if src != dst:
            self._move(src, dst, amount)

    @rule(src=st.integers(1, 4), dst=st.integers(1, 4))
    def recover(self, src: int, dst: int) -> None:
        error = (
            "ERC20InvalidSender"
            if src == dst
            else "RevenueRightsFrozen"
            if self.frozen[dst]
            else "RevenueRightsNotEligible"
            if not self.listed[dst]
            else None
        )
        call = (self.holders[src].address, self.holders[dst].address)
        if error is not None:
            with pytest.raises(ContractRevertError.named(error)):
                self.token.recover_account(*call, evidence_hash=EVIDENCE, sender=self.agent)
            return
        self.token.recover_account(*call, evidence_hash=EVIDENCE, sender=self.agent)
        unclaimed = self.earned[src] - self.claimed[src]  # moves, fractions and all
        self.earned[src] -= unclaimed
        self.earned[dst] += unclaimed
        self._move(src, dst, self.balances[src])

    def _model(self) -> object:
        return (
            self.balances, self.earned, self.claimed, self.deposited, self.deposits,
            self.loans, self.owed, self.held, self.repaid,
        )  # fmt: skip

    @invariant()
    def chain_matches_model(self) -> None:
        checked = self.world.checked
        if not hasattr(self, "balances") or checked.unchanged(self._model()):
            return
        onchain, claimable, totals = self.world.probe.read(self.token.address, self.world.addresses)
        assert onchain == self.balances
        assert sum(onchain) == SUPPLY
        expected = [int(e) - c for e, c in zip(self.earned, self.claimed, strict=True)]
        assert claimable == expected
        paid_or_owed = sum(self.claimed) + sum(claimable)
        assert paid_or_owed <= self.deposited <= paid_or_owed + len(onchain) + self.deposits
        deposited, held, deposits = totals
        assert (deposited, deposits) == (self.deposited, self.deposits)
        assert held == self.deposited - sum(self.claimed)
        self.check_loans()
        checked.held(self._model())


def test_token_accounting_invariants_hold(market: Market) -> None:
    for investor in market.actors.investors:
        assert market.ledger.investors.is_eligible(investor.address)
    world = lending_world(market, TokenProbe(market.ledger, market.actors.admin))
    machine = type("BoundTokenMachine", (TokenMachine,), {"world": world})
    # Loans need longer runs than the profile's (tests/conftest.py): opened, serviced,
    # called, enforced. Fewer of them keep the steps, and make test's time, near the
    # profile's other machines: 200 examples of 12 steps become 32 of 30.
    profile = settings()
    run_state_machine_as_test(
        machine,
        settings=settings(
            deadline=None,
            stateful_step_count=max(profile.stateful_step_count, STEPS),
            max_examples=max(profile.max_examples * 4 // 25, 2),
        ),
    )
