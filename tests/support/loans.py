"""A loan on the session ledger: Harbour-Bank-like lender, an SME borrower holding 10% of
the market's patent tokens, and an accredited valuation the collateral rests on."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ipledger.chain.tx import NodeAccount
from ipledger.models import LoanTerms, Role
from tests.support.chain import now
from tests.support.suite import HKD, TOKEN, YEAR, Market, accredit_valuer
from tests.support.valuations import make, signed

DAY = 86400
PLEDGED = 100_000 * TOKEN  # 10% of the supply
VALUE_CENTS = 12_500_000_00  # the valuation: HKD 12.5M
# 10% of HKD 12.5M x the mechanical field's 50% = HKD 625,000 of collateral.
COLLATERAL = 625_000 * HKD
PRINCIPAL = 300_000 * HKD
AGREEMENT = keccak(text="loan agreement 1")
NOTICE = keccak(text="margin call notice")


@dataclass(frozen=True)
class LoanSetup:
    market: Market
    valuer: LocalAccount
    lender: NodeAccount
    borrower: NodeAccount
    buyer: NodeAccount


def loan_setup(market: Market) -> LoanSetup:
    """Valued patent, a listed bank with money approved to the book, a listed borrower
    holding PLEDGED tokens approved to the book."""
    ledger, actors = market.ledger, market.actors
    valuer = accredit_valuer(market)
    valuation = make(market, valuer, value=VALUE_CENTS)
    ledger.valuations.attest(valuation, signed(market, valuer, valuation), sender=actors.admin)
    borrower, lender, buyer = actors.investors[0], actors.investors[1], actors.investors[2]
    ledger.patents.grant_role(Role.LENDER, lender.address, sender=actors.admin)
    book = ledger.addresses.loan_book
    for who in (lender, buyer):
        market.payment._send("mint", who.address, 10_000_000 * HKD, sender=actors.admin)
        market.payment._send("approve", book, 2**256 - 1, sender=who)
    market.payment._send("mint", borrower.address, 1_000_000 * HKD, sender=actors.admin)
    market.payment._send("approve", book, 2**256 - 1, sender=borrower)
    market.token.transfer(borrower.address, 2 * PLEDGED, sender=actors.issuer)
    market.token.approve(book, 2**256 - 1, sender=borrower)
    return LoanSetup(market, valuer, lender, borrower, buyer)


def terms(s: LoanSetup, **overrides: object) -> LoanTerms:
    w3 = s.market.ledger.w3
    fields: dict[str, object] = {
        "borrower": s.borrower.address,
        "asset": s.market.ledger.addresses.payment_token,
        "principal": PRINCIPAL,
        "rate_bps": 500,  # 5% a year
        "max_ltv_bps": 6000,
        "liquidation_ltv_bps": 7500,
        "sweep_bps": 5000,
        "maturity": now(w3) + YEAR,
        "remediation_period": 30 * DAY,
        "offer_expiry": now(w3) + 7 * DAY,
        "agreement_hash": AGREEMENT,
    }
    fields.update(overrides)
    return LoanTerms(**fields)  # type: ignore[arg-type]


def open_loan(s: LoanSetup, amount: int = PLEDGED, **overrides: object) -> int:
    """Offer and accept a loan pledging `amount` of the market's tokens; its id."""
    book = s.market.ledger.loans
    loan_id, _ = book.offer(terms(s, **overrides), [(s.market.patent_id, amount)], sender=s.lender)
    book.accept(loan_id, sender=s.borrower)
    return loan_id
