"""The sandbox pilot, end to end: the data in `examples/pilot/` run on a chain.

Deploys the suite (or reuses it), registers the pilot patents with their evidence,
tokenises them, mirrors the valuer's signed valuations, sells tokens to investors
(paid in the test HKD stablecoin), opens the bank's loan to the issuer against pledged
tokens, deposits a quarter's licence revenue (swept in part to the bank), lets investors
claim, stresses the loan (a revoked valuation, a call, a cure: `pilot/loan.py`), and
reads back holdings, loans and a verified evidence trail.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from ipledger.chain.keys import PASSWORD_ENV, load_keystore
from ipledger.chain.tx import NodeAccount, send_value
from ipledger.clients import RevenueRightsTokenClient
from ipledger.clients.ledger import Ledger
from ipledger.deploy.records import deployment_path, load_deployment, save_deployment
from ipledger.deploy.suite import deploy
from ipledger.errors import IpledgerError
from ipledger.mirror.outbox import Outbox
from ipledger.mirror.service import Mirror
from ipledger.models import EvidenceKind, Role, Status, patent_id
from ipledger.models import Field as PatentField
from ipledger.pilot.data import PilotData, PilotResult, RevenueReport
from ipledger.pilot.loan import open_pilot_loan, stress_pilot_loan
from ipledger.project import Project
from ipledger.read.loans import loans
from ipledger.read.queries import evidence_trail, holdings
from ipledger.toolchain.artifacts import Artifact

TOKEN = 10**18
HKD = 10**6
YEAR = 365 * 24 * 3600
DEMO_KEYSTORE_PASSWORD = "pilot"  # noqa: S105 - the public test keystore in examples/pilot/keys


def _ts(day: str) -> int:
    return int(time.mktime(time.strptime(day, "%Y-%m-%d"))) - time.timezone


def run_pilot(
    *,
    w3: Web3,
    project: Project,
    artifacts: dict[str, Artifact],
    data_dir: Path,
    step: Callable[[str], None] = lambda _: None,
) -> PilotResult:
    """Run the pilot in `data_dir` on `w3` (a dev chain: its funded accounts act)."""
    data = PilotData.model_validate_json((data_dir / "pilot.json").read_text(encoding="utf-8"))
    accounts = w3.eth.accounts
    needed = 1 + max(
        p.account or 0 for p in [data.registrar, data.issuer, data.bank, *data.investors]
    )
    if len(accounts) < needed:
        raise IpledgerError(
            f"the pilot needs {needed} funded dev accounts; the node has {len(accounts)}"
        )
    registrar = NodeAccount(accounts[data.registrar.account or 0])
    issuer = NodeAccount(accounts[data.issuer.account or 0])
    holders = {p.name: NodeAccount(accounts[p.account or 0]) for p in [data.bank, *data.investors]}

    step("deploying the suite")
    path = deployment_path(project.deployments_dir, w3.eth.chain_id)
    result = deploy(
        w3=w3,
        artifacts=artifacts,
        admin=registrar,
        # The bank lends; the registrar keeps the other roles (the risk role included).
        operators={
            Role.REVENUE_DEPOSITOR: issuer.address,
            Role.LENDER: holders[data.bank.name].address,
        },
        previous=load_deployment(path),
    )
    save_deployment(path, result.deployment)
    ledger = Ledger.attach(w3=w3, artifacts=artifacts, addresses=result.deployment.addresses())
    patents = {p.label: patent_id(p.jurisdiction, p.publication_number) for p in data.patents}
    summary = PilotResult(
        chain_id=w3.eth.chain_id,
        deployment=path,
        deployed=result.deployed,
        # The bank and investors, and the SME issuer when it borrows against its tokens.
        investors={name: a.address for name, a in holders.items()}
        | ({data.issuer.name: issuer.address} if data.loan is not None else {}),
        patents=patents,
    )
    if ledger.patents.is_registered(patents[data.patents[0].label]):
        step("the pilot already ran on this chain: reading it back")
        return _read_back(ledger, summary, data_dir, already_ran=True)

    _onboard(ledger, data, registrar, issuer, holders, step)
    tokens = _register_and_tokenize(ledger, data, data_dir, registrar, issuer, step)
    registry_block = result.deployment.contracts["ValuationRegistry"].block
    _mirror_valuations(ledger, data_dir, registrar, registry_block, step)
    _sell(ledger, data, tokens, registrar, issuer, holders, step)
    parties = {**holders, data.issuer.name: issuer}
    documents = data_dir / "documents"
    loan_id = None
    if data.loan is not None:
        loan_id = open_pilot_loan(ledger, data.loan, documents, parties, registrar, step)
    _deposit_revenue(ledger, data_dir, tokens, issuer, step)
    step("investors claim their revenue")
    for name in data.claims:
        for token in tokens.values():
            if token.claimable(holders[name].address) > 0:
                token.claim(sender=holders[name])
    if data.loan is not None and loan_id is not None:
        valuer = load_keystore(
            data_dir / "keys" / "valuer.json", env={PASSWORD_ENV: DEMO_KEYSTORE_PASSWORD}
        )
        stress_pilot_loan(ledger, data.loan, loan_id, documents, valuer, parties, step)
    return _read_back(ledger, summary, data_dir, already_ran=False)


def _onboard(
    ledger: Ledger,
    data: PilotData,
    registrar: NodeAccount,
    issuer: NodeAccount,
    holders: dict[str, NodeAccount],
    step: Callable[[str], None],
) -> None:
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    step("listing the bank, investors and borrower (KYC) and accrediting the valuer")
    listed = {p.name: holders[p.name].address for p in [data.bank, *data.investors]}
    if data.loan is not None:  # the SME borrows: its KYC too
        listed[data.issuer.name] = issuer.address
    for party in [data.bank, *data.investors, data.issuer]:
        if party.name not in listed:
            continue
        ledger.investors.set_investor(
            listed[party.name],
            jurisdiction=party.jurisdiction,
            expiry=now + 2 * YEAR,
            sender=registrar,
        )
    ledger.valuations.set_valuer(
        data.valuer.address or "",
        name=data.valuer.name,
        jurisdiction=data.valuer.jurisdiction,
        accredited_until=now + 2 * YEAR,
        sender=registrar,
    )


def _register_and_tokenize(
    ledger: Ledger,
    data: PilotData,
    data_dir: Path,
    registrar: NodeAccount,
    issuer: NodeAccount,
    step: Callable[[str], None],
) -> dict[str, RevenueRightsTokenClient]:
    tokens: dict[str, RevenueRightsTokenClient] = {}
    for p in data.patents:
        step(f"registering {p.label} and recording its documents")
        metadata = hashlib.sha256(p.model_dump_json(by_alias=True).encode()).digest()
        pid = ledger.patents.register_patent(
            jurisdiction=p.jurisdiction,
            publication_number=p.publication_number,
            owner=issuer.address,
            field=PatentField[p.field.upper()],
            status=Status[p.status.upper()],
            expiry=_ts(p.expiry),
            metadata_hash=metadata,
            sender=registrar,
        )
        for doc in p.documents:
            content = (data_dir / "documents" / doc.file).read_bytes()
            ledger.evidence.append(
                pid,
                EvidenceKind[doc.kind.upper()],
                hashlib.sha256(content).digest(),
                doc.file,
                sender=registrar,
            )
        step(f"tokenising {p.label}: {p.supply:,} revenue-rights tokens")
        address, _ = ledger.patents.tokenize(
            pid,
            name=f"{p.label} revenue rights",
            symbol=p.symbol,
            supply=p.supply * TOKEN,
            initial_holder=issuer.address,
            payment_token=ledger.addresses.payment_token,
            sender=registrar,
        )
        tokens[p.label] = ledger.token(address)
    return tokens


def _mirror_valuations(
    ledger: Ledger,
    data_dir: Path,
    funder: NodeAccount,
    from_block: int,
    step: Callable[[str], None],
) -> None:
    """The valuer's reports through the real mirror (validate, sign, batch, confirm),
    with a temporary outbox and a relayer key funded for the purpose."""
    step("mirroring the valuer's signed valuations (the mirror: EIP-712, one batch)")
    valuer = load_keystore(
        data_dir / "keys" / "valuer.json", env={PASSWORD_ENV: DEMO_KEYSTORE_PASSWORD}
    )
    relayer: LocalAccount = Account.create()
    w3 = ledger.w3
    send_value(w3, funder, relayer.address, 10**18)  # the relayer's gas money
    with tempfile.TemporaryDirectory(prefix="ipledger-pilot-") as scratch:
        source = Path(scratch) / "reports"  # a copy: the mirror moves bad files aside
        shutil.copytree(data_dir / "valuations", source)
        outbox = Outbox(Path(scratch) / "outbox.sqlite")
        mirror = Mirror(
            ledger=ledger,
            outbox=outbox,
            valuer=valuer,
            relayer=relayer,
            chain_id=w3.eth.chain_id,
            lock_dir=Path(scratch) / "locks",
            from_block=from_block,
        )
        try:
            summary = mirror.run_until_settled(source)
            counts = outbox.counts()
        finally:
            mirror.close()
            outbox.close()
    if summary.quarantined or summary.conflicts or set(counts) != {"confirmed"}:
        raise IpledgerError(
            f"the pilot's valuations did not all go through the mirror: {counts}; "
            f"quarantined {summary.quarantined}; conflicts {summary.conflicts}"
        )


def _sell(
    ledger: Ledger,
    data: PilotData,
    tokens: dict[str, RevenueRightsTokenClient],
    registrar: NodeAccount,
    issuer: NodeAccount,
    holders: dict[str, NodeAccount],
    step: Callable[[str], None],
) -> None:
    hkd = ledger.client("TestHKD", ledger.addresses.payment_token)
    prices = {p.label: p.price_per_token for p in data.patents}
    for sale in data.sales:
        buyer = holders[sale.buyer]
        price = int(prices[sale.patent] * sale.tokens * HKD)
        step(f"{sale.buyer} buys {sale.tokens:,} tokens of {sale.patent}")
        hkd._send("mint", buyer.address, price, sender=registrar)  # test money for the buyer
        hkd._send("transfer", issuer.address, price, sender=buyer)  # payment leg
        tokens[sale.patent].transfer(buyer.address, sale.tokens * TOKEN, sender=issuer)


def _deposit_revenue(
    ledger: Ledger,
    data_dir: Path,
    tokens: dict[str, RevenueRightsTokenClient],
    issuer: NodeAccount,
    step: Callable[[str], None],
) -> None:
    report = RevenueReport.model_validate_json(
        (data_dir / "revenue" / "2026-Q3.json").read_text(encoding="utf-8")
    )
    hkd = ledger.client("TestHKD", ledger.addresses.payment_token)
    for payment in report.payments:
        document = (data_dir / "revenue" / payment.document).read_bytes()
        digest = hashlib.sha256(document).digest()
        if digest.hex() != payment.report_hash:
            raise IpledgerError(
                f"revenue report {payment.document}: sha256 does not match reportHash"
            )
        token = tokens[payment.patent]
        step(f"depositing {report.quarter} licence revenue of {payment.patent}")
        hkd._send(
            "mint", issuer.address, payment.amount, sender=NodeAccount(ledger.w3.eth.accounts[0])
        )
        hkd._send("approve", token.address, payment.amount, sender=issuer)
        token.deposit_revenue(payment.amount, digest, sender=issuer)


def _read_back(
    ledger: Ledger, summary: PilotResult, data_dir: Path, *, already_ran: bool
) -> PilotResult:
    found = [holdings(ledger, address) for address in summary.investors.values()]
    first = next(iter(summary.patents.values()))
    trail = evidence_trail(ledger, first, documents=data_dir / "documents")
    return summary.model_copy(
        update={
            "holdings": found,
            "trail": trail,
            "already_ran": already_ran,
            "loans": loans(ledger),
        }
    )


def pilot_json(result: PilotResult) -> dict[str, object]:
    """The machine-readable summary `ipledger demo --json` prints."""
    return {
        "chainId": result.chain_id,
        "deployment": str(result.deployment),
        "deployed": result.deployed,
        "alreadyRan": result.already_ran,
        "investors": list(result.investors.values()),
        "patents": ["0x" + pid.hex() for pid in result.patents.values()],
        "holdings": [
            {
                "investor": h.investor,
                "holdings": [
                    # The holdings' own JSON, and the currency of the implied value.
                    {**x.as_json(), "valuationCurrency": x.valuation and x.valuation.currency}
                    for x in h.holdings
                ],
            }
            for h in result.holdings
        ],
        "evidenceVerified": bool(result.trail and result.trail.ok),
        "loans": [loan.as_json() for loan in result.loans],
    }
