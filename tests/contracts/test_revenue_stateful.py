"""Stateful property test of a revenue-rights token against an exact model.

Rules: transfers, approvals and transferFrom (overspending included), deposits, claims,
freezes, listing and delisting, pause, the patent lapsing and restored, forced transfers
and account recovery; every refusal is asserted by its error name, in the order the
contract checks.

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
from ipledger.models import Status
from tests.support.chain import CheckedState, TokenProbe
from tests.support.suite import SUPPLY, Market

pytestmark = pytest.mark.stateful

REPORT = Web3.keccak(text="report")
EVIDENCE = Web3.keccak(text="court order")


def run_token_machine(market: Market) -> None:
    w3 = market.ledger.w3
    holders = [market.actors.issuer, *market.actors.investors]
    agent = market.actors.agent
    probe = TokenProbe(market.ledger, market.actors.admin)
    checked = CheckedState(w3)

    class TokenMachine(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            self.snapshot = w3.testing.snapshot()
            self.balances = [SUPPLY] + [0] * (len(holders) - 1)
            self.earned = [Fraction(0)] * len(holders)
            self.claimed = [0] * len(holders)
            self.frozen = [False] * len(holders)
            self.listed = [True] * len(holders)  # the issuer (0) is exempt, listed or not
            self.allowances: dict[tuple[int, int], int] = {}
            self.paused = False
            self.active = True
            self.deposited = 0
            self.deposits = 0

        def teardown(self) -> None:
            w3.testing.revert(self.snapshot)

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
                    market.token.transfer(holders[dst].address, amount, sender=holders[src])
                return
            market.token.transfer(holders[dst].address, amount, sender=holders[src])
            self._move(src, dst, amount)

        @rule(owner=st.integers(0, 4), spender=st.integers(0, 4), amount=st.integers(0, SUPPLY))
        def approve(self, owner: int, spender: int, amount: int) -> None:
            market.token._send("approve", holders[spender].address, amount, sender=holders[owner])
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
            call = (holders[owner].address, holders[dst].address, amount)
            if error is not None:
                with pytest.raises(ContractRevertError.named(error)):
                    market.token._send("transferFrom", *call, sender=holders[spender])
                return
            market.token._send("transferFrom", *call, sender=holders[spender])
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
                    market.token.deposit_revenue(amount, REPORT, sender=market.actors.issuer)
                return
            market.token.deposit_revenue(amount, REPORT, sender=market.actors.issuer)
            for i, balance in enumerate(self.balances):
                self.earned[i] += Fraction(balance * amount, SUPPLY)
            self.deposited += amount
            self.deposits += 1

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
                    market.token.claim(sender=holders[who])
                return
            amount, _ = market.token.claim(sender=holders[who])
            assert amount == int(self.earned[who]) - self.claimed[who]
            self.claimed[who] += amount

        @rule(who=st.integers(1, 4))
        def toggle_freeze(self, who: int) -> None:
            self.frozen[who] = not self.frozen[who]
            market.token.set_frozen(holders[who].address, self.frozen[who], sender=agent)

        @rule(who=st.integers(1, 4))
        def toggle_listing(self, who: int) -> None:
            investors = market.ledger.investors
            if self.listed[who]:
                investors.remove_investor(holders[who].address, sender=market.actors.admin)
            else:
                investors.set_investor(
                    holders[who].address,
                    jurisdiction="HK",
                    expiry=2**40,
                    sender=market.actors.admin,
                )
            self.listed[who] = not self.listed[who]

        @rule()
        def toggle_pause(self) -> None:
            if self.paused:
                market.token.unpause(sender=agent)
            else:
                market.token.pause(sender=agent)
            self.paused = not self.paused

        @rule()
        def toggle_patent_status(self) -> None:
            status = Status.GRANTED if not self.active else Status.LAPSED
            market.ledger.patents.set_status(market.patent_id, status, sender=market.actors.admin)
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
            call = (holders[src].address, holders[dst].address, amount)
            if error is not None:
                with pytest.raises(ContractRevertError.named(error)):
                    market.token.forced_transfer(*call, evidence_hash=EVIDENCE, sender=agent)
                return
            market.token.forced_transfer(*call, evidence_hash=EVIDENCE, sender=agent)
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
            call = (holders[src].address, holders[dst].address)
            if error is not None:
                with pytest.raises(ContractRevertError.named(error)):
                    market.token.recover_account(*call, evidence_hash=EVIDENCE, sender=agent)
                return
            market.token.recover_account(*call, evidence_hash=EVIDENCE, sender=agent)
            unclaimed = self.earned[src] - self.claimed[src]  # moves, fractions and all
            self.earned[src] -= unclaimed
            self.earned[dst] += unclaimed
            self._move(src, dst, self.balances[src])

        def _model(self) -> object:
            return (self.balances, self.earned, self.claimed, self.deposited, self.deposits)

        @invariant()
        def chain_matches_model(self) -> None:
            if not hasattr(self, "balances") or checked.unchanged(self._model()):
                return
            onchain, claimable, totals = probe.read(
                market.token.address, [h.address for h in holders]
            )
            assert onchain == self.balances
            assert sum(onchain) == SUPPLY
            expected = [int(e) - c for e, c in zip(self.earned, self.claimed, strict=True)]
            assert claimable == expected
            paid_or_owed = sum(self.claimed) + sum(claimable)
            assert paid_or_owed <= self.deposited <= paid_or_owed + len(holders) + self.deposits
            deposited, held, deposits = totals
            assert (deposited, deposits) == (self.deposited, self.deposits)
            assert held == self.deposited - sum(self.claimed)
            checked.held(self._model())

    run_state_machine_as_test(TokenMachine, settings=settings(deadline=None))


def test_token_accounting_invariants_hold(market: Market) -> None:
    # Example and step counts come from the active hypothesis profile (tests/conftest.py).
    for investor in market.actors.investors:
        assert market.ledger.investors.is_eligible(investor.address)
    run_token_machine(market)
