"""The gas snapshot: what key operations cost, checked by `make test` like
`forge snapshot --check`. Gas on the embedded chain is deterministic.

`python -m bench.snapshot --update` rewrites bench/gas-snapshot.json; the test
tests/test_gas_snapshot.py fails when an operation's gas moves more than 1% either way.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from tests.support.suite import register
from tests.support.valuations import make_valuation

from bench.common import fresh_ledger
from bench.loan_gas import PRINCIPAL, Book
from ipledger.chain.eip712 import sign_revocation, sign_valuation
from ipledger.chain.tx import NodeAccount
from ipledger.clients.ledger import Ledger
from ipledger.models import EvidenceKind, Valuation, report_id_of
from ipledger.project import Project

TOLERANCE = 0.01
TOKEN = 10**18
HKD = 10**6


def measure(project: Project) -> dict[str, int]:
    """Gas of each operation, in a fixed scenario (so the same code gives the same gas)."""
    ledger, accounts = fresh_ledger(project)
    admin = accounts[0]
    gas: dict[str, int] = {}
    hkd = ledger.client("TestHKD", ledger.addresses.payment_token)
    hkd._send("mint", admin.address, 10**9 * HKD, sender=admin)
    for who in accounts[1:5]:
        receipt = ledger.investors.set_investor(
            who.address, jurisdiction="HK", expiry=2**40, sender=admin
        )
    gas["investors.setInvestor"] = receipt["gasUsed"]
    pid = _patent(ledger, admin, gas)
    _token_ops(ledger, accounts, pid, gas)
    _valuation_ops(ledger, admin, pid, gas)
    _loan_ops(ledger, accounts, gas)
    return {name: int(value) for name, value in sorted(gas.items())}


def _loan_ops(ledger: Ledger, accounts: list[NodeAccount], gas: dict[str, int]) -> None:
    """A loan's life in the book, the book's second loan measured (its counters warm)."""
    admin = accounts[0]
    book = Book(ledger, admin, "30000009")
    first, second = book.borrower(accounts[5].address), book.borrower(accounts[6].address)
    book.open(first)
    loan_id, gas["loans.offer"], gas["loans.accept"] = book.open(second)
    ledger.loans.repay(loan_id, PRINCIPAL // 10, sender=second)  # the lender's first credit
    _, receipt = ledger.loans.repay(loan_id, PRINCIPAL // 10, sender=second)
    gas["loans.repay"] = receipt["gasUsed"]
    book.hkd._send("mint", second.address, PRINCIPAL, sender=admin)  # for the interest
    _, receipt = ledger.loans.repay(loan_id, 10 * PRINCIPAL, sender=second)
    gas["loans.repay(full: release)"] = receipt["gasUsed"]


def _patent(ledger: Ledger, admin: NodeAccount, gas: dict[str, int]) -> bytes:
    for number in ("30000002", "30000001"):  # the second registration is measured
        pid = register(ledger, admin, number)
    gas["patents.registerPatent"] = _last_gas(ledger)
    _, receipt = ledger.evidence.append(pid, EvidenceKind.FILING, b"\x02" * 32, sender=admin)
    _, receipt = ledger.evidence.append(pid, EvidenceKind.GRANT, b"\x03" * 32, sender=admin)
    gas["evidence.append"] = receipt["gasUsed"]
    return pid


def _last_gas(ledger: Ledger) -> int:
    """Gas of the latest block's transaction (one per block on the embedded chain)."""
    [tx] = ledger.w3.eth.get_block("latest")["transactions"]
    return int(ledger.w3.eth.get_transaction_receipt(tx)["gasUsed"])  # type: ignore[arg-type]


def _token_ops(
    ledger: Ledger, accounts: list[NodeAccount], pid: bytes, gas: dict[str, int]
) -> None:
    admin, a, b, c, d = accounts[:5]
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
    ledger.client("TestHKD", ledger.addresses.payment_token)._send(
        "approve", address, 2**255, sender=admin
    )
    token.transfer(a.address, 1000 * TOKEN, sender=admin)
    gas["token.transferToNewHolder"] = token.transfer(b.address, 1000 * TOKEN, sender=admin)[
        "gasUsed"
    ]
    token.transfer(c.address, 1000 * TOKEN, sender=admin)
    gas["token.depositRevenue"] = token.deposit_revenue(1000 * HKD, b"\x04" * 32, sender=admin)[
        "gasUsed"
    ]
    token.transfer(b.address, TOKEN, sender=a)
    gas["token.transfer"] = token.transfer(b.address, TOKEN, sender=a)["gasUsed"]
    token.deposit_revenue(1000 * HKD, b"\x05" * 32, sender=admin)
    gas["token.transferAfterDeposit"] = token.transfer(b.address, TOKEN, sender=a)["gasUsed"]
    _, receipt = token.claim(sender=a)
    gas["token.claimRevenue"] = receipt["gasUsed"]
    _, receipt = token.claim(sender=c)  # held through two deposits: settles first
    gas["token.claimRevenueSettling"] = receipt["gasUsed"]
    token._send("approve", d.address, 10 * TOKEN, sender=b)
    gas["token.transferFrom"] = token._send("transferFrom", b.address, a.address, TOKEN, sender=d)[
        "gasUsed"
    ]
    gas["token.setFrozen"] = token.set_frozen(b.address, True, sender=admin)["gasUsed"]
    gas["token.forcedTransfer"] = token.forced_transfer(
        b.address, a.address, TOKEN, evidence_hash=b"\x06" * 32, sender=admin
    )["gasUsed"]
    gas["token.recoverAccount"] = token.recover_account(
        b.address, d.address, evidence_hash=b"\x07" * 32, sender=admin
    )["gasUsed"]


def _valuation_ops(ledger: Ledger, admin: NodeAccount, pid: bytes, gas: dict[str, int]) -> None:
    valuer = Account.from_key(keccak(text="snapshot valuer"))
    ledger.valuations.set_valuer(
        valuer.address, name="V", jurisdiction="HK", accredited_until=2**40, sender=admin
    )
    domain = ledger.valuations.domain()
    t = int(ledger.w3.eth.get_block("latest")["timestamp"])

    def valuation(n: int) -> Valuation:
        return make_valuation(
            valuer=valuer.address,
            patent_id=pid,
            now=t,
            n=n,
            report_id=report_id_of(valuer.address, f"s{n}"),
            value=10**9,
            valid_until=t + 10**8,
        )

    for n in (0, 1):
        v = valuation(n)
        receipt = ledger.valuations.attest(v, sign_valuation(valuer, domain, v), sender=admin)
    gas["valuations.attest"] = receipt["gasUsed"]
    batch = [(v, sign_valuation(valuer, domain, v)) for v in map(valuation, range(10, 20))]
    receipt, _ = ledger.valuations.attest_batch(batch, sender=admin)
    gas["valuations.attestBatch(10)"] = receipt["gasUsed"]
    signature = sign_revocation(valuer, domain, valuation(0).report_id, "restated")
    gas["valuations.revokeBySig"] = ledger.valuations.revoke_by_sig(
        valuation(0).report_id, "restated", signature, sender=admin
    )["gasUsed"]
    _recognition_ops(ledger, admin, pid, valuer, valuation(1).report_id, gas)


def _recognition_ops(
    ledger: Ledger, admin: NodeAccount, pid: bytes, hk: LocalAccount, report: bytes,
    gas: dict[str, int],
) -> None:  # fmt: skip
    """An HK valuer's report recognised in CN by a CN valuer (the patent's list holds the
    eleven valuations `_valuation_ops` left, so the membership walk is measured), then
    withdrawn by the accreditor."""
    cn = Account.from_key(keccak(text="snapshot mainland valuer"))
    ledger.valuations.set_valuer(
        cn.address, name="M", jurisdiction="CN", accredited_until=2**40, sender=admin
    )
    review = b"\x05" * 32
    r = ledger.recognition
    signature = r.sign(cn, report_id=report, patent_id=pid, jurisdiction="CN", review_hash=review)
    gas["recognition.recognise"] = r.recognise(
        report_id=report, patent_id=pid, jurisdiction="CN", recogniser=cn.address,
        review_hash=review, signature=signature, sender=admin,
    )["gasUsed"]  # fmt: skip
    gas["recognition.withdraw"] = r.withdraw(report, "CN", b"\x06" * 32, sender=admin)["gasUsed"]


def snapshot_path(project: Project) -> Path:
    return project.root / "bench" / "gas-snapshot.json"


def check(measured: dict[str, int], snapshot: dict[str, int]) -> list[str]:
    """The operations whose gas moved more than the tolerance from the snapshot, either
    way: a large drop is as suspect as a rise (a deposit that stopped writing evidence)."""
    problems = [
        f"{name}: in the snapshot but no longer measured"
        for name in snapshot
        if name not in measured
    ]
    for name, gas in measured.items():
        if name not in snapshot:
            problems.append(f"{name}: {gas} gas, not in the snapshot (run `make snapshot`)")
        elif abs(gas - snapshot[name]) > snapshot[name] * TOLERANCE:
            change = gas / snapshot[name] - 1
            way = "above" if change > 0 else "below"
            problems.append(
                f"{name}: {gas} gas, {abs(change):.1%} {way} the snapshot's {snapshot[name]}"
            )
    return problems


if __name__ == "__main__":
    project = Project.find()
    measured = measure(project)
    if "--update" in sys.argv:
        snapshot_path(project).write_text(json.dumps(measured, indent=2) + "\n")
        print(f"wrote {snapshot_path(project)}")
    for name, value in measured.items():
        print(f"{name:32} {value:>10}")
