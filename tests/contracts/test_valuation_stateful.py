"""Stateful property test of the valuation registry against a model.

Two valuers (one whose accreditation lapses, either may be withdrawn for cause), two
registered patents and one unknown, a subsidy cap of 3. Rules: attestations (alone and
in batches) with every rejection the contract makes, asserted by name in the order it
checks (a report id squatted, a future date, too short a validity, too old, a replay,
an unaccredited valuer, an unknown patent, the cap, a late valuation with too many
newer ones); revocations by the valuer and by signature, by someone else, twice;
withdrawals; time passing. After every step: each patent's `latestValuation` is its
newest live valuation (by date, then attestation order), and the yearly subsidy counts
and withdrawals agree with the model; each attestation and revocation is read back; every
record's attested and revoked flags are swept at the end of each example.
"""

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

from ipledger.chain.eip712 import sign_revocation, sign_valuation
from ipledger.chain.tx import KeyAccount
from ipledger.errors import ContractRevertError
from ipledger.models import Field, Valuation, patent_id, report_id_of
from tests.support.chain import CheckedState, ViewBatch, advance, now
from tests.support.suite import Market, register
from tests.support.valuations import make_valuation

pytestmark = pytest.mark.stateful

DAY = 86400
CAP = 3


def test_valuation_registry_matches_model(market: Market) -> None:
    ledger = market.ledger
    w3 = ledger.w3
    admin = market.actors.admin
    valuers = [Account.from_key(keccak(text=f"stateful valuer {n}")) for n in (0, 1)]
    for valuer in valuers:
        w3.eth.wait_for_transaction_receipt(
            w3.eth.send_transaction({"from": admin.address, "to": valuer.address, "value": 10**19})
        )
    senders = [KeyAccount(v) for v in valuers]
    second = register(ledger, admin, "30077777", field=Field.ELECTRICAL)
    patents = [market.patent_id, second, patent_id("HK", "30077778")]  # the last: unknown
    domain = ledger.valuations.domain()
    views = ViewBatch(ledger, admin)
    checked = CheckedState(w3)
    bounds = [ledger.valuations._call(n) for n in ("MAX_AGE", "MIN_VALIDITY", "MAX_LATE_STEPS")]
    assert bounds == [365 * DAY, 30 * DAY, 8]
    max_age, min_validity, max_late_steps = bounds

    class ValuationMachine(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            self.snapshot = w3.testing.snapshot()
            t = now(w3)
            self.until = [2**40, t + 60 * DAY]  # valuer 1's accreditation lapses
            for valuer, until in zip(valuers, self.until, strict=True):
                ledger.valuations.set_valuer(
                    valuer.address,
                    name="V",
                    jurisdiction="HK",
                    accredited_until=until,
                    sender=admin,
                )
            ledger.valuations._send("setSubsidyCap", CAP, sender=admin)
            self.withdrawn = [False, False]
            self.records: list[dict[str, object]] = []  # in attestation order
            self.n = 0

        def teardown(self) -> None:
            try:
                self._flags_agree()
            finally:
                w3.testing.revert(self.snapshot)

        def _flags_agree(self) -> None:
            """Every record's attested and revoked flags (write-once and one-way, so they
            are swept once per example; each step checks the ones it changes)."""
            if not getattr(self, "records", None):
                return
            registry = ledger.valuations.contract.functions
            ids = [r["v"].report_id for r in self.records]  # type: ignore[attr-defined]
            answers = views.read(
                [registry.isAttested(i) for i in ids] + [registry.isRevoked(i) for i in ids]
            )
            assert answers[: len(ids)] == [True] * len(ids)
            assert answers[len(ids) :] == [r["revoked"] for r in self.records]

        def _valuation(
            self, who: int, patent: int, date: int, valid_days: int, sub: bool, squat: bool
        ) -> Valuation:
            self.n += 1
            owner = valuers[1 - who] if squat else valuers[who]
            return make_valuation(
                valuer=valuers[who].address,
                patent_id=patents[patent],
                now=date + DAY,
                n=self.n,
                report_id=report_id_of(owner.address, f"sv-{self.n}"),
                value=1000 + self.n,
                valid_until=date + valid_days * DAY,
                subsidised=sub,
            )

        def _live(self, r: dict[str, object], t: int) -> bool:
            v = r["v"]
            return not r["revoked"] and v.valid_until > t and not self.withdrawn[r["who"]]  # type: ignore[attr-defined, index]

        def _expected(self, v: Valuation, who: int, patent: int, t: int) -> str | None:
            """The rejection `_check` gives, in its order; "?" when the block's second decides."""
            if v.report_id[:20] != bytes.fromhex(v.valuer[2:]):
                return "ReportIdNotValuers"
            if v.valuation_date > t + 5:
                return "DateInFuture"
            if v.valid_until == t + min_validity or v.valuation_date + max_age == t:
                return "?"
            if v.valid_until < t + min_validity:
                return "Expired"
            if v.valuation_date + max_age < t:
                return "TooOld"
            if any(r["v"].report_id == v.report_id for r in self.records):  # type: ignore[attr-defined]
                return "AlreadyAttested"
            until = 0 if self.withdrawn[who] else self.until[who]
            if abs(until - t) <= 5 or _year(t) != _year(t + 10):
                return "?"
            if t >= until:
                return "UnaccreditedValuer"
            if patent == 2:
                return "UnknownPatent"
            if v.subsidised and self._subsidised(_year(t)) >= CAP:
                return "SubsidyCapReached"
            same = [r for r in self.records if r["patent"] == patent]
            later = [r for r in same if r["v"].valuation_date > v.valuation_date]  # type: ignore[attr-defined]
            if sum(self._live(r, t) for r in later) > max_late_steps:
                return "Superseded"
            return None

        def _subsidised(self, year: int) -> int:
            return sum(1 for r in self.records if r["subsidy_year"] == year)

        def _record(self, v: Valuation, who: int, patent: int) -> None:
            year = _year(now(w3)) if v.subsidised else None
            self.records.append(
                {"v": v, "who": who, "patent": patent, "revoked": False, "subsidy_year": year}
            )

        @rule(
            who=st.integers(0, 1),
            patent=st.integers(0, 2),
            age_days=st.integers(-2, 400),
            valid_days=st.integers(1, 120),
            sub=st.booleans(),
            squat=st.booleans(),
        )
        def attest(
            self, who: int, patent: int, age_days: int, valid_days: int, sub: bool, squat: bool
        ) -> None:
            t = now(w3)
            v = self._valuation(
                who, patent, t - age_days * DAY, valid_days, sub, squat and who == 0
            )
            expected = self._expected(v, who, patent, t)
            if expected == "?":
                return
            signature = sign_valuation(valuers[who], domain, v)
            if expected is not None:
                with pytest.raises(ContractRevertError.named(f"Valuation{expected}")):
                    ledger.valuations.attest(v, signature, sender=admin)
                return
            ledger.valuations.attest(v, signature, sender=admin)
            self._record(v, who, patent)
            assert ledger.valuations.is_attested(v.report_id)

        @rule(who=st.integers(0, 1), count=st.integers(1, 3), age_days=st.integers(0, 20))
        def attest_batch(self, who: int, count: int, age_days: int) -> None:
            t = now(w3)
            items = [
                self._valuation(who, n % 2, t - (age_days + n) * DAY, 60, n == 0, False)
                for n in range(count)
            ]
            outcomes = []
            for v in items:  # one after another, as the contract records them
                expected = self._expected(v, who, patents.index(v.patent_id), t)
                if expected == "?":
                    return
                outcomes.append(expected)
                if expected is None:
                    self._record(v, who, patents.index(v.patent_id))
            signed = [(v, sign_valuation(valuers[who], domain, v)) for v in items]
            _, skipped = ledger.valuations.attest_batch(signed, sender=admin)
            reasons = {e["args"]["reportId"]: e["args"]["reason"] for e in skipped}
            for v, expected in zip(items, outcomes, strict=True):
                assert (v.report_id in reasons) == (expected is not None), (expected, reasons)

        @rule(pick=st.integers(0, 1000))
        def replay(self, pick: int) -> None:
            """The same signed valuation again: refused (already attested, unless an
            earlier check such as its age now refuses it first)."""
            if not self.records:
                return
            record = self.records[pick % len(self.records)]
            v, who, patent = record["v"], int(record["who"]), int(record["patent"])  # type: ignore[call-overload]
            expected = self._expected(v, who, patent, now(w3))  # type: ignore[arg-type]
            if expected == "?":
                return
            assert expected is not None
            signature = sign_valuation(valuers[who], domain, v)  # type: ignore[arg-type]
            with pytest.raises(ContractRevertError.named(f"Valuation{expected}")):
                ledger.valuations.attest(v, signature, sender=admin)  # type: ignore[arg-type]

        @rule(pick=st.integers(0, 1000), how=st.sampled_from(["own", "sig", "other"]))
        def revoke(self, pick: int, how: str) -> None:
            if not self.records:
                return
            record = self.records[pick % len(self.records)]
            v, who = record["v"], int(record["who"])  # type: ignore[call-overload]
            rid = v.report_id  # type: ignore[attr-defined]
            if how == "other":
                with pytest.raises(ContractRevertError.named("ValuationNotValuer")):
                    ledger.valuations.revoke(rid, "not mine", sender=senders[1 - who])
                return
            t = now(w3)
            if record["revoked"]:
                with pytest.raises(ContractRevertError.named("ValuationAlreadyRevoked")):
                    ledger.valuations.revoke(rid, "again", sender=senders[who])
                return
            if record["subsidy_year"] is not None and _year(t) != _year(t + 10):
                return  # the slot's year is decided by the block's second
            if how == "own":
                ledger.valuations.revoke(rid, "restated", sender=senders[who])
            else:
                signature = sign_revocation(valuers[who], domain, rid, "restated")
                ledger.valuations.revoke_by_sig(rid, "restated", signature, sender=admin)
            record["revoked"] = True
            assert ledger.valuations.is_revoked(rid)
            if record["subsidy_year"] == _year(t):  # revoked within its year: slot back
                record["subsidy_year"] = None

        @rule(pick=st.integers(0, 1000), wrong=st.booleans())
        def revoke_for_cause(self, pick: int, wrong: bool) -> None:
            """The accreditor, citing evidence; under another patent's id only an entry
            that counts nowhere any more (expired, withdrawn) is found."""
            if not self.records:
                return
            record = self.records[pick % len(self.records)]
            v, patent = record["v"], int(record["patent"])  # type: ignore[call-overload]
            rid, t = v.report_id, now(w3)  # type: ignore[attr-defined]
            if abs(v.valid_until - t) < 60:  # type: ignore[attr-defined]
                return  # dead or not depends on the block's second
            if record["subsidy_year"] is not None and _year(t) != _year(t + 10):
                return
            named = patents[1 - patent] if wrong else patents[patent]
            call = (named, rid, "conflict of interest", keccak(text=f"finding {pick}"))
            dead = v.valid_until <= t or self.withdrawn[int(record["who"])]  # type: ignore[attr-defined, call-overload]
            if record["revoked"]:
                expected: str | None = "AlreadyRevoked"
            elif wrong and not dead:
                expected = "WrongPatent"
            else:
                expected = None
            if expected is not None:
                with pytest.raises(ContractRevertError.named(f"Valuation{expected}")):
                    ledger.valuations.revoke_for_cause(*call, sender=admin)
                return
            ledger.valuations.revoke_for_cause(*call, sender=admin)
            record["revoked"] = True
            if record["subsidy_year"] == _year(t):  # revoked within its year: slot back
                record["subsidy_year"] = None

        @rule(patent=st.integers(0, 1), steps=st.integers(0, 6))
        def prune(self, patent: int, steps: int) -> None:
            """Anyone may unlink dead entries: what counts must not change (checked by
            the invariant after every step)."""
            ledger.valuations.prune(patents[patent], steps, sender=admin)

        @rule(who=st.integers(0, 1))
        def withdraw(self, who: int) -> None:
            if self.withdrawn[who]:
                with pytest.raises(ContractRevertError.named("ValuationInvalidValuer")):
                    ledger.valuations.remove_valuer(valuers[who].address, sender=admin)
                return
            ledger.valuations.remove_valuer(valuers[who].address, sender=admin)
            self.withdrawn[who] = True

        @rule(days=st.integers(1, 45))
        def time_passes(self, days: int) -> None:
            advance(w3, days * DAY)

        @invariant()
        def chain_matches_model(self) -> None:
            """What any step can change, read in one eth_call: each patent's latest valid
            valuation, the subsidy counts, the withdrawals."""
            if not hasattr(self, "records"):
                return
            model = (self.records, self.withdrawn)
            if checked.unchanged(model):
                return
            t = now(w3)
            years = sorted({int(r["subsidy_year"]) for r in self.records if r["subsidy_year"]})  # type: ignore[call-overload]
            registry = ledger.valuations.contract.functions
            answers = views.read(
                [registry.latestValuation(pid) for pid in patents[:2]]
                + [registry.subsidisedIn(year) for year in years]
                + [registry.isWithdrawn(v.address) for v in valuers]
            )
            latest, answers = answers[:2], answers[2:]
            for index, (found, report_id, *_rest) in enumerate(latest):
                live = [
                    (r["v"].valuation_date, i, r["v"].report_id)  # type: ignore[attr-defined]
                    for i, r in enumerate(self.records)
                    if r["patent"] == index and self._live(r, t)
                ]
                expected = max(live)[2] if live else None
                assert (report_id if found else None) == expected
            assert answers[: len(years)] == [self._subsidised(y) for y in years]
            assert answers[len(years) :] == self.withdrawn
            checked.held(model)

    run_state_machine_as_test(ValuationMachine, settings=settings(deadline=None))


def _year(timestamp: int) -> int:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).year
