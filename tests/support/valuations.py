"""Valuations for the registry's tests: one signed valuation with overrides, and the
valuer's own key to send with."""

from __future__ import annotations

import datetime as dt

from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ipledger.chain.eip712 import sign_valuation
from ipledger.chain.tx import KeyAccount
from ipledger.models import Method, Purpose, Valuation, report_id_of
from tests.support.chain import now
from tests.support.suite import YEAR, Market

DAY = 86400
OTHER_KEY = keccak(text="another accredited valuer")


def make_valuation(
    *, valuer: str, patent_id: bytes, now: int, n: int = 1, **overrides: object
) -> Valuation:
    """A valuation `valuer` could sign at chain time `now`: dated the day before, valid a
    year, report id "HKTIS-2026-<n>" under the valuer's address; any field overridden."""
    fields: dict[str, object] = {
        "patent_id": patent_id,
        "valuer": valuer,
        "value": 12_500_000_00,
        "currency": "HKD",
        "valuation_date": now - DAY,
        "valid_until": now + YEAR,
        "method": Method.INCOME,
        "purpose": Purpose.FINANCE,
        "standard": "GB/T 42748-2023",
        "legal_value": 84,
        "technical_value": 79,
        "economic_value": 71,
        "citation_network": 72,
        "commercial_application": 81,
        "technology_maturity": 64,
        "market_potential": 77,
        "scoring_model": "HKSTP-IPScore@2.1",
        "scoring_input": keccak(text=f"scoring input {n}"),
        "report_hash": keccak(text=f"report {n}"),
        "subsidised": True,
    }
    fields.update(overrides)
    if "report_id" not in fields:  # the valuer's own id, and the on-chain id made from it
        fields["label"] = f"HKTIS-2026-{n:04d}"
        fields["report_id"] = report_id_of(str(fields["valuer"]), str(fields["label"]))
    return Valuation(**fields)  # type: ignore[arg-type]


def make(m: Market, signer: LocalAccount, n: int = 1, **overrides: object) -> Valuation:
    """`make_valuation` of the market's patent by `signer`, now."""
    fields: dict[str, object] = {"valuer": signer.address, "patent_id": m.patent_id}
    fields.update(overrides)
    return make_valuation(now=now(m.ledger.w3), n=n, **fields)  # type: ignore[arg-type]


def signed(m: Market, valuer: LocalAccount, valuation: Valuation) -> bytes:
    return sign_valuation(valuer, m.ledger.valuations.domain(), valuation)


def attest(market: Market, valuer: LocalAccount, n: int = 1, **fields: object) -> bytes:
    """`make` a valuation, signed by `valuer`, attested (relayed by the admin): its id."""
    v = make(market, valuer, n, **fields)
    market.ledger.valuations.attest(v, signed(market, valuer, v), sender=market.actors.admin)
    return v.report_id


def valuer_sender(market: Market, valuer: LocalAccount) -> KeyAccount:
    """Fund the valuer's key so it can send its own transaction."""
    tx = market.ledger.w3.eth.send_transaction(
        {"from": market.actors.admin.address, "to": valuer.address, "value": 10**18}
    )
    market.ledger.w3.eth.wait_for_transaction_receipt(tx)
    return KeyAccount(valuer)


def year_of(w3: object) -> int:
    return dt.datetime.fromtimestamp(now(w3), dt.UTC).year  # type: ignore[arg-type]
