"""The loan book beside Morpho Blue, and what loans cost the token.

Gas on the embedded chain (deterministic): opening a loan (the borrower's accept: the
pledge into escrow, the principal to the borrower, the evidence entry; and with the
lender's offer before it) beside Morpho's `supplyCollateral` + `borrow`; a partial `repay`
beside Morpho's; `depositRevenue` into a patent with 1 and 100 loans pledging it beside
one with none. On anvil: the health of 100 loans in one `healthOf` call (wall clock),
and where an opening's gas goes (traced).
"""

from __future__ import annotations

import statistics
import time

from eth_account import Account
from eth_utils.crypto import keccak
from tests.support.suite import register
from web3 import Web3
from web3.types import TxReceipt

from bench.common import Row, fresh_ledger
from bench.morpho import MorphoMarket, compile_morpho
from ipledger.chain.connect import connect
from ipledger.chain.eip712 import sign_valuation
from ipledger.chain.node import start_anvil
from ipledger.chain.tx import NodeAccount
from ipledger.clients import RevenueRightsTokenClient
from ipledger.clients.ledger import Ledger
from ipledger.deploy.suite import deploy
from ipledger.models import (
    OPERATOR_ROLES,
    Field,
    LoanTerms,
    Method,
    Purpose,
    Valuation,
    report_id_of,
)
from ipledger.project import Project
from ipledger.toolchain.compiler import compile_project

TOKEN = 10**18
HKD = 10**6
DAY = 86400
YEAR = 365 * DAY
PLEDGE = 1_000 * TOKEN  # 0.1% of a 1M supply
PRINCIPAL = 1_000 * HKD  # against HKD 12,500 of appraised rights (LTV 16% after the 50% haircut)
VALUER = Account.from_key(keccak(text="bench valuer"))


class Book:
    """A valued patent, a lender and borrowers, on one ledger."""

    def __init__(self, ledger: Ledger, admin: NodeAccount, number: str) -> None:
        self.ledger, self.admin = ledger, admin
        self.pid = register(ledger, admin, number, field=Field.MECHANICAL)
        address, _ = ledger.patents.tokenize(
            self.pid,
            name=f"HK {number}",
            symbol=f"RR{number}",
            supply=1_000_000 * TOKEN,
            initial_holder=admin.address,
            payment_token=ledger.addresses.payment_token,
            sender=admin,
        )
        self.token: RevenueRightsTokenClient = ledger.token(address)
        # The admin lends (it holds the lender role): a listed bank.
        ledger.investors.set_investor(admin.address, jurisdiction="HK", expiry=2**40, sender=admin)
        self.hkd = ledger.client("TestHKD", ledger.addresses.payment_token)
        self.hkd._send("mint", admin.address, 10**12 * HKD, sender=admin)
        self.hkd._send("approve", address, 2**256 - 1, sender=admin)
        self.hkd._send("approve", ledger.addresses.loan_book, 2**256 - 1, sender=admin)
        now = int(ledger.w3.eth.get_block("latest")["timestamp"])
        if ledger.valuations.accredited_until(VALUER.address) <= now:
            ledger.valuations.set_valuer(
                VALUER.address, name="V", jurisdiction="HK", accredited_until=now + YEAR,
                sender=admin,
            )  # fmt: skip
        valuation = Valuation(
            report_id=report_id_of(VALUER.address, f"bench-{number}"),
            patent_id=self.pid,
            valuer=VALUER.address,
            value=12_500_000_00,
            currency="HKD",
            valuation_date=now - DAY,
            valid_until=now + YEAR,
            method=Method.INCOME,
            standard="GB/T 42748-2023",
            purpose=Purpose.FINANCE,
            legal_value=70,
            technical_value=70,
            economic_value=70,
            scoring_model="HKSTP-IPScore@2.1",
            scoring_input=keccak(text="scoring input"),
            citation_network=70,
            commercial_application=70,
            technology_maturity=70,
            market_potential=70,
            report_hash=keccak(text=number),
            subsidised=False,
        )
        signature = sign_valuation(VALUER, ledger.valuations.domain(), valuation)
        ledger.valuations.attest(valuation, signature, sender=admin)

    def borrower(self, address: str, loans: int = 1) -> NodeAccount:
        """A listed borrower (a node account) holding tokens for `loans` pledges."""
        who = NodeAccount(Web3.to_checksum_address(address))
        self.ledger.investors.set_investor(
            who.address, jurisdiction="HK", expiry=2**40, sender=self.admin
        )
        self.token.transfer(who.address, loans * PLEDGE, sender=self.admin)
        self.token.approve(self.ledger.addresses.loan_book, 2**256 - 1, sender=who)
        # Holding some money already, as Morpho's borrowers below hold the loan token (to
        # repay with): on both sides the principal then updates a balance, not a new one.
        self.hkd._send("mint", who.address, 1_000 * HKD, sender=self.admin)
        self.hkd._send("approve", self.ledger.addresses.loan_book, 2**256 - 1, sender=who)
        return who

    def open(self, borrower: NodeAccount) -> tuple[int, int, int]:
        """Loan id, offer gas, accept gas (the admin lends)."""
        loan_id, offered, accepted = self.open_receipts(borrower)
        return loan_id, int(offered["gasUsed"]), int(accepted["gasUsed"])

    def open_receipts(self, borrower: NodeAccount) -> tuple[int, TxReceipt, TxReceipt]:
        """Loan id, the offer's receipt, the accept's receipt."""
        now = int(self.ledger.w3.eth.get_block("latest")["timestamp"])
        terms = LoanTerms(
            borrower=borrower.address,
            asset=self.ledger.addresses.payment_token,
            principal=PRINCIPAL,
            rate_bps=500,
            max_ltv_bps=6000,
            liquidation_ltv_bps=7500,
            sweep_bps=5000,
            maturity=now + YEAR,
            remediation_period=30 * DAY,
            offer_expiry=now + DAY,
            agreement_hash=keccak(text=f"agreement {borrower.address}"),
        )
        book = self.ledger.loans
        loan_id, offered = book.offer(terms, [(self.pid, PLEDGE)], sender=self.admin)
        return loan_id, offered, book.accept(loan_id, sender=borrower)


def opening_parts(book: Book, borrower: NodeAccount) -> dict[str, int]:
    """Where opening a loan's gas goes (offer + accept, traced by anvil's callTracer):
    each contract the book calls, with what it calls in turn, and the book's own part
    (its storage, its logic, both transactions' base cost and calldata)."""
    ledger = book.ledger
    addresses = ledger.addresses
    names = {
        book.token.address.lower(): "the pledge into escrow (revenue-rights token)",
        addresses.payment_token.lower(): "the principal to the borrower (payment token)",
        addresses.evidence_trail.lower(): "the evidence entry (trail)",
        addresses.collateral_policy.lower(): "the collateral value (policy, valuations)",
        addresses.patent_registry.lower(): "roles and tokens (patent registry)",
        addresses.investor_registry.lower(): "eligibility (investor registry)",
    }
    parts: dict[str, int] = {}
    for receipt in book.open_receipts(borrower)[1:]:
        trace = ledger.w3.provider.make_request(  # type: ignore[arg-type]
            "debug_traceTransaction",
            [receipt["transactionHash"].to_0x_hex(), {"tracer": "callTracer"}],
        )["result"]
        own = int(trace["gasUsed"], 16)
        for call in trace.get("calls", []):
            gas = int(call["gasUsed"], 16)
            name = names.get(call["to"].lower(), "other calls")
            parts[name] = parts.get(name, 0) + gas
            own -= gas
        key = "the book itself: storage, logic, base cost and calldata"
        parts[key] = parts.get(key, 0) + own
    return parts


def anvil_rows(project: Project, loans: int = 100, runs: int = 7) -> list[Row]:
    """On anvil: the median wall clock of one `healthOf` call over `loans` loans, then
    where a fresh borrower's loan's opening gas goes (`opening_parts`)."""
    artifacts = compile_project(project=project).artifacts
    with start_anvil(node_modules=project.node_modules) as node:
        w3 = connect(node.url)
        admin = NodeAccount(w3.eth.accounts[0])
        result = deploy(
            w3=w3, artifacts=artifacts, admin=admin,
            operators={r: admin.address for r in OPERATOR_ROLES},
        )  # fmt: skip
        ledger = Ledger.attach(w3=w3, artifacts=artifacts, addresses=result.deployment.addresses())
        book = Book(ledger, admin, "60000001")
        who = book.borrower(w3.eth.accounts[1], loans)
        ids = [book.open(who)[0] for _ in range(loans)]
        assert all(h.healthy for h in ledger.loans.health_of(ids))
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            ledger.loans.health_of(ids)
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        parts = opening_parts(book, book.borrower(w3.eth.accounts[2]))
    rows = [
        Row(f"health of {loans} loans, one healthOf call (anvil)", "seconds", round(seconds, 4))
    ]
    total = sum(parts.values())
    rows.append(Row("open a loan, traced (anvil): offer + accept", "gas", total))
    for name, gas in sorted(parts.items(), key=lambda item: -item[1]):
        rows.append(Row(f"  {name}", "gas", gas))
    return rows


def measure(project: Project) -> list[Row]:
    return _gas_rows(project) + anvil_rows(project)


def _node_accounts(w3: Web3, first: int, count: int) -> list[str]:
    return list(w3.eth.accounts[first : first + count])


def _gas_rows(project: Project) -> list[Row]:
    ledger, accounts = fresh_ledger(project)
    admin = accounts[0]
    book = Book(ledger, admin, "50000001")
    first, second = (book.borrower(a) for a in _node_accounts(ledger.w3, 1, 2))
    book.open(first)  # the book's first loan writes its counters from zero
    loan_id, offer_gas, accept_gas = book.open(second)
    # The lender's first credit in the book is a fresh slot; later repayments add to it.
    repay_first = int(ledger.loans.repay(loan_id, PRINCIPAL // 10, sender=second)[1]["gasUsed"])
    repay_gas = int(ledger.loans.repay(loan_id, PRINCIPAL // 10, sender=second)[1]["gasUsed"])

    morpho = MorphoMarket.open(
        w3=ledger.w3,
        artifacts=compile_morpho(project.root / "bench" / "peers" / "morpho"),
        owner=admin,
    )
    lender, b1, b2 = (NodeAccount(a) for a in _node_accounts(ledger.w3, 3, 3))
    morpho.fund(lender, loan=10**12)
    morpho.supply(lender, 10**12)
    for b in (b1, b2):
        morpho.fund(b, collateral=10**9, loan=10**9)
    morpho.open_position(b1, 10**9, 10**8)  # the market's first borrow
    supply_gas, borrow_gas = morpho.open_position(b2, 10**9, 10**8)
    morpho.repay(b2, 10**7)
    morpho_repay = morpho.repay(b2, 10**7)  # likewise its second

    peer_open = supply_gas + borrow_gas
    rows = [
        # Opening is the borrower's accept: the pledge, the principal and the evidence entry
        # in one transaction, as Morpho's borrower supplies collateral and borrows. The
        # lender's offer before it writes the loan's terms (Morpho's market parameters
        # are written once per market), shown beside it and in the total.
        Row(
            "open a loan: accept (pledge, principal, evidence; atomic)",
            "gas",
            accept_gas,
            "Morpho Blue supplyCollateral + borrow",
            peer_open,
        ),
        Row("  the lender's offer before it (terms, pledge list)", "gas", offer_gas),
        Row(
            "open a loan: offer + accept",
            "gas",
            offer_gas + accept_gas,
            "Morpho Blue supplyCollateral + borrow",
            peer_open,
        ),
        Row(
            "repay (partial, steady state)",
            "gas",
            repay_gas,
            "Morpho Blue repay (partial)",
            morpho_repay,
        ),
        Row("repay (partial, the lender's first credit)", "gas", repay_first),
    ]
    return rows + _deposit_rows(ledger, admin)


def _deposit_rows(ledger: Ledger, admin: NodeAccount) -> list[Row]:
    report = keccak(text="revenue")
    plain = Book(ledger, admin, "50000002")
    plain.token.deposit_revenue(1000 * HKD, report, sender=admin)
    base = int(plain.token.deposit_revenue(1000 * HKD, report, sender=admin)["gasUsed"])
    rows = []
    # One borrower with many loans: the deposit never looks at loans or holders.
    borrower = ledger.w3.eth.accounts[6]
    for loans in (1, 100):
        pledged = Book(ledger, admin, f"7{loans:07d}")
        who = pledged.borrower(borrower, loans)
        for _ in range(loans):
            pledged.open(who)
        pledged.token.deposit_revenue(1000 * HKD, report, sender=admin)
        gas = int(pledged.token.deposit_revenue(1000 * HKD, report, sender=admin)["gasUsed"])
        rows.append(Row(f"depositRevenue, {loans} loan(s) pledging the patent", "gas", gas,
                        "depositRevenue, no pledges", base))  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in measure(Project.find()):
        print(row.as_json())
