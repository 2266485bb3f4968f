"""Stateful property test of a revenue-rights token against an exact model.

After every step: balances sum to the supply; each holder's claimable revenue equals
the model's exact earnings (rational arithmetic) rounded down, minus what it claimed;
and sum claimed + sum claimable <= sum deposited <= that + holders + deposits.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from web3 import Web3

from ipledger.errors import ContractRevertError
from tests.chaintools import ViewBatch
from tests.contracts.conftest import SUPPLY, Market

pytestmark = pytest.mark.stateful

REPORT = Web3.keccak(text="report")
EVIDENCE = Web3.keccak(text="court order")


def run_token_machine(market: Market) -> None:
    w3 = market.ledger.w3
    holders = [market.actors.issuer, *market.actors.investors]
    agent = market.actors.agent
    views = ViewBatch(market.ledger, market.actors.admin)

    class TokenMachine(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            self.snapshot = w3.testing.snapshot()
            self.balances = [SUPPLY] + [0] * (len(holders) - 1)
            self.earned = [Fraction(0)] * len(holders)
            self.claimed = [0] * len(holders)
            self.frozen = [False] * len(holders)
            self.deposited = 0
            self.deposits = 0

        def teardown(self) -> None:
            w3.testing.revert(self.snapshot)

        @rule(src=st.integers(0, 4), dst=st.integers(0, 4), fraction=st.fractions(0, 1))
        def transfer(self, src: int, dst: int, fraction: Fraction) -> None:
            amount = int(self.balances[src] * fraction)
            if self.frozen[src] or self.frozen[dst]:
                with pytest.raises(ContractRevertError.named("RevenueRightsFrozen")):
                    market.token.transfer(holders[dst].address, amount, sender=holders[src])
                return
            market.token.transfer(holders[dst].address, amount, sender=holders[src])
            self.balances[src] -= amount
            self.balances[dst] += amount

        @rule(amount=st.integers(1, 10**12))
        def deposit(self, amount: int) -> None:
            market.token.deposit_revenue(amount, REPORT, sender=market.actors.issuer)
            for i, balance in enumerate(self.balances):
                self.earned[i] += Fraction(balance * amount, SUPPLY)
            self.deposited += amount
            self.deposits += 1

        @rule(who=st.integers(0, 4))
        def claim(self, who: int) -> None:
            if self.frozen[who]:
                return
            amount, _ = market.token.claim(sender=holders[who])
            assert amount == int(self.earned[who]) - self.claimed[who]
            self.claimed[who] += amount

        @rule(who=st.integers(1, 4))
        def toggle_freeze(self, who: int) -> None:
            self.frozen[who] = not self.frozen[who]
            market.token.set_frozen(holders[who].address, self.frozen[who], sender=agent)

        @rule(src=st.integers(1, 4), dst=st.integers(1, 4), fraction=st.fractions(0, 1))
        def forced_transfer(self, src: int, dst: int, fraction: Fraction) -> None:
            if self.frozen[dst] or src == dst:
                return
            amount = int(self.balances[src] * fraction)
            market.token.forced_transfer(
                holders[src].address,
                holders[dst].address,
                amount,
                evidence_hash=EVIDENCE,
                sender=agent,
            )
            self.balances[src] -= amount
            self.balances[dst] += amount

        @invariant()
        def chain_matches_model(self) -> None:
            if not hasattr(self, "balances"):
                return
            token = market.token.contract.functions
            *state, totals = views.read(
                [token.balanceOf(h.address) for h in holders]
                + [token.claimableRevenue(h.address) for h in holders]
                + [token.revenueTotals()]
            )
            onchain, claimable = state[: len(holders)], state[len(holders) :]
            assert onchain == self.balances
            assert sum(onchain) == SUPPLY
            expected = [int(e) - c for e, c in zip(self.earned, self.claimed, strict=True)]
            assert claimable == expected
            paid_or_owed = sum(self.claimed) + sum(claimable)
            assert paid_or_owed <= self.deposited <= paid_or_owed + len(holders) + self.deposits
            deposited, held, deposits = totals
            assert (deposited, deposits) == (self.deposited, self.deposits)
            assert held == self.deposited - sum(self.claimed)

    run_state_machine_as_test(TokenMachine, settings=settings(deadline=None))


def test_token_accounting_invariants_hold(market: Market) -> None:
    # Example and step counts come from the active hypothesis profile (tests/conftest.py).
    for investor in market.actors.investors:
        assert market.ledger.investors.is_eligible(investor.address)
    run_token_machine(market)
