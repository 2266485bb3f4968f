"""Gas of the revenue-rights token, beside an OpenZeppelin ERC-20 in the same run.

Measured on the embedded chain (deterministic): tokenize; depositRevenue with 1, 100
and 1,000 holders; transfer between holders in steady state and in the worst case
(each side's first balance change after a deposit); claimRevenue.
"""

from __future__ import annotations

from tests.support.suite import register
from web3 import Web3

from bench.common import Row, fresh_ledger
from ipledger.chain.tx import NodeAccount
from ipledger.clients import RevenueRightsTokenClient
from ipledger.clients.ledger import Ledger
from ipledger.models import Field
from ipledger.project import Project

TOKEN = 10**18
HKD = 10**6
REPORT = Web3.keccak(text="report")


def _open_token(
    ledger: Ledger, admin: NodeAccount, number: str
) -> tuple[RevenueRightsTokenClient, int]:
    pid = register(ledger, admin, number, field=Field.CHEMICAL)
    address, receipt = ledger.patents.tokenize(
        pid,
        name=f"HK {number} revenue rights",
        symbol=f"RR{number}",
        supply=1_000_000 * TOKEN,
        initial_holder=admin.address,
        payment_token=ledger.addresses.payment_token,
        sender=admin,
    )
    hkd = ledger.client("TestHKD", ledger.addresses.payment_token)
    hkd._send("approve", address, 2**256 - 1, sender=admin)
    return ledger.token(address), int(receipt["gasUsed"])


def _list(ledger: Ledger, admin: NodeAccount, accounts: list[str]) -> None:
    for account in accounts:
        ledger.investors.set_investor(account, jurisdiction="HK", expiry=2**40, sender=admin)


def deposit_gas(ledger: Ledger, admin: NodeAccount, holders: int) -> int:
    token, _ = _open_token(ledger, admin, f"4{holders:07d}")
    accounts = [
        Web3.to_checksum_address(Web3.keccak(text=f"holder{i}")[-20:]) for i in range(holders - 1)
    ]
    _list(ledger, admin, accounts)
    for account in accounts:
        token.transfer(account, TOKEN, sender=admin)
    token.deposit_revenue(1000 * HKD, REPORT, sender=admin)  # first deposit writes a new total
    return int(token.deposit_revenue(1000 * HKD, REPORT, sender=admin)["gasUsed"])


def measure(project: Project) -> list[Row]:
    ledger, accounts = fresh_ledger(project)
    admin, a, b = accounts[0], accounts[1], accounts[2]
    hkd = ledger.client("TestHKD", ledger.addresses.payment_token)
    hkd._send("mint", admin.address, 10**9 * HKD, sender=admin)
    for who in (a, b):
        hkd._send("mint", who.address, 1000 * HKD, sender=admin)
    _list(ledger, admin, [a.address, b.address])

    token, tokenize_gas = _open_token(ledger, admin, "30000001")
    token.transfer(a.address, 1000 * TOKEN, sender=admin)
    token.transfer(b.address, 1000 * TOKEN, sender=admin)
    token.deposit_revenue(1000 * HKD, REPORT, sender=admin)
    # Each side's first balance change after a deposit settles it; the very first time an
    # account earns, its earnings slot goes from zero to non-zero.
    first_ever = int(token.transfer(b.address, TOKEN, sender=a)["gasUsed"])
    steady = int(token.transfer(b.address, TOKEN, sender=a)["gasUsed"])  # both settled
    token.deposit_revenue(1000 * HKD, REPORT, sender=admin)
    after_later = int(token.transfer(b.address, TOKEN, sender=a)["gasUsed"])
    token.deposit_revenue(1000 * HKD, REPORT, sender=admin)
    token.claim(sender=a)  # a's first claim
    token.deposit_revenue(1000 * HKD, REPORT, sender=admin)
    _, claim_receipt = token.claim(sender=a)  # the quarterly claim: settle and pay
    claim = int(claim_receipt["gasUsed"])

    hkd._send("transfer", b.address, 1, sender=a)  # warm-up: both OZ balances non-zero
    oz_transfer = int(hkd._send("transfer", b.address, 1, sender=a)["gasUsed"])

    oz = "OpenZeppelin ERC20 transfer"
    rows = [
        Row("token transfer (steady state)", "gas", steady, oz, oz_transfer),
        Row("token transfer (first after a later deposit)", "gas", after_later, oz, oz_transfer),
        Row("token transfer (first earnings ever, both sides)", "gas", first_ever, oz, oz_transfer),
        Row("claimRevenue", "gas", claim),
        Row("tokenize (clone + mint)", "gas", tokenize_gas),
    ]
    base = None
    for holders in (1, 100, 1000):
        gas = deposit_gas(ledger, admin, holders)
        base = base or gas
        rows.append(
            Row(
                f"depositRevenue ({holders} holder{'s' if holders > 1 else ''})",
                "gas",
                gas,
                "depositRevenue (1 holder)",
                base,
            )
        )
    return rows


if __name__ == "__main__":
    for row in measure(Project.find()):
        print(row.as_json())
