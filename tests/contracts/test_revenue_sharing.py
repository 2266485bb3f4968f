"""Revenue sharing on a revenue-rights token: deposits pro rata, claims across
transfers, recovery of unclaimed revenue, rounding, and payment tokens that misbehave."""

from __future__ import annotations

import pytest
from web3 import Web3

from ipledger.errors import ContractRevertError
from ipledger.models import Status
from tests.support.chain import advance, now
from tests.support.suite import HKD, SUPPLY, TOKEN, Market, distribute

EVIDENCE = Web3.keccak(text="HCA 1234/2026 order")
REPORT = Web3.keccak(text="Q3 licence revenue report")


# ---- revenue sharing -------------------------------------------------------------------


def test_deposit_shares_pro_rata(market: Market) -> None:
    distribute(market, [250_000, 250_000, 100_000])  # issuer keeps 400,000 of 1,000,000
    receipt = market.token.deposit_revenue(1_000_000 * HKD, REPORT, sender=market.actors.issuer)
    [event] = market.token.events(receipt, "RevenueDeposited")
    assert (event["args"]["seq"], event["args"]["amount"], event["args"]["reportHash"]) == (
        1,
        1_000_000 * HKD,
        REPORT,
    )
    a, b, c = (i.address for i in market.actors.investors[:3])
    assert market.token.claimable(a) == market.token.claimable(b) == 250_000 * HKD
    assert market.token.claimable(c) == 100_000 * HKD
    assert market.token.claimable(market.actors.issuer.address) == 400_000 * HKD


def test_transfer_after_deposit_moves_no_earned_revenue(market: Market) -> None:
    a, b = market.actors.investors[:2]
    distribute(market, [500_000])
    market.token.deposit_revenue(1000 * HKD, REPORT, sender=market.actors.issuer)
    market.token.transfer(b.address, 500_000 * TOKEN, sender=a)
    assert market.token.claimable(a.address) == 500 * HKD
    assert market.token.claimable(b.address) == 0
    market.token.deposit_revenue(2000 * HKD, REPORT, sender=market.actors.issuer)
    assert market.token.claimable(a.address) == 500 * HKD
    assert market.token.claimable(b.address) == 1000 * HKD


def test_claims_across_deposits_and_transfers(market: Market) -> None:
    a, b = market.actors.investors[:2]
    issuer = market.actors.issuer
    distribute(market, [200_000, 300_000])
    market.token.deposit_revenue(10_000 * HKD, REPORT, sender=issuer)  # a 2000, b 3000, issuer 5000
    market.token.transfer(b.address, 100_000 * TOKEN, sender=a)  # a 100k, b 400k
    market.token.deposit_revenue(
        20_000 * HKD, REPORT, sender=issuer
    )  # a 2000, b 8000, issuer 10000
    claimed_a, _ = market.token.claim(sender=a)
    assert claimed_a == 4000 * HKD
    assert market.token.claimable(a.address) == 0
    market.token.deposit_revenue(1000 * HKD, REPORT, sender=issuer)  # a 100, b 400, issuer 500
    claimed_b, _ = market.token.claim(sender=b)
    assert claimed_b == 11_400 * HKD
    assert market.token.claimable(a.address) == 100 * HKD
    assert market.payment._call("balanceOf", a.address) == 4000 * HKD
    totals = market.token.totals()
    assert (totals.deposited, totals.deposits) == (31_000 * HKD, 3)


def test_claim_with_nothing_returns_zero_and_sends_nothing(market: Market) -> None:
    amount, receipt = market.token.claim(sender=market.actors.investors[0])
    assert amount == 0
    assert market.token.events(receipt, "RevenueClaimed") == []


def test_recovery_carries_the_fractions_of_a_unit_exactly(market: Market) -> None:
    """Half a unit each: moved together they make one more whole unit to claim."""
    lost, recovery = market.actors.investors[:2]
    distribute(market, [500_000, 500_000])  # the whole supply, half each
    market.token.deposit_revenue(3, REPORT, sender=market.actors.issuer)
    assert market.token.claimable(lost.address) == market.token.claimable(recovery.address) == 1
    receipt = market.token.recover_account(
        lost.address, recovery.address, evidence_hash=EVIDENCE, sender=market.actors.agent
    )
    [event] = market.token.events(receipt, "AccountRecovered")
    assert event["args"]["revenue"] == 2
    assert market.token.claimable(recovery.address) == 3  # every unit deposited
    amount, _ = market.token.claim(sender=recovery)
    assert amount == 3


def test_delisted_holder_keeps_earnings_but_claims_only_when_relisted(market: Market) -> None:
    investor = market.actors.investors[0]
    distribute(market, [100_000])
    market.token.deposit_revenue(1000 * HKD, REPORT, sender=market.actors.issuer)
    market.ledger.investors.remove_investor(investor.address, sender=market.actors.admin)
    assert market.token.claimable(investor.address) == 100 * HKD
    with pytest.raises(ContractRevertError.named("RevenueRightsNotEligible")) as info:
        market.token.claim(sender=investor)
    assert info.value.arguments == {"account": investor.address}
    market.ledger.investors.set_investor(
        investor.address,
        jurisdiction="HK",
        expiry=now(market.ledger.w3) + 3600,
        sender=market.actors.admin,
    )
    amount, _ = market.token.claim(sender=investor)
    assert amount == 100 * HKD


def test_kyc_expired_holder_cannot_claim(market: Market) -> None:
    investor = market.actors.investors[0]
    distribute(market, [100_000])
    market.token.deposit_revenue(1000 * HKD, REPORT, sender=market.actors.issuer)
    advance(market.ledger.w3, 6 * 365 * 86400)  # past the 5-year KYC expiry
    with pytest.raises(ContractRevertError.named("RevenueRightsNotEligible")):
        market.token.claim(sender=investor)


def test_recovery_moves_tokens_and_unclaimed_revenue_citing_evidence(market: Market) -> None:
    lost, recovery = market.actors.investors[:2]
    distribute(market, [100, 50])
    market.token.deposit_revenue(1000 * HKD, REPORT, sender=market.actors.issuer)
    lost_earned = market.token.claimable(lost.address)
    recovery_earned = market.token.claimable(recovery.address)
    assert lost_earned > 0
    market.ledger.investors.remove_investor(lost.address, sender=market.actors.admin)  # sanctioned
    market.token.set_frozen(lost.address, True, sender=market.actors.agent)
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")):
        market.token.recover_account(
            lost.address, recovery.address, evidence_hash=EVIDENCE, sender=market.actors.issuer
        )
    with pytest.raises(ContractRevertError.named("RevenueRightsMissingEvidence")):
        market.token.recover_account(
            lost.address, recovery.address, evidence_hash=b"\0" * 32, sender=market.actors.agent
        )
    with pytest.raises(ContractRevertError.named("RevenueRightsNotEligible")):
        market.token.recover_account(
            lost.address,
            market.actors.outsider.address,
            evidence_hash=EVIDENCE,
            sender=market.actors.agent,
        )
    receipt = market.token.recover_account(
        lost.address, recovery.address, evidence_hash=EVIDENCE, sender=market.actors.agent
    )
    [event] = market.token.events(receipt, "AccountRecovered")
    assert (event["args"]["tokens"], event["args"]["revenue"]) == (100 * TOKEN, lost_earned)
    assert market.token.balance_of(lost.address) == 0
    assert market.token.claimable(lost.address) == 0
    assert market.token.balance_of(recovery.address) == 150 * TOKEN
    assert market.token.claimable(recovery.address) == recovery_earned + lost_earned
    amount, _ = market.token.claim(sender=recovery)
    assert amount == recovery_earned + lost_earned
    entries = market.ledger.evidence.entries(market.patent_id)
    assert entries[-1].content_hash == EVIDENCE
    # Later revenue follows the tokens, and nothing is left behind.
    market.token.deposit_revenue(1000 * HKD, REPORT, sender=market.actors.issuer)
    assert market.token.claimable(lost.address) == 0


def test_zero_deposit_reverts(market: Market) -> None:
    with pytest.raises(ContractRevertError.named("RevenueRightsZeroDeposit")):
        market.token.deposit_revenue(0, REPORT, sender=market.actors.issuer)


@pytest.mark.parametrize("status", [Status.EXPIRED, Status.REVOKED, Status.LAPSED])
def test_inactive_patent_takes_no_deposits(market: Market, status: Status) -> None:
    market.ledger.patents.set_status(market.patent_id, status, sender=market.actors.admin)
    with pytest.raises(ContractRevertError.named("RevenueRightsPatentInactive")) as info:
        market.token.deposit_revenue(1, REPORT, sender=market.actors.issuer)
    assert info.value.arguments == {"patentId": market.patent_id}


def test_patent_past_its_term_takes_no_deposits(market: Market) -> None:
    market.ledger.patents.set_metadata(
        market.patent_id,
        metadata_hash=b"\x01" * 32,
        expiry=now(market.ledger.w3) + 50,
        sender=market.actors.admin,
    )
    advance(market.ledger.w3, 100)
    with pytest.raises(ContractRevertError.named("RevenueRightsPatentInactive")):
        market.token.deposit_revenue(1, REPORT, sender=market.actors.issuer)


def test_rounding_dust_is_reported_not_paid(market: Market) -> None:
    # Three holders of 1/3 each: 10 units split as 3 + 3 + 3, and 1 unit of dust.
    distribute(market, [333_334, 333_333])  # the issuer keeps 333,333
    holders = [market.actors.issuer, *market.actors.investors[:2]]
    market.token.deposit_revenue(10, REPORT, sender=market.actors.issuer)
    claimable = [market.token.claimable(h.address) for h in holders]
    assert claimable == [3, 3, 3]
    totals = market.token.totals()
    assert totals.held - sum(claimable) == 1  # dust, held in the contract
    assert market.payment._call("balanceOf", market.token.address) == totals.held
    # Remainders carry across deposits: after 12 units in all, the holder of 333,334
    # has earned 4.00008 (not 3 + floor(0.666668) = 3), the others 3.999996 each.
    market.token.deposit_revenue(2, REPORT, sender=market.actors.issuer)
    assert [market.token.claimable(h.address) for h in holders] == [3, 4, 3]


# ---- payment tokens that misbehave ---------------------------------------------------


def test_reentrant_payment_token_cannot_claim_twice(ledger, actors) -> None:  # type: ignore[no-untyped-def]
    from tests.support.suite import open_market

    m = open_market(ledger, actors, payment_contract="ReentrantToken", number="30099999")
    investor = m.actors.investors[0]
    distribute(m, [500_000])
    # The re-entering contract holds tokens too, so its re-entered claim would pay it.
    ledger.investors.set_investor(
        m.payment.address, jurisdiction="HK", expiry=2**40, sender=m.actors.admin
    )
    m.token.transfer(m.payment.address, 100_000 * TOKEN, sender=m.actors.issuer)
    m.token.deposit_revenue(1000 * HKD, REPORT, sender=m.actors.issuer)
    assert m.token.claimable(m.payment.address) == 100 * HKD
    claim_call = m.token.contract.encode_abi("claimRevenue", [])
    m.payment._send("arm", m.token.address, claim_call, sender=investor)
    amount, _ = m.token.claim(sender=investor)
    assert amount == 500 * HKD
    assert m.payment._call("reentered") is True
    assert m.payment._call("reentrySucceeded") is False
    blocked = ledger.decoder.decode(m.payment._call("reentryError"))
    assert blocked.error == "ReentrancyGuardReentrantCall"
    assert m.payment._call("balanceOf", investor.address) == 500 * HKD
    assert m.token.claimable(investor.address) == 0
    assert m.token.claimable(m.payment.address) == 100 * HKD  # the re-entry paid nothing
    assert m.payment._call("balanceOf", m.payment.address) == 0


def test_payment_token_returning_no_bool_works(ledger, actors) -> None:  # type: ignore[no-untyped-def]
    from tests.support.suite import open_market

    m = open_market(ledger, actors, payment_contract="NoBoolToken", number="30088888")
    investor = m.actors.investors[0]
    distribute(m, [100_000])
    m.token.deposit_revenue(1000 * HKD, REPORT, sender=m.actors.issuer)
    amount, _ = m.token.claim(sender=investor)
    assert amount == 100 * HKD
    assert m.payment._call("balanceOf", investor.address) == 100 * HKD


def test_fee_on_transfer_payment_token_credits_what_arrived(ledger, actors) -> None:  # type: ignore[no-untyped-def]
    from tests.support.suite import open_market

    m = open_market(ledger, actors, payment_contract="FeeOnTransferToken", number="30077777")
    distribute(m, [500_000])
    receipt = m.token.deposit_revenue(1000 * HKD, REPORT, sender=m.actors.issuer)
    [event] = m.token.events(receipt, "RevenueDeposited")
    assert event["args"]["amount"] == 990 * HKD  # 1% burnt in transit
    assert m.token.totals().deposited == 990 * HKD
    assert m.token.claimable(m.actors.investors[0].address) == 495 * HKD
    assert m.payment._call("balanceOf", m.token.address) == 990 * HKD


def test_supply_cap_constant(market: Market) -> None:
    assert market.token.total_supply() == SUPPLY


def test_deposits_beyond_the_accumulators_range_revert_whole(ledger, actors) -> None:  # type: ignore[no-untyped-def]
    from tests.support.suite import open_market

    m = open_market(ledger, actors, number="30088888")
    limit = 2**112 - 1
    m.payment._send("mint", m.actors.issuer.address, limit, sender=m.actors.admin)
    m.token.deposit_revenue(limit - 10 * HKD, REPORT, sender=m.actors.issuer)  # near the top
    with pytest.raises(ContractRevertError.named("SafeCastOverflowedUintDowncast")):
        m.token.deposit_revenue(10 * HKD + 1, REPORT, sender=m.actors.issuer)
    assert m.token.totals().deposited == limit - 10 * HKD
