"""The loan book on both backends: atomic opening, the pledge that cannot move, interest
and the revenue sweep exact to the unit, margin call, cure, enforcement and release."""

from __future__ import annotations

import pytest
from eth_utils.crypto import keccak

from ipledger.chain.revert import ContractRevertError
from ipledger.deploy.suite import DeploymentError, deploy
from ipledger.models import EvidenceKind, Field, LoanState, Role, Status
from ipledger.toolchain.artifacts import Artifact
from tests.support.chain import advance, now, set_next_time
from tests.support.loans import (
    AGREEMENT,
    COLLATERAL,
    DAY,
    NOTICE,
    PLEDGED,
    PRINCIPAL,
    VALUE_CENTS,
    LoanSetup,
    open_loan,
    terms,
)
from tests.support.suite import HKD, SUPPLY, YEAR, SessionLedger, open_market
from tests.support.valuations import make, signed

BPS_YEAR = 10_000 * YEAR


def _kinds(s: LoanSetup) -> list[EvidenceKind]:
    return [e.kind for e in s.market.ledger.evidence.entries(s.market.patent_id)]


def test_accept_moves_principal_and_pledge_in_one_transaction(s: LoanSetup) -> None:
    ledger, book = s.market.ledger, s.market.ledger.loans
    cash_before = s.market.payment._call("balanceOf", s.borrower.address)
    loan_id = open_loan(s)
    assert s.market.payment._call("balanceOf", s.borrower.address) == cash_before + PRINCIPAL
    assert s.market.token.balance_of(ledger.addresses.loan_book) == PLEDGED
    assert s.market.token.balance_of(s.borrower.address) == PLEDGED  # the unpledged half
    assert book.pledged_of(s.borrower.address, s.market.patent_id) == PLEDGED
    view = book.loan(loan_id)
    assert LoanState(view["state"]) is LoanState.ACTIVE
    assert (view["principal"], view["principalOutstanding"]) == (PRINCIPAL, PRINCIPAL)
    health = book.health(loan_id)
    assert health.collateral_value == COLLATERAL
    assert health.ltv_bps == -(-PRINCIPAL * 10_000 // COLLATERAL)  # 4800, rounded up
    assert health.healthy
    assert _kinds(s)[-1] is EvidenceKind.PLEDGE
    assert s.market.ledger.evidence.entries(s.market.patent_id)[-1].content_hash == AGREEMENT


def test_accept_fails_whole_when_the_lender_cannot_pay(s: LoanSetup) -> None:
    book = s.market.ledger.loans
    loan_id, _ = book.offer(terms(s), [(s.market.patent_id, PLEDGED)], sender=s.lender)
    s.market.payment._send("approve", s.market.ledger.addresses.loan_book, 0, sender=s.lender)
    with pytest.raises(ContractRevertError.named("ERC20InsufficientAllowance")):
        book.accept(loan_id, sender=s.borrower)
    assert s.market.token.balance_of(s.borrower.address) == 2 * PLEDGED  # nothing pledged
    assert LoanState(book.loan(loan_id)["state"]) is LoanState.OFFERED


def test_offer_and_accept_rules(s: LoanSetup) -> None:
    book, pid = s.market.ledger.loans, s.market.patent_id
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")):
        book.offer(terms(s), [(pid, PLEDGED)], sender=s.buyer)  # not a lender
    with pytest.raises(ContractRevertError.named("LoanInvalidTerms")):
        book.offer(terms(s, max_ltv_bps=8000), [(pid, PLEDGED)], sender=s.lender)
    with pytest.raises(ContractRevertError.named("LoanInvalidPledge")):
        book.offer(terms(s), [(pid, PLEDGED), (pid, 1)], sender=s.lender)  # counted twice
    with pytest.raises(ContractRevertError.named("LoanInvalidPledge")):
        book.offer(terms(s), [(keccak(text="no such patent"), PLEDGED)], sender=s.lender)
    loan_id, _ = book.offer(terms(s), [(pid, PLEDGED)], sender=s.lender)
    with pytest.raises(ContractRevertError.named("LoanNotBorrower")):
        book.accept(loan_id, sender=s.buyer)
    too_big, _ = book.offer(terms(s, principal=400_000 * HKD), [(pid, PLEDGED)], sender=s.lender)
    with pytest.raises(ContractRevertError.named("LoanLtvTooHigh")):
        book.accept(too_big, sender=s.borrower)  # 64% > 60%
    advance(s.market.ledger.w3, 8 * DAY)
    with pytest.raises(ContractRevertError.named("LoanOfferExpired")):
        book.accept(loan_id, sender=s.borrower)
    book.cancel(loan_id, sender=s.borrower)
    with pytest.raises(ContractRevertError.named("LoanWrongState")):
        book.accept(loan_id, sender=s.borrower)


def test_pledged_tokens_cannot_move_by_any_path(s: LoanSetup) -> None:
    ledger, token = s.market.ledger, s.market.token
    book_address = ledger.addresses.loan_book
    open_loan(s, amount=2 * PLEDGED)  # everything the borrower held
    with pytest.raises(ContractRevertError.named("ERC20InsufficientBalance")):
        token.transfer(s.buyer.address, 1, sender=s.borrower)
    with pytest.raises(ContractRevertError.named("RevenueRightsCustodian")):
        token.forced_transfer(
            book_address, s.buyer.address, 1, evidence_hash=NOTICE, sender=s.market.actors.agent
        )
    with pytest.raises(ContractRevertError.named("RevenueRightsCustodian")):
        token.set_frozen(book_address, True, sender=s.market.actors.agent)
    with pytest.raises(ContractRevertError.named("ERC20InsufficientAllowance")):
        token._send("transferFrom", book_address, s.buyer.address, 1, sender=s.borrower)
    # A second loan over the same tokens finds none to pledge.
    with pytest.raises(ContractRevertError.named("ERC20InsufficientBalance")):
        open_loan(s, amount=PLEDGED)


def test_interest_accrues_per_second_exactly(s: LoanSetup) -> None:
    book = s.market.ledger.loans
    loan_id = open_loan(s)
    start = now(s.market.ledger.w3)
    advance(s.market.ledger.w3, 90 * DAY + 17)
    elapsed = now(s.market.ledger.w3) - start
    assert book.health(loan_id).debt == PRINCIPAL + PRINCIPAL * 500 * elapsed // BPS_YEAR


def test_revenue_sweep_splits_exactly_and_cannot_be_dodged(s: LoanSetup) -> None:
    ledger, book, asset = (
        s.market.ledger,
        s.market.ledger.loans,
        s.market.ledger.addresses.payment_token,
    )
    loan_id = open_loan(s, sweep_bps=5000)
    deposit = 1_000_001 * HKD + 7  # not a round number: the split must still be exact
    s.market.token.deposit_revenue(deposit, keccak(text="Q1"), sender=s.market.actors.issuer)
    earned = PLEDGED * deposit // SUPPLY
    # The borrower, the holder of record of nothing pledged, cannot claim the pledge's share.
    free_share = PLEDGED * deposit // SUPPLY
    assert s.market.token.claimable(s.borrower.address) == free_share
    paid, _ = book.repay(loan_id, 1, sender=s.buyer)  # anyone's touch settles the sweep
    to_lender = earned * 5000 // 10_000
    assert book.owed(s.lender.address, asset) == to_lender + paid
    assert book.owed(s.borrower.address, asset) == earned - to_lender
    # Interest first: the sweep cleared the interest accrued so far, the rest went to principal.
    view = book.loan(loan_id)
    assert view["interest"] == 0
    assert view["principalOutstanding"] < PRINCIPAL
    lender_cash = s.market.payment._call("balanceOf", s.lender.address)
    amount, _ = book.withdraw(asset, sender=s.lender)
    assert s.market.payment._call("balanceOf", s.lender.address) == lender_cash + amount
    with pytest.raises(ContractRevertError.named("LoanZeroAmount")):
        book.withdraw(asset, sender=s.lender)
    # What the book was paid covers what it owes: nothing is paid out twice.
    held = s.market.payment._call("balanceOf", ledger.addresses.loan_book)
    assert held >= book.owed(s.borrower.address, asset)


def test_repaid_in_full_releases_the_pledge(s: LoanSetup) -> None:
    book = s.market.ledger.loans
    loan_id = open_loan(s)
    advance(s.market.ledger.w3, 30 * DAY)
    paid, _ = book.repay(loan_id, 10**30, sender=s.borrower)  # capped at the debt
    assert paid > PRINCIPAL
    assert LoanState(book.loan(loan_id)["state"]) is LoanState.REPAID
    assert s.market.token.balance_of(s.borrower.address) == 2 * PLEDGED
    assert book.pledged_of(s.borrower.address, s.market.patent_id) == 0
    assert _kinds(s)[-1] is EvidenceKind.RELEASE
    with pytest.raises(ContractRevertError.named("LoanWrongState")):
        book.repay(loan_id, 1, sender=s.borrower)


def test_revoked_valuation_makes_the_loan_callable_then_enforceable(s: LoanSetup) -> None:
    ledger, book, w3 = s.market.ledger, s.market.ledger.loans, s.market.ledger.w3
    loan_id = open_loan(s)
    with pytest.raises(ContractRevertError.named("LoanHealthy")):
        book.call_loan(loan_id, NOTICE, sender=s.lender)
    [attested] = ledger.valuations.attested_events(s.market.patent_id)
    ledger.valuations.revoke_for_cause(
        s.market.patent_id,
        attested["args"]["reportId"],
        "fraud",
        NOTICE,
        sender=s.market.actors.admin,
    )
    health = book.health(loan_id)
    assert (health.collateral_value, health.healthy) == (0, False)
    with pytest.raises(ContractRevertError.named("LoanNotLender")):
        book.call_loan(loan_id, NOTICE, sender=s.borrower)
    book.call_loan(loan_id, NOTICE, sender=s.lender)
    assert _kinds(s)[-1] is EvidenceKind.MARGIN_CALL
    view = book.loan(loan_id)
    assert LoanState(view["state"]) is LoanState.CALLED
    assert view["deadline"] == now(w3) + 30 * DAY
    with pytest.raises(ContractRevertError.named("LoanUnhealthy")):
        book.cure(loan_id, sender=s.borrower)
    with pytest.raises(ContractRevertError.named("LoanRemediationRunning")):
        book.enforce(loan_id, s.lender.address, 0, NOTICE, sender=s.lender)
    advance(w3, 30 * DAY)
    book.enforce(loan_id, s.lender.address, 0, NOTICE, sender=s.lender)
    [event] = book.contract.events.LoanEnforced().get_logs(from_block=w3.eth.block_number)
    [opened] = book.contract.events.LoanOpened().get_logs(from_block=0)
    elapsed = now(w3) - w3.eth.get_block(opened["blockNumber"])["timestamp"]
    debt = PRINCIPAL + PRINCIPAL * 500 * elapsed // BPS_YEAR
    # No valid valuation: the tokens are appraised at zero, the whole debt is a shortfall.
    assert (event["args"]["recovered"], event["args"]["shortfall"]) == (0, debt)
    assert s.market.token.balance_of(s.lender.address) == PLEDGED
    assert LoanState(book.loan(loan_id)["state"]) is LoanState.ENFORCED
    assert _kinds(s)[-1] is EvidenceKind.ENFORCEMENT


def test_lower_revaluation_is_cured_by_pledging_more(s: LoanSetup) -> None:
    ledger, book = s.market.ledger, s.market.ledger.loans
    loan_id = open_loan(s)
    lower = make(s.market, s.valuer, n=2, value=6_000_000_00)  # HKD 6M: LTV 100%
    ledger.valuations.attest(lower, signed(s.market, s.valuer, lower), sender=s.market.actors.admin)
    assert not book.health(loan_id).healthy
    book.call_loan(loan_id, NOTICE, sender=s.lender)
    book.pledge_more(loan_id, s.market.patent_id, PLEDGED, sender=s.borrower)
    assert LoanState(book.loan(loan_id)["state"]) is LoanState.ACTIVE  # cured: LTV 50%
    assert book.loan(loan_id)["pledges"] == [(s.market.patent_id, 2 * PLEDGED)]


def test_maturity_unpaid_makes_the_loan_callable(s: LoanSetup) -> None:
    book, w3 = s.market.ledger.loans, s.market.ledger.w3
    loan_id = open_loan(s, maturity=now(s.market.ledger.w3) + 60 * DAY)
    advance(w3, 61 * DAY)
    assert not book.health(loan_id).healthy
    book.call_loan(loan_id, NOTICE, sender=s.lender)


def test_redeploy_refuses_to_replace_a_book_with_loans(
    s: LoanSetup, session_ledger: SessionLedger, artifacts: dict[str, Artifact]
) -> None:
    open_loan(s)
    registry = artifacts["ValuationRegistry"]
    changed = {
        **artifacts,
        "ValuationRegistry": registry.model_copy(
            update={"deployed_bytecode": registry.deployed_bytecode + "00"}
        ),
    }
    with pytest.raises(DeploymentError, match="1 loan"):
        deploy(
            w3=s.market.ledger.w3,
            artifacts=changed,
            admin=s.market.actors.admin,
            previous=session_ledger.deployment,
        )
    # Nothing was replaced: the book still answers for its loan.
    assert s.market.ledger.loans.loan_count() == 1


def test_collateral_counts_zero_for_a_lapsed_patent_or_a_currency_without_rate(
    s: LoanSetup,
) -> None:
    ledger, book, admin = s.market.ledger, s.market.ledger.loans, s.market.actors.admin
    loan_id = open_loan(s)
    ledger.patents.set_status(s.market.patent_id, Status.LAPSED, sender=admin)
    assert book.health(loan_id).collateral_value == 0
    ledger.patents.set_status(s.market.patent_id, Status.GRANTED, sender=admin)
    assert book.health(loan_id).collateral_value == COLLATERAL
    ledger.patents.grant_role(Role.RISK, admin.address, sender=admin)
    ledger.policy.set_rate(ledger.addresses.payment_token, "HKD", 0, sender=admin)
    assert book.health(loan_id).collateral_value == 0  # HKD valuations no longer convert
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")):
        ledger.policy.set_rate(ledger.addresses.payment_token, "HKD", 1, sender=s.lender)


def test_field_factor_and_age_discount(s: LoanSetup) -> None:
    ledger, book, admin, w3 = (
        s.market.ledger,
        s.market.ledger.loans,
        s.market.actors.admin,
        s.market.ledger.w3,
    )
    loan_id = open_loan(s)
    ledger.patents.grant_role(Role.RISK, admin.address, sender=admin)
    ledger.policy.set_collateral_factor(int(Field.MECHANICAL), 2500, sender=admin)
    assert book.health(loan_id).collateral_value == COLLATERAL // 2
    ledger.policy.set_collateral_factor(int(Field.MECHANICAL), 5000, sender=admin)
    with pytest.raises(ContractRevertError.named("PolicyInvalid")):
        ledger.policy.set_collateral_factor(int(Field.MECHANICAL), 10_001, sender=admin)
    # The valuation is valid a year: 45 days before its end it counts half (90-day window).
    [attested] = ledger.valuations.attested_events(s.market.patent_id)
    valid_until = attested["args"]["validUntil"]
    set_next_time(w3, valid_until - 45 * DAY)
    # (A view may run a second either side of the mined block's time: one second's worth.)
    assert abs(book.health(loan_id).collateral_value - COLLATERAL // 2) <= COLLATERAL // (90 * DAY)
    set_next_time(w3, valid_until + 1)
    assert book.health(loan_id).collateral_value == 0  # expired


def test_basket_of_two_patents_and_several_loans(s: LoanSetup) -> None:
    ledger, book, actors = s.market.ledger, s.market.ledger.loans, s.market.actors
    other = open_market(ledger, actors, number="30088888")
    valuation = make(other, s.valuer, n=4, value=VALUE_CENTS)
    ledger.valuations.attest(valuation, signed(other, s.valuer, valuation), sender=actors.admin)
    other.token.transfer(s.borrower.address, PLEDGED, sender=actors.issuer)
    other.token.approve(ledger.addresses.loan_book, 2**256 - 1, sender=s.borrower)
    first, _ = book.offer(
        terms(s, principal=600_000 * HKD),
        [(s.market.patent_id, PLEDGED), (other.patent_id, PLEDGED)],
        sender=s.lender,
    )
    book.accept(first, sender=s.borrower)
    assert book.health(first).collateral_value == 2 * COLLATERAL
    second = open_loan(s)  # the borrower's other PLEDGED tokens of the first patent
    assert book.pledged_of(s.borrower.address, s.market.patent_id) == 2 * PLEDGED
    assert book.loans_of(s.borrower.address, as_lender=False) == [first, second]
    assert book.loans_of(s.lender.address, as_lender=True) == [first, second]
    assert [h.collateral_value for h in book.health_of([first, second])] == [
        2 * COLLATERAL,
        COLLATERAL,
    ]


def test_wrong_callers_and_states_are_refused_by_name(s: LoanSetup) -> None:
    book, w3 = s.market.ledger.loans, s.market.ledger.w3
    with pytest.raises(ContractRevertError.named("LoanUnknown")):
        book.health(42)
    loan_id, _ = book.offer(terms(s), [(s.market.patent_id, PLEDGED)], sender=s.lender)
    with pytest.raises(ContractRevertError.named("LoanNotLender")):
        book.cancel(loan_id, sender=s.buyer)  # neither side
    with pytest.raises(ContractRevertError.named("LoanWrongState")):
        book.repay(loan_id, 1, sender=s.borrower)  # not open yet
    book.accept(loan_id, sender=s.borrower)
    with pytest.raises(ContractRevertError.named("LoanNotBorrower")):
        book.pledge_more(loan_id, s.market.patent_id, 1, sender=s.lender)
    with pytest.raises(ContractRevertError.named("LoanWrongState")):
        book.bid(loan_id, 1, sender=s.buyer)  # only a called loan takes bids
    with pytest.raises(ContractRevertError.named("LoanWrongState")):
        book.enforce(loan_id, s.lender.address, 0, NOTICE, sender=s.lender)
    advance(w3, YEAR + DAY)  # matured unpaid
    book.call_loan(loan_id, NOTICE, sender=s.lender)
    with pytest.raises(ContractRevertError.named("LoanNotLender")):
        book.enforce(loan_id, s.buyer.address, 0, NOTICE, sender=s.buyer)
    with pytest.raises(ContractRevertError.named("LoanNotEligible")):
        book.bid(loan_id, 1, sender=s.market.actors.outsider)
    advance(w3, 31 * DAY)
    with pytest.raises(ContractRevertError.named("LoanUnhealthy")):
        book.cure(loan_id, sender=s.borrower)
