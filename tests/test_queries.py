from __future__ import annotations

import pytest
from eth_account import Account
from eth_utils.crypto import keccak

from ipledger.chain.eip712 import sign_valuation
from ipledger.clients.ledger import Ledger
from ipledger.models import report_id_of
from ipledger.read.queries import (
    evidence_trail,
    holdings,
    holdings_per_token,
    patent_summaries,
    revenue_history,
    valuation_history,
)
from tests.support.chain import now
from tests.support.suite import TOKEN, Actors, Market, open_market
from tests.support.valuations import make_valuation


@pytest.fixture
def market(ledger: Ledger, actors: Actors) -> Market:
    return open_market(ledger, actors)


def _value(m: Market, n: int, value: int) -> None:
    valuer = Account.from_key(keccak(text="query test valuer"))
    m.ledger.valuations.set_valuer(
        valuer.address, name="V", jurisdiction="HK", accredited_until=2**40, sender=m.actors.admin
    )
    t = now(m.ledger.w3)
    v = make_valuation(
        valuer=valuer.address,
        patent_id=m.patent_id,
        now=t,
        report_id=report_id_of(valuer.address, f"q{n}"),
        value=value,
        valuation_date=t - 10,
        report_hash=keccak(text=f"doc{n}"),
    )
    m.ledger.valuations.attest(
        v, sign_valuation(valuer, m.ledger.valuations.domain(), v), sender=m.actors.admin
    )


def test_lens_holdings_match_per_token_reads(market: Market) -> None:
    other = open_market(market.ledger, market.actors, number="30066666")
    investor = market.actors.investors[0]
    market.token.transfer(investor.address, 250_000 * TOKEN, sender=market.actors.issuer)
    other.token.transfer(investor.address, 10 * TOKEN, sender=market.actors.issuer)
    market.token.deposit_revenue(1_000_000, keccak(text="r"), sender=market.actors.issuer)
    _value(market, 1, 8_000_000_00)
    lens = holdings(market.ledger, investor.address)
    assert lens == holdings_per_token(market.ledger, investor.address)
    first, second = lens.holdings
    assert (first.patent_id, first.balance, first.claimable) == (
        market.patent_id,
        250_000 * TOKEN,
        250_000,
    )
    assert first.valuation is not None
    assert first.implied_value == 2_000_000_00  # a quarter of HKD 8,000,000.00
    assert second.valuation is None
    assert second.implied_value is None


def test_lens_pages_through_the_index(market: Market) -> None:
    markets = [open_market(market.ledger, market.actors, number=f"3007000{i}") for i in range(3)]
    investor = market.actors.investors[1].address
    for m in [market, *markets]:
        m.token.transfer(investor, TOKEN, sender=market.actors.issuer)
    rows, next_offset = market.ledger.lens.holdings_page(investor, 0, 2)
    assert (len(rows), next_offset) == (2, 2)
    rows, next_offset = market.ledger.lens.holdings_page(investor, 2, 2)
    assert (len(rows), next_offset) == (2, 0)
    rows, next_offset = market.ledger.lens.holdings_page(investor, 10, 2)
    assert (rows, next_offset) == ([], 0)
    assert len(market.ledger.lens.all_holdings(investor)) == 4


def test_investor_without_holdings(market: Market) -> None:
    assert holdings(market.ledger, market.actors.outsider.address).holdings == []


def test_patent_summaries_and_valuation_history(market: Market) -> None:
    _value(market, 1, 100)
    _value(market, 2, 200)
    market.token.deposit_revenue(5000, keccak(text="r"), sender=market.actors.issuer)
    [summary] = patent_summaries(market.ledger)
    assert summary.patent_id == market.patent_id
    assert summary.token == market.token.address
    assert summary.revenue_deposited == 5000
    assert summary.evidence_entries == 3  # two valuations and one revenue report
    assert summary.latest_valuation is not None
    history = valuation_history(market.ledger, market.patent_id)
    assert [v.value for v in history] == [100, 200]
    assert evidence_trail(market.ledger, market.patent_id).ok


def test_revenue_history_from_events(market: Market) -> None:
    assert revenue_history(market.ledger, market.patent_id) == []
    market.token.deposit_revenue(700, keccak(text="q1"), sender=market.actors.issuer)
    market.token.deposit_revenue(300, keccak(text="q2"), sender=market.actors.issuer)
    history = revenue_history(market.ledger, market.patent_id)
    assert [(d.seq, d.amount, d.report_hash) for d in history] == [
        (1, 700, keccak(text="q1")),
        (2, 300, keccak(text="q2")),
    ]
    assert history[0].depositor == market.actors.issuer.address


def test_history_marks_valuations_of_a_withdrawn_valuer(market: Market) -> None:
    """A client picking the latest valuation itself must see it counts no more."""
    _value(market, 1, 5_000_000_00)
    [before] = valuation_history(market.ledger, market.patent_id)
    assert before.valuer_withdrawn is False
    market.ledger.valuations.remove_valuer(before.valuer, sender=market.actors.admin)
    [after] = valuation_history(market.ledger, market.patent_id)
    assert (after.revoked, after.valuer_withdrawn) == (False, True)


def test_patent_summaries_page_past_the_first_page(market: Market) -> None:
    for number in ("30070001", "30070002", "30070003", "30070004"):
        open_market(market.ledger, market.actors, number=number)
    everything = patent_summaries(market.ledger)
    assert len(everything) == 5
    assert patent_summaries(market.ledger, page=2) == everything  # three pages of two
    assert len({s.patent_id for s in everything}) == 5
