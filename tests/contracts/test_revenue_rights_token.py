"""Who may hold and move a revenue-rights token: eligibility on every balance path,
freeze, pause, the agent's forced transfer and its role, and the paths the token's
`unchecked` arithmetic relies on. Revenue sharing is in test_revenue_sharing.py."""

from __future__ import annotations

import pytest
from web3 import Web3

from ipledger.errors import ContractRevertError
from ipledger.models import Role
from tests.support.chain import advance, now
from tests.support.suite import HKD, TOKEN, Market, distribute

EVIDENCE = Web3.keccak(text="HCA 1234/2026 order")
REPORT = Web3.keccak(text="Q3 licence revenue report")


def _unauthorized(exc: ContractRevertError, account: str, role: Role) -> bool:
    return exc.arguments == {"account": account, "neededRole": role.id}


# ---- transfer restrictions -------------------------------------------------------------


def test_issuer_sells_to_eligible_investor(market: Market) -> None:
    investor = market.actors.investors[0]
    market.token.transfer(investor.address, 1000 * TOKEN, sender=market.actors.issuer)
    assert market.token.balance_of(investor.address) == 1000 * TOKEN
    market.token.transfer(market.actors.investors[1].address, 400 * TOKEN, sender=investor)
    assert market.token.balance_of(market.actors.investors[1].address) == 400 * TOKEN


def test_transfer_to_ineligible_reverts_with_account(market: Market) -> None:
    outsider = market.actors.outsider.address
    with pytest.raises(ContractRevertError.named("RevenueRightsNotEligible")) as info:
        market.token.transfer(outsider, 1, sender=market.actors.issuer)
    assert info.value.arguments == {"account": outsider}


def test_transfer_from_via_allowance_is_restricted_too(market: Market) -> None:
    issuer, outsider = market.actors.issuer, market.actors.outsider
    market.token._send("approve", outsider.address, 10, sender=issuer)
    with pytest.raises(ContractRevertError.named("RevenueRightsNotEligible")):
        market.token._send("transferFrom", issuer.address, outsider.address, 10, sender=outsider)
    investor = market.actors.investors[0].address
    market.token._send("transferFrom", issuer.address, investor, 10, sender=outsider)
    assert market.token.balance_of(investor) == 10


def test_delisted_investor_cannot_send_or_receive(market: Market) -> None:
    investor = market.actors.investors[0]
    distribute(market, [100])
    market.ledger.investors.remove_investor(investor.address, sender=market.actors.admin)
    with pytest.raises(ContractRevertError.named("RevenueRightsNotEligible")) as info:
        market.token.transfer(market.actors.investors[1].address, 1, sender=investor)
    assert info.value.arguments == {"account": investor.address}
    with pytest.raises(ContractRevertError.named("RevenueRightsNotEligible")):
        market.token.transfer(investor.address, 1, sender=market.actors.issuer)


def test_expired_kyc_blocks_transfers(market: Market) -> None:
    investor = market.actors.investors[0]
    distribute(market, [100])
    market.ledger.investors.set_investor(
        investor.address,
        jurisdiction="HK",
        expiry=now(market.ledger.w3) + 100,
        sender=market.actors.admin,
    )
    advance(market.ledger.w3, 200)
    with pytest.raises(ContractRevertError.named("RevenueRightsNotEligible")):
        market.token.transfer(market.actors.investors[1].address, 1, sender=investor)


# ---- freeze, pause, forced transfer --------------------------------------------------


def test_frozen_account_cannot_send_receive_or_claim(market: Market) -> None:
    investor, other = market.actors.investors[:2]
    distribute(market, [100, 100])
    market.token.deposit_revenue(1000 * HKD, REPORT, sender=market.actors.issuer)
    receipt = market.token.set_frozen(investor.address, True, sender=market.actors.agent)
    [event] = market.token.events(receipt, "AccountFreezeChanged")
    assert event["args"]["frozen"] is True
    assert market.token.is_frozen(investor.address)
    for attempt in (
        lambda: market.token.transfer(other.address, 1, sender=investor),
        lambda: market.token.transfer(investor.address, 1, sender=other),
        lambda: market.token.claim(sender=investor),
    ):
        with pytest.raises(ContractRevertError.named("RevenueRightsFrozen")) as info:
            attempt()
        assert info.value.arguments == {"account": investor.address}
    market.token.set_frozen(investor.address, False, sender=market.actors.agent)
    market.token.transfer(other.address, 1, sender=investor)


def test_freeze_twice_reverts(market: Market) -> None:
    account = market.actors.investors[0].address
    market.token.set_frozen(account, True, sender=market.actors.agent)
    with pytest.raises(ContractRevertError.named("RevenueRightsFreezeUnchanged")):
        market.token.set_frozen(account, True, sender=market.actors.agent)


def test_paused_token_stops_transfers_deposits_and_claims(market: Market) -> None:
    distribute(market, [100])
    market.token.deposit_revenue(1000 * HKD, REPORT, sender=market.actors.issuer)
    market.token.pause(sender=market.actors.agent)
    assert market.token.paused()
    investor = market.actors.investors[0]
    for attempt in (
        lambda: market.token.transfer(market.actors.investors[1].address, 1, sender=investor),
        lambda: market.token.deposit_revenue(1, REPORT, sender=market.actors.issuer),
        lambda: market.token.claim(sender=investor),
    ):
        with pytest.raises(ContractRevertError.named("RevenueRightsPaused")):
            attempt()
    market.token.unpause(sender=market.actors.agent)
    amount, _ = market.token.claim(sender=investor)
    assert amount > 0


def test_agent_functions_require_agent_role(market: Market) -> None:
    outsider = market.actors.outsider
    investor = market.actors.investors[0].address
    for attempt in (
        lambda: market.token.pause(sender=outsider),
        lambda: market.token.unpause(sender=market.actors.issuer),
        lambda: market.token.set_frozen(investor, True, sender=outsider),
        lambda: market.token.forced_transfer(
            market.actors.issuer.address,
            investor,
            1,
            evidence_hash=EVIDENCE,
            sender=market.actors.admin,
        ),
    ):
        with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")) as info:
            attempt()
        assert info.value.arguments["neededRole"] == Role.TOKEN_AGENT.id


def test_deposit_requires_depositor_role(market: Market) -> None:
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")) as info:
        market.token.deposit_revenue(1, REPORT, sender=market.actors.outsider)
    assert _unauthorized(info.value, market.actors.outsider.address, Role.REVENUE_DEPOSITOR)


def test_forced_transfer_moves_tokens_from_frozen_wallet_citing_evidence(market: Market) -> None:
    lost, recovery = market.actors.investors[:2]
    distribute(market, [100])
    market.token.deposit_revenue(1000 * HKD, REPORT, sender=market.actors.issuer)
    earned = market.token.claimable(lost.address)
    market.token.set_frozen(lost.address, True, sender=market.actors.agent)
    receipt = market.token.forced_transfer(
        lost.address,
        recovery.address,
        100 * TOKEN,
        evidence_hash=EVIDENCE,
        sender=market.actors.agent,
    )
    [event] = market.token.events(receipt, "ForcedTransfer")
    assert event["args"]["evidenceHash"] == EVIDENCE
    assert event["args"]["agent"] == market.actors.agent.address
    assert market.token.balance_of(recovery.address) == 100 * TOKEN
    assert market.token.balance_of(lost.address) == 0
    # Revenue earned before the move stays with the old account.
    assert market.token.claimable(lost.address) == earned
    assert market.token.claimable(recovery.address) == 0


def test_forced_transfer_needs_evidence_and_eligible_receiver(market: Market) -> None:
    distribute(market, [100])
    source = market.actors.investors[0].address
    with pytest.raises(ContractRevertError.named("RevenueRightsMissingEvidence")):
        market.token.forced_transfer(
            source,
            market.actors.investors[1].address,
            1,
            evidence_hash=b"\0" * 32,
            sender=market.actors.agent,
        )
    with pytest.raises(ContractRevertError.named("RevenueRightsNotEligible")):
        market.token.forced_transfer(
            source,
            market.actors.outsider.address,
            1,
            evidence_hash=EVIDENCE,
            sender=market.actors.agent,
        )


def test_forced_transfer_works_while_paused(market: Market) -> None:
    distribute(market, [100])
    market.token.pause(sender=market.actors.agent)
    market.token.forced_transfer(
        market.actors.investors[0].address,
        market.actors.investors[1].address,
        5,
        evidence_hash=EVIDENCE,
        sender=market.actors.agent,
    )
    assert market.token.balance_of(market.actors.investors[1].address) == 5


# ---- the paths the `unchecked` block relies on, and the receivers a forced move needs --


def test_no_path_spends_more_than_the_balance(market: Market) -> None:
    investor, other = market.actors.investors[:2]
    distribute(market, [10])
    held = 10 * TOKEN
    with pytest.raises(ContractRevertError.named("ERC20InsufficientBalance")) as info:
        market.token.transfer(other.address, held + 1, sender=investor)
    assert info.value.arguments == {"sender": investor.address, "balance": held, "needed": held + 1}
    market.token._send("approve", other.address, 2 * held, sender=investor)
    with pytest.raises(ContractRevertError.named("ERC20InsufficientBalance")):
        market.token._send("transferFrom", investor.address, other.address, held + 1, sender=other)
    with pytest.raises(ContractRevertError.named("ERC20InsufficientBalance")):
        market.token.forced_transfer(
            investor.address,
            other.address,
            held + 1,
            evidence_hash=EVIDENCE,
            sender=market.actors.agent,
        )
    with pytest.raises(ContractRevertError.named("ERC20InsufficientBalance")):
        market.token.transfer(investor.address, held + 1, sender=investor)  # to itself
    assert market.token.balance_of(investor.address) == held


def test_forced_transfer_refuses_a_frozen_or_zero_receiver(market: Market) -> None:
    investor, other = market.actors.investors[:2]
    distribute(market, [10])
    market.token.set_frozen(other.address, True, sender=market.actors.agent)
    with pytest.raises(ContractRevertError.named("RevenueRightsFrozen")) as info:
        market.token.forced_transfer(
            investor.address,
            other.address,
            TOKEN,
            evidence_hash=EVIDENCE,
            sender=market.actors.agent,
        )
    assert info.value.arguments == {"account": other.address}
    with pytest.raises(ContractRevertError.named("ERC20InvalidReceiver")):
        market.token._send(
            "forcedTransfer",
            investor.address,
            "0x" + "00" * 20,
            TOKEN,
            EVIDENCE,
            sender=market.actors.agent,
        )
