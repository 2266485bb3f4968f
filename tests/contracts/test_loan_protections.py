"""The loan book's protections on both backends: enforcement by sale and the guarantee
fund's limits, pledges that are never locked (swept to zero, a frozen borrower), unswept
revenue, cures after the deadline, fee-on-transfer and re-entrant payment tokens."""

from __future__ import annotations

import pytest
from eth_utils.crypto import keccak

from ipledger.chain.revert import ContractRevertError
from ipledger.models import LoanState, Role
from tests.support.chain import advance, now
from tests.support.loans import (
    DAY,
    NOTICE,
    PLEDGED,
    PRINCIPAL,
    VALUE_CENTS,
    LoanSetup,
    open_loan,
    terms,
)
from tests.support.suite import HKD, open_market
from tests.support.valuations import make, signed


def _fund(s: LoanSetup, share_bps: int = 5000) -> None:
    """A guarantee fund (investors[3]) with HKD 1M approved to the book."""
    ledger, admin = s.market.ledger, s.market.actors.admin
    fund = s.market.actors.investors[3]
    s.market.payment._send("mint", fund.address, 1_000_000 * HKD, sender=admin)
    s.market.payment._send("approve", ledger.addresses.loan_book, 2**256 - 1, sender=fund)
    ledger.patents.grant_role(Role.RISK, admin.address, sender=admin)
    ledger.loans.set_guarantee(fund.address, share_bps, sender=admin)


def _called_after_remediation(s: LoanSetup, **overrides: object) -> int:
    w3 = s.market.ledger.w3
    loan_id = open_loan(s, maturity=now(w3) + 10 * DAY, offer_expiry=now(w3) + DAY, **overrides)
    advance(w3, 11 * DAY)
    s.market.ledger.loans.call_loan(loan_id, NOTICE, sender=s.lender)
    advance(w3, 30 * DAY)
    return loan_id


def _enforced(s: LoanSetup) -> dict[str, int]:
    w3 = s.market.ledger.w3
    [event] = s.market.ledger.loans.contract.events.LoanEnforced().get_logs(
        from_block=w3.eth.block_number
    )
    return dict(event["args"])


def test_enforcement_sale_to_a_bidder_with_the_guarantee_fund(s: LoanSetup) -> None:
    ledger, book = s.market.ledger, s.market.ledger.loans
    asset = ledger.addresses.payment_token
    _fund(s)
    loan_id = _called_after_remediation(s)
    # A lower revaluation: the pledge is appraised at HKD 150,000 (10% of 1.5M).
    lower = make(s.market, s.valuer, n=2, value=1_500_000_00)
    ledger.valuations.attest(lower, signed(s.market, s.valuer, lower), sender=s.market.actors.admin)
    price = 200_000 * HKD
    with pytest.raises(ContractRevertError.named("LoanNoBid")):
        book.enforce(loan_id, s.buyer.address, price, NOTICE, sender=s.lender)
    book.bid(loan_id, price, sender=s.buyer)
    assert book.bid_of(loan_id, s.buyer.address) == price
    book.enforce(loan_id, s.buyer.address, price, NOTICE, sender=s.lender)
    enforced = _enforced(s)
    debt = enforced["recovered"] + enforced["shortfall"]
    assert enforced["recovered"] == price
    assert debt > PRINCIPAL  # with its interest
    # The fund pays its half of what the price did not cover.
    assert enforced["guaranteePaid"] == (debt - price) * 5000 // 10_000
    assert s.market.token.balance_of(s.buyer.address) == PLEDGED
    assert book.owed(s.lender.address, asset) == price + enforced["guaranteePaid"]
    assert book.pledged_of(s.borrower.address, s.market.patent_id) == 0


def test_a_cheap_sale_or_an_unvalued_taking_draws_nothing_from_the_fund(s: LoanSetup) -> None:
    ledger, book = s.market.ledger, s.market.ledger.loans
    _fund(s)
    loan_id = _called_after_remediation(s)
    # Appraised at HKD 1.25M, the pledge covers the debt: a 1-unit sale to a friend leaves
    # a shortfall the fund does not pay.
    book.bid(loan_id, 1, sender=s.buyer)
    book.enforce(loan_id, s.buyer.address, 1, NOTICE, sender=s.lender)
    assert _enforced(s)["guaranteePaid"] == 0
    second = _called_after_remediation(s, agreement_hash=keccak(text="loan agreement 2"))
    [attested] = ledger.valuations.attested_events(s.market.patent_id)
    ledger.valuations.revoke_for_cause(
        s.market.patent_id,
        attested["args"]["reportId"],
        "fraud",
        NOTICE,
        sender=s.market.actors.admin,
    )
    book.enforce(second, s.lender.address, 0, NOTICE, sender=s.lender)
    taken = _enforced(s)
    assert taken["recovered"] == 0
    assert taken["shortfall"] > 0
    assert taken["guaranteePaid"] == 0  # no valid valuation: the shortfall is not established


def test_a_sweep_that_pays_the_debt_releases_the_pledge(s: LoanSetup) -> None:
    book = s.market.ledger.loans
    loan_id = open_loan(s, sweep_bps=10_000)
    # HKD 10M of revenue: the pledge's 10% share (HKD 1M) more than pays HKD 300,000.
    s.market.token.deposit_revenue(
        10_000_000 * HKD, keccak(text="big"), sender=s.market.actors.issuer
    )
    assert book.health(loan_id).debt == 0
    paid, _ = book.repay(loan_id, 0, sender=s.buyer)  # anyone sweeps; nothing to pay
    assert paid == 0
    assert LoanState(book.loan(loan_id)["state"]) is LoanState.REPAID
    assert s.market.token.balance_of(s.borrower.address) == 2 * PLEDGED


def test_a_frozen_borrower_can_still_be_repaid_and_reclaims_later(s: LoanSetup) -> None:
    book, token, agent = s.market.ledger.loans, s.market.token, s.market.actors.agent
    loan_id = open_loan(s)
    token.set_frozen(s.borrower.address, True, sender=agent)
    book.repay(loan_id, 10**30, sender=s.buyer)  # a third party pays it off
    assert LoanState(book.loan(loan_id)["state"]) is LoanState.REPAID
    assert book.held(s.borrower.address, token.address) == PLEDGED
    with pytest.raises(ContractRevertError.named("RevenueRightsFrozen")):
        book.reclaim(token.address, sender=s.borrower)
    token.set_frozen(s.borrower.address, False, sender=agent)
    book.reclaim(token.address, sender=s.borrower)
    assert token.balance_of(s.borrower.address) == 2 * PLEDGED
    assert book.held(s.borrower.address, token.address) == 0


def test_an_unswept_pledge_blocks_closing_and_growing(s: LoanSetup) -> None:
    book, token, agent = s.market.ledger.loans, s.market.token, s.market.actors.agent
    loan_id = open_loan(s)
    token.deposit_revenue(1_000_000 * HKD, keccak(text="Q"), sender=s.market.actors.issuer)
    token.pause(sender=agent)  # the token will not pay the book its share now
    with pytest.raises(ContractRevertError.named("LoanUnsettled")):
        book.repay(loan_id, 10**30, sender=s.borrower)
    with pytest.raises(ContractRevertError.named("LoanUnsettled")):
        book.pledge_more(loan_id, s.market.patent_id, PLEDGED, sender=s.borrower)
    token.unpause(sender=agent)
    book.repay(loan_id, 10**30, sender=s.borrower)
    assert LoanState(book.loan(loan_id)["state"]) is LoanState.REPAID


def test_a_called_loan_healthy_after_the_deadline_can_still_be_cured(s: LoanSetup) -> None:
    ledger, book, w3 = s.market.ledger, s.market.ledger.loans, s.market.ledger.w3
    loan_id = open_loan(s)
    lower = make(s.market, s.valuer, n=2, value=6_000_000_00)  # LTV 100%
    ledger.valuations.attest(lower, signed(s.market, s.valuer, lower), sender=s.market.actors.admin)
    book.call_loan(loan_id, NOTICE, sender=s.lender)
    book.bid(loan_id, 5, sender=s.buyer)
    advance(w3, 31 * DAY)
    with pytest.raises(ContractRevertError.named("LoanUnhealthy")):
        book.cure(loan_id, sender=s.borrower)
    book.repay(loan_id, 150_000 * HKD, sender=s.borrower)  # LTV ~50%: cured
    assert LoanState(book.loan(loan_id)["state"]) is LoanState.ACTIVE
    assert book.bid_of(loan_id, s.buyer.address) == 0  # bids lapse with the call


def test_a_fee_on_transfer_asset_is_refused_at_repayment(s: LoanSetup) -> None:
    ledger, actors = s.market.ledger, s.market.actors
    fee_market = open_market(
        ledger, actors, payment_contract="FeeOnTransferToken", number="30077777"
    )
    fee = fee_market.payment
    valuation = make(fee_market, s.valuer, n=5, value=VALUE_CENTS)
    ledger.valuations.attest(
        valuation, signed(fee_market, s.valuer, valuation), sender=actors.admin
    )
    ledger.patents.grant_role(Role.RISK, actors.admin.address, sender=actors.admin)
    ledger.policy.set_rate(fee.address, "HKD", 10**22, sender=actors.admin)
    book = ledger.addresses.loan_book
    fee._send("mint", s.lender.address, 10**24, sender=actors.admin)
    fee._send("approve", book, 2**256 - 1, sender=s.lender)
    fee._send("approve", book, 2**256 - 1, sender=s.borrower)
    fee_market.token.transfer(s.borrower.address, PLEDGED, sender=actors.issuer)
    fee_market.token.approve(book, 2**256 - 1, sender=s.borrower)
    loan_id, _ = ledger.loans.offer(
        terms(s, asset=fee.address), [(fee_market.patent_id, PLEDGED)], sender=s.lender
    )
    ledger.loans.accept(loan_id, sender=s.borrower)
    with pytest.raises(ContractRevertError.named("LoanShortTransfer")):
        ledger.loans.repay(loan_id, 1000, sender=s.borrower)


def test_reentrant_payment_token_cannot_reenter_the_book(s: LoanSetup) -> None:
    ledger, actors = s.market.ledger, s.market.actors
    evil_market = open_market(ledger, actors, payment_contract="ReentrantToken", number="30099999")
    evil = evil_market.payment
    valuation = make(evil_market, s.valuer, n=3, value=VALUE_CENTS)
    ledger.valuations.attest(
        valuation, signed(evil_market, s.valuer, valuation), sender=actors.admin
    )
    ledger.patents.grant_role(Role.RISK, actors.admin.address, sender=actors.admin)
    ledger.policy.set_rate(evil.address, "HKD", 10**22, sender=actors.admin)
    book = ledger.addresses.loan_book
    evil._send("mint", s.lender.address, 10**24, sender=actors.admin)
    evil._send("approve", book, 2**256 - 1, sender=s.lender)
    evil._send("approve", book, 2**256 - 1, sender=s.borrower)
    evil_market.token.transfer(s.borrower.address, PLEDGED, sender=actors.issuer)
    evil_market.token.approve(book, 2**256 - 1, sender=s.borrower)
    loan_id, _ = ledger.loans.offer(
        terms(s, asset=evil.address), [(evil_market.patent_id, PLEDGED)], sender=s.lender
    )
    ledger.loans.accept(loan_id, sender=s.borrower)
    ledger.loans.repay(loan_id, 1000, sender=s.borrower)
    # Withdrawing the lender's 1000 pays out in the evil token, which calls back into the
    # book mid-transfer to withdraw again.
    evil._send(
        "arm",
        book,
        ledger.loans.contract.encode_abi("withdraw", [evil.address]),
        sender=actors.admin,
    )
    ledger.loans.withdraw(evil.address, sender=s.lender)
    assert evil._call("reentered")
    assert not evil._call("reentrySucceeded")
    assert (
        bytes(evil._call("reentryError"))[:4] == keccak(text="ReentrancyGuardReentrantCall()")[:4]
    )
    assert ledger.loans.owed(s.lender.address, evil.address) == 0
