"""The lending world the token state machine's loan rules act on: the market valued
by an accredited valuer, a listed bank with the lender role, and two loans open from
the start (one of them called), as `LoanModel`s the machine starts from."""

from __future__ import annotations

from dataclasses import dataclass, replace

from web3 import Web3
from web3.types import TxReceipt

from ipledger.chain.tx import NodeAccount
from ipledger.models import LoanTerms, Role, Status
from tests.support.chain import CheckedState, LoanProbe, TokenProbe, advance, now
from tests.support.loan_model import BPS, YEAR, LoanModel
from tests.support.suite import HKD, SUPPLY, Market, accredit_valuer
from tests.support.valuations import make, signed

DAY = 86400
MAX_LTV, LIQUIDATION_LTV = 6000, 7500
NO_COLLATERAL = 2**32 - 1
START_SHARE = SUPPLY // 10  # each investor's tokens when the machine starts
AGREEMENT = Web3.keccak(text="loan agreement")
NOTICE = Web3.keccak(text="notice")


@dataclass(frozen=True)
class World:
    """What the machine acts on: the market, its holders, a bank and the probes."""

    market: Market
    holders: list[NodeAccount]  # the issuer, then the investors
    lender: NodeAccount
    addresses: list[str]  # holders, lender, book: the model's indices
    probe: TokenProbe
    loan_probe: LoanProbe
    checked: CheckedState
    balances: tuple[int, ...] = ()  # each model index's tokens when an example starts
    loans: tuple[LoanModel, ...] = ()  # the loans open then

    def terms(self, who: int, principal: int, rate: int, sweep: int) -> LoanTerms:
        t0 = now(self.w3)
        return LoanTerms(
            borrower=self.holders[who].address,
            asset=self.market.ledger.addresses.payment_token,
            principal=principal,
            rate_bps=rate,
            max_ltv_bps=MAX_LTV,
            liquidation_ltv_bps=LIQUIDATION_LTV,
            sweep_bps=sweep,
            maturity=t0 + 5 * YEAR,
            remediation_period=DAY,
            offer_expiry=t0 + YEAR,
            agreement_hash=AGREEMENT,
        )

    def open(self, who: int, amount: int, principal: int, rate: int, sweep: int) -> LoanModel:
        """A loan the bank offers and holder `who` accepts, as the model starts it."""
        book = self.market.ledger.loans
        pledge = [(self.market.patent_id, amount)]
        terms = self.terms(who, principal, rate, sweep)
        loan_id, _ = book.offer(terms, pledge, sender=self.lender)
        opened = self.time_of(book.accept(loan_id, sender=self.holders[who]))
        return LoanModel(loan_id, who, principal, rate, sweep, DAY, opened, amount)

    @property
    def w3(self) -> Web3:
        return self.market.ledger.w3

    def value(self, amount: int) -> int:
        """What `amount` pledged tokens are worth as collateral now (the book's policy)."""
        ledger = self.market.ledger
        return int(
            ledger.policy.contract.functions.pledgeValue(
                self.market.patent_id, amount, SUPPLY, ledger.addresses.payment_token, True, b"HK"
            ).call()
        )

    def time_of(self, receipt: TxReceipt) -> int:
        return int(self.w3.eth.get_block(receipt["blockNumber"])["timestamp"])


def lending_world(market: Market, probe: TokenProbe) -> World:
    """The market valued by an accredited valuer, a listed bank holding the lender role
    with money approved to the book, and the investors' tokens and money approved to it."""
    ledger, actors = market.ledger, market.actors
    valuer = accredit_valuer(market)
    valuation = make(market, valuer)
    ledger.valuations.attest(valuation, signed(market, valuer, valuation), sender=actors.admin)
    lender = NodeAccount(Web3.to_checksum_address(ledger.w3.eth.accounts[8]))
    ledger.investors.set_investor(
        lender.address, jurisdiction="HK", expiry=2**40, sender=actors.admin
    )
    ledger.patents.grant_role(Role.LENDER, lender.address, sender=actors.admin)
    book = ledger.addresses.loan_book
    for who in (lender, *actors.investors):
        market.payment._send("mint", who.address, 100_000_000 * HKD, sender=actors.admin)
        market.payment._send("approve", book, 2**256 - 1, sender=who)
    for who in actors.investors:
        market.token.approve(book, 2**256 - 1, sender=who)
        market.token.transfer(who.address, START_SHARE, sender=actors.issuer)
    holders = [actors.issuer, *actors.investors]
    world = World(
        market=market,
        holders=holders,
        lender=lender,
        addresses=[h.address for h in holders] + [lender.address, book],
        probe=probe,
        loan_probe=LoanProbe(ledger, actors.admin),
        checked=CheckedState(ledger.w3),
    )
    # Two loans from the start, so that each example services, cures and enforces them.
    pledged = START_SHARE // 2
    loans = (
        world.open(1, pledged, world.value(pledged) * 4000 // BPS, 500, 5000),
        world.open(2, pledged, world.value(pledged) * 2000 // BPS, 2000, 10_000),
    )
    # The second called while the patent had lapsed (restored since), its remediation
    # period over: curable, or enforceable if the patent lapses again.
    ledger.patents.set_status(market.patent_id, Status.LAPSED, sender=actors.admin)
    called = loans[1]
    receipt = ledger.loans.call_loan(called.loan_id, NOTICE, sender=lender)
    called.accrue(world.time_of(receipt))
    called.state, called.deadline = "called", called.last + called.remediation
    ledger.patents.set_status(market.patent_id, Status.GRANTED, sender=actors.admin)
    advance(ledger.w3, 2 * DAY)  # its remediation period is over
    balances, _, _ = probe.read(market.token.address, world.addresses)
    return replace(world, balances=tuple(balances), loans=loans)


def ltv_of(debt: int, value: int) -> int:
    if debt == 0:
        return 0
    return NO_COLLATERAL if value == 0 else min(-(-debt * BPS // value), NO_COLLATERAL)
