"""Stateful property test of the valuation registry against a model: after every step,
`latestValuation` is the newest valuation (by date, then by attestation order) that is
neither revoked nor expired, and attested/revoked flags and the subsidy count agree."""

from __future__ import annotations

import datetime as dt

import pytest
from eth_account import Account
from eth_utils.crypto import keccak
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ipledger.eip712 import sign_valuation
from ipledger.errors import ContractRevertError
from ipledger.tx import KeyAccount
from ipledger.types import Method, Valuation, report_id_of
from tests.chaintools import ViewBatch, advance, now
from tests.contracts.conftest import Market

pytestmark = pytest.mark.stateful

DAY = 86400


def test_valuation_registry_matches_model(market: Market) -> None:
    ledger = market.ledger
    w3 = ledger.w3
    valuer = Account.from_key(keccak(text="stateful valuer"))
    ledger.valuations.set_valuer(
        valuer.address,
        name="V",
        jurisdiction="HK",
        accredited_until=2**40,
        sender=market.actors.admin,
    )
    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction(
            {"from": market.actors.admin.address, "to": valuer.address, "value": 10**19}
        )
    )
    as_valuer = KeyAccount(valuer)
    domain = ledger.valuations.domain()
    views = ViewBatch(ledger, market.actors.admin)
    max_age = ledger.valuations._call("MAX_AGE")
    max_late_steps = ledger.valuations._call("MAX_LATE_STEPS")
    min_validity = ledger.valuations._call("MIN_VALIDITY")
    max_walk = ledger.valuations._call("MAX_WALK")
    assert (max_age, max_late_steps, min_validity) == (365 * DAY, 8, 30 * DAY)

    class ValuationMachine(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            self.snapshot = w3.testing.snapshot()
            self.records: list[dict[str, object]] = []  # in attestation order

        def teardown(self) -> None:
            w3.testing.revert(self.snapshot)

        @rule(
            age_days=st.integers(0, 400), valid_days=st.integers(1, 120), subsidised=st.booleans()
        )
        def attest(self, age_days: int, valid_days: int, subsidised: bool) -> None:
            t = now(w3)
            n = len(self.records)  # the chain is reverted between examples: ids may repeat
            date = t - age_days * DAY
            v = Valuation(
                report_id=report_id_of(valuer.address, f"sv-{n}"),
                patent_id=market.patent_id,
                valuer=valuer.address,
                value=1000 + n,
                currency="HKD",
                valuation_date=date,
                valid_until=date + valid_days * DAY,
                method=Method.MARKET,
                standard="GB/T 42748-2023",
                citation_network=1,
                commercial_application=2,
                technology_maturity=3,
                market_potential=4,
                report_hash=keccak(text=f"doc {n}"),
                subsidised=subsidised,
            )
            signature = sign_valuation(valuer, domain, v)
            later = [r for r in self.records if r["v"].valuation_date > date]  # type: ignore[attr-defined]
            live_later = [
                r
                for r in later
                if not r["revoked"] and r["v"].valid_until > t  # type: ignore[attr-defined]
            ]
            # Dates are whole days from `t`. The transaction's block is at `t` or a little
            # after (anvil may mine it in the same second), so a date exactly on a bound
            # could go either way: those are not tried.
            if v.valid_until == t + min_validity or date + max_age == t:
                return
            expected = (
                "ValuationExpired"
                if v.valid_until < t + min_validity
                else "ValuationTooOld"
                if date + max_age < t
                else "ValuationSuperseded"
                if len(live_later) > max_late_steps or len(later) > max_walk
                else None
            )
            if expected is not None:
                with pytest.raises(ContractRevertError.named(expected)):
                    ledger.valuations.attest(v, signature, sender=market.actors.admin)
                return
            ledger.valuations.attest(v, signature, sender=market.actors.admin)
            year = _year(now(w3)) if subsidised else None
            self.records.append({"v": v, "revoked": False, "subsidy_year": year})

        @rule(pick=st.integers(0, 1000))
        def revoke(self, pick: int) -> None:
            live = [r for r in self.records if not r["revoked"]]
            if not live:
                return
            record = live[pick % len(live)]
            ledger.valuations.revoke(record["v"].report_id, "restated", sender=as_valuer)  # type: ignore[attr-defined]
            record["revoked"] = True
            if record["subsidy_year"] == _year(now(w3)):  # revoked within its year: slot back
                record["subsidy_year"] = None

        @rule(days=st.integers(1, 45))
        def time_passes(self, days: int) -> None:
            advance(w3, days * DAY)

        @invariant()
        def latest_matches_model(self) -> None:
            if not hasattr(self, "records"):
                return
            t = now(w3)
            valid = [
                (r["v"].valuation_date, i, r["v"])  # type: ignore[attr-defined]
                for i, r in enumerate(self.records)
                if not r["revoked"] and r["v"].valid_until > t  # type: ignore[attr-defined]
            ]
            latest = ledger.valuations.latest_valuation(market.patent_id)
            if not valid:
                assert latest is None
            else:
                expected = max(valid, key=lambda x: (x[0], x[1]))[2]
                assert latest is not None
                assert latest.report_id == expected.report_id

        @invariant()
        def flags_and_subsidy_count_agree(self) -> None:
            if not hasattr(self, "records"):
                return
            years: dict[int, int] = {}
            for r in self.records:
                year = r["subsidy_year"]
                if isinstance(year, int):
                    years[year] = years.get(year, 0) + 1
            registry = ledger.valuations.contract.functions
            ids = [r["v"].report_id for r in self.records]  # type: ignore[attr-defined]
            answers = views.read(
                [registry.isAttested(i) for i in ids]
                + [registry.isRevoked(i) for i in ids]
                + [registry.subsidisedIn(year) for year in years]
            )
            n = len(ids)
            assert answers[:n] == [True] * n
            assert answers[n : 2 * n] == [r["revoked"] for r in self.records]
            assert answers[2 * n :] == list(years.values())

    run_state_machine_as_test(ValuationMachine, settings=settings(deadline=None))


def _year(timestamp: int) -> int:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).year
