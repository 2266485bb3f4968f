"""A tokenised patent with listed investors, on the session ledger (reverted per test)."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from ipledger.clients.ledger import Ledger
from tests.support.loans import LoanSetup, loan_setup
from tests.support.suite import Actors, Market, accredit_valuer, open_market


@pytest.fixture
def market(ledger: Ledger, actors: Actors) -> Market:
    return open_market(ledger, actors)


@pytest.fixture
def valuer(market: Market) -> LocalAccount:
    return accredit_valuer(market)


@pytest.fixture
def s(market: Market) -> LoanSetup:
    """A valued market with a lending bank and a borrower holding tokens to pledge."""
    return loan_setup(market)
