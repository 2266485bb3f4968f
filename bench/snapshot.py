"""The gas snapshot: what key operations cost, checked by `make test` like
`forge snapshot --check`. Gas on the embedded chain is deterministic.

`python -m bench.snapshot --update` rewrites bench/gas-snapshot.json; the test
tests/test_gas_snapshot.py fails when an operation costs more than 1% above it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eth_account import Account
from eth_utils.crypto import keccak

from bench.common import fresh_ledger
from ipledger.eip712 import sign_valuation
from ipledger.project import Project
from ipledger.types import EvidenceKind, Field, Method, Status, Valuation, report_id_of

TOLERANCE = 0.01
TOKEN = 10**18
HKD = 10**6


def measure(project: Project) -> dict[str, int]:
    """Gas of each operation, in a fixed scenario (so the same code gives the same gas)."""
    ledger, accounts = fresh_ledger(project)
    admin, a, b = accounts[:3]
    gas: dict[str, int] = {}
    hkd = ledger.client("TestHKD", ledger.addresses.payment_token)
    hkd._send("mint", admin.address, 10**9 * HKD, sender=admin)
    for who in (a, b):
        ledger.investors.set_investor(who.address, jurisdiction="HK", expiry=2**40, sender=admin)
    pid = ledger.patents.register_patent(
        jurisdiction="HK",
        publication_number="30000001",
        owner=admin.address,
        field=Field.MECHANICAL,
        status=Status.GRANTED,
        expiry=2**40,
        metadata_hash=b"\x01" * 32,
        sender=admin,
    )
    _, receipt = ledger.evidence.append(pid, EvidenceKind.FILING, b"\x02" * 32, sender=admin)
    _, receipt = ledger.evidence.append(pid, EvidenceKind.GRANT, b"\x03" * 32, sender=admin)
    gas["evidence.append"] = receipt["gasUsed"]
    address, receipt = ledger.patents.tokenize(
        pid,
        name="RR",
        symbol="RR",
        supply=10**6 * TOKEN,
        initial_holder=admin.address,
        payment_token=ledger.addresses.payment_token,
        sender=admin,
    )
    gas["patents.tokenize"] = receipt["gasUsed"]
    token = ledger.token(address)
    hkd._send("approve", address, 2**255, sender=admin)
    token.transfer(a.address, 1000 * TOKEN, sender=admin)
    token.transfer(b.address, 1000 * TOKEN, sender=admin)
    gas["token.depositRevenue"] = token.deposit_revenue(1000 * HKD, b"\x04" * 32, sender=admin)[
        "gasUsed"
    ]
    token.transfer(b.address, TOKEN, sender=a)
    gas["token.transfer"] = token.transfer(b.address, TOKEN, sender=a)["gasUsed"]
    token.deposit_revenue(1000 * HKD, b"\x05" * 32, sender=admin)
    gas["token.transferAfterDeposit"] = token.transfer(b.address, TOKEN, sender=a)["gasUsed"]
    _, receipt = token.claim(sender=a)
    gas["token.claimRevenue"] = receipt["gasUsed"]

    valuer = Account.from_key(keccak(text="snapshot valuer"))
    ledger.valuations.set_valuer(
        valuer.address, name="V", jurisdiction="HK", accredited_until=2**40, sender=admin
    )
    domain = ledger.valuations.domain()
    t = int(ledger.w3.eth.get_block("latest")["timestamp"])

    def valuation(n: int) -> Valuation:
        return Valuation(
            report_id=report_id_of(valuer.address, f"s{n}"),
            patent_id=pid,
            valuer=valuer.address,
            value=10**9,
            currency="HKD",
            valuation_date=t - 86400,
            valid_until=t + 10**8,
            method=Method.INCOME,
            standard="GB/T 42748-2023",
            citation_network=1,
            commercial_application=2,
            technology_maturity=3,
            market_potential=4,
            report_hash=keccak(text=f"d{n}"),
            subsidised=True,
        )

    for n in (0, 1):
        v = valuation(n)
        receipt = ledger.valuations.attest(v, sign_valuation(valuer, domain, v), sender=admin)
    gas["valuations.attest"] = receipt["gasUsed"]
    batch = [(v, sign_valuation(valuer, domain, v)) for v in map(valuation, range(10, 20))]
    receipt, _ = ledger.valuations.attest_batch(batch, sender=admin)
    gas["valuations.attestBatch(10)"] = receipt["gasUsed"]
    return {name: int(value) for name, value in sorted(gas.items())}


def snapshot_path(project: Project) -> Path:
    return project.root / "bench" / "gas-snapshot.json"


def check(measured: dict[str, int], snapshot: dict[str, int]) -> list[str]:
    """The operations whose gas rose more than the tolerance above the snapshot."""
    problems = []
    for name, gas in measured.items():
        if name not in snapshot:
            problems.append(f"{name}: {gas} gas, not in the snapshot (run `make snapshot`)")
        elif gas > snapshot[name] * (1 + TOLERANCE):
            rise = gas / snapshot[name] - 1
            problems.append(f"{name}: {gas} gas, {rise:.1%} above the snapshot's {snapshot[name]}")
    return problems


if __name__ == "__main__":
    project = Project.find()
    measured = measure(project)
    if "--update" in sys.argv:
        snapshot_path(project).write_text(json.dumps(measured, indent=2) + "\n")
        print(f"wrote {snapshot_path(project)}")
    for name, value in measured.items():
        print(f"{name:32} {value:>10}")
