"""Gas of evidence appends and valuation attestations, beside EAS in the same run."""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from tests.support.suite import register
from tests.support.valuations import make_valuation

from bench.common import Row, fresh_ledger
from bench.eas import Eas, compile_eas
from ipledger.chain.eip712 import sign_valuation
from ipledger.chain.tx import NodeAccount
from ipledger.clients.ledger import Ledger
from ipledger.models import EvidenceKind, Field, Valuation, report_id_of
from ipledger.project import Project

BATCH = 10


def _valuation(ledger: Ledger, valuer: LocalAccount, pid: bytes, n: int) -> Valuation:
    t = int(ledger.w3.eth.get_block("latest")["timestamp"])
    return make_valuation(
        valuer=valuer.address,
        patent_id=pid,
        now=t,
        report_id=report_id_of(valuer.address, f"HKTIS-2026-{n:05d}"),
        subsidised=n % 2 == 0,
    )


def measure(project: Project) -> list[Row]:
    ledger, accounts = fresh_ledger(project)
    admin: NodeAccount = accounts[0]
    pid = register(ledger, admin, "30000009", field=Field.ELECTRICAL)
    ledger.evidence.append(pid, EvidenceKind.FILING, b"\x02" * 32, sender=admin)
    _, receipt = ledger.evidence.append(pid, EvidenceKind.GRANT, b"\x03" * 32, sender=admin)
    append = int(receipt["gasUsed"])

    valuer: LocalAccount = Account.from_key(keccak(text="bench valuer"))
    ledger.valuations.set_valuer(
        valuer.address, name="Bench valuer", jurisdiction="HK", accredited_until=2**40, sender=admin
    )
    domain = ledger.valuations.domain()
    first = _valuation(ledger, valuer, pid, 0)
    receipt = ledger.valuations.attest(first, sign_valuation(valuer, domain, first), sender=admin)
    first_gas = int(receipt["gasUsed"])
    second = _valuation(ledger, valuer, pid, 2)  # subsidised, like the first
    receipt = ledger.valuations.attest(second, sign_valuation(valuer, domain, second), sender=admin)
    single = int(receipt["gasUsed"])
    batch = [_valuation(ledger, valuer, pid, n) for n in range(10, 10 + BATCH)]
    receipt, skipped = ledger.valuations.attest_batch(
        [(v, sign_valuation(valuer, domain, v)) for v in batch], sender=admin
    )
    assert not skipped
    per_item = int(receipt["gasUsed"]) / BATCH

    recognise = _recognise(ledger, admin, pid, second.report_id)

    eas = Eas.deploy(
        w3=ledger.w3, artifacts=compile_eas(project.root / "bench" / "peers"), sender=admin
    )
    eas.attest_by_delegation(valuer, _valuation(ledger, valuer, pid, 100), admin)  # warm nonce
    eas_single = eas.attest_by_delegation(valuer, _valuation(ledger, valuer, pid, 101), admin)
    eas_batch = eas.multi_attest_by_delegation(
        valuer, [_valuation(ledger, valuer, pid, n) for n in range(200, 200 + BATCH)], admin
    )
    eas_per_item = eas_batch / BATCH
    return [
        Row("evidence append (existing trail, empty uri)", "gas", append, floor=28_500),
        Row(
            "attest (single, incl. evidence entry)",
            "gas",
            single,
            "EAS attestByDelegation",
            eas_single,
        ),
        Row(
            "attest (first valuation of a patent)",
            "gas",
            first_gas,
            "EAS attestByDelegation",
            eas_single,
        ),
        Row(
            f"attestBatch per item ({BATCH} items)",
            "gas",
            per_item,
            f"EAS multiAttestByDelegation per item ({BATCH})",
            eas_per_item,
        ),
        Row(
            "recognise (a CN valuer's EIP-712 recognition of an HK report, incl. evidence)",
            "gas",
            recognise,
        ),
    ]


def _recognise(ledger: Ledger, admin: NodeAccount, pid: bytes, report: bytes) -> int:
    """Gas of a recognition relayed for a mainland valuer, of the patent's newest report."""
    cn: LocalAccount = Account.from_key(keccak(text="bench mainland valuer"))
    ledger.valuations.set_valuer(
        cn.address, name="Bench CN valuer", jurisdiction="CN", accredited_until=2**40, sender=admin
    )
    review = b"\x04" * 32
    r = ledger.recognition
    signature = r.sign(cn, report_id=report, patent_id=pid, jurisdiction="CN", review_hash=review)
    receipt = r.recognise(
        report_id=report, patent_id=pid, jurisdiction="CN", recogniser=cn.address,
        review_hash=review, signature=signature, sender=admin,
    )  # fmt: skip
    return int(receipt["gasUsed"])


if __name__ == "__main__":
    for row in measure(Project.find()):
        print(row.as_json())
