"""The pilot's steps before the loan. Each looks at the chain first and does only what is
missing, so a pilot interrupted anywhere (Ctrl-C, a node restart) is completed by the
next run, and a complete one is read back without a transaction. Each returns whether
it changed anything."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount

from ipledger.chain.keys import PASSWORD_ENV, load_keystore
from ipledger.chain.tx import NodeAccount
from ipledger.clients import RevenueRightsTokenClient
from ipledger.clients.ledger import Ledger
from ipledger.errors import IpledgerError
from ipledger.models import EvidenceKind, Status, patent_id
from ipledger.models import Field as PatentField
from ipledger.models.units import timestamp
from ipledger.pilot.data import Party, PilotData, PilotPatent, RevenueReport

TOKEN = 10**18
HKD = 10**6
DAY = 24 * 3600
YEAR = 365 * DAY
DEMO_KEYSTORE_PASSWORD = "pilot"  # noqa: S105 - the public test keystore in examples/pilot/keys


@dataclass(frozen=True)
class Pilot:
    """Who acts in the pilot, on which ledger, from which data."""

    ledger: Ledger
    data: PilotData
    data_dir: Path
    registrar: NodeAccount
    issuer: NodeAccount
    holders: dict[str, NodeAccount]  # the bank and the investors, by name
    step: Callable[[str], None]

    def valuer(self, party: Party | None = None) -> LocalAccount:
        """A valuer's key (the HK valuer's unless `party` names another), from the pilot's
        public test keystores."""
        keystore = (party or self.data.valuer).keystore or "keys/valuer.json"
        return load_keystore(self.data_dir / keystore, env={PASSWORD_ENV: DEMO_KEYSTORE_PASSWORD})


def onboard(p: Pilot) -> bool:
    """KYC for the bank, the investors (and the borrowing SME); the valuer accredited."""
    ledger, data = p.ledger, p.data
    listed = {party.name: p.holders[party.name].address for party in [data.bank, *data.investors]}
    if data.loan is not None:  # the SME borrows: its KYC too
        listed[data.issuer.name] = p.issuer.address
    parties = [x for x in [data.bank, *data.investors, data.issuer] if x.name in listed]
    missing = [x for x in parties if not ledger.investors.is_eligible(listed[x.name])]
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    valuers = [v for v in (data.valuer, data.mainland_valuer) if v is not None]
    unaccredited = [
        v for v in valuers if ledger.valuations.accredited_until(v.address or "") <= now
    ]
    if not missing and not unaccredited:
        return False
    p.step("listing the bank, investors and borrower (KYC) and accrediting the valuers")
    for party in missing:
        ledger.investors.set_investor(
            listed[party.name],
            jurisdiction=party.jurisdiction,
            expiry=now + 2 * YEAR,
            sender=p.registrar,
        )
    for valuer in unaccredited:
        ledger.valuations.set_valuer(
            valuer.address or "",
            name=valuer.name,
            jurisdiction=valuer.jurisdiction,
            accredited_until=now + 2 * YEAR,
            sender=p.registrar,
        )
    return True


def revaluation_policy(p: Pilot) -> bool:
    """The accreditor's maximum valuation age per field, as the pilot's data sets it."""
    valuations = p.ledger.valuations
    wanted = {PatentField[name.upper()]: days * DAY for name, days in p.data.revaluation.items()}
    changed = {f: age for f, age in wanted.items() if valuations.max_age(f) != age}
    if not changed:
        return False
    p.step("setting the revaluation policy (maximum valuation age per field)")
    for field, age in changed.items():
        valuations.set_max_age(field, age, sender=p.registrar)
    return True


def register_and_tokenize(p: Pilot) -> tuple[dict[str, RevenueRightsTokenClient], bool]:
    """Each patent registered, its documents on its trail, its revenue rights tokenised."""
    tokens: dict[str, RevenueRightsTokenClient] = {}
    changed = False
    for patent in p.data.patents:
        changed |= _register(p, patent)
        pid = patent_id(patent.jurisdiction, patent.publication_number)
        address = p.ledger.patents.token_of(pid)
        if address is None:
            p.step(f"tokenising {patent.label}: {patent.supply:,} revenue-rights tokens")
            address, _ = p.ledger.patents.tokenize(
                pid,
                name=f"{patent.label} revenue rights",
                symbol=patent.symbol,
                supply=patent.supply * TOKEN,
                initial_holder=p.issuer.address,
                payment_token=p.ledger.addresses.payment_token,
                sender=p.registrar,
            )
            changed = True
        tokens[patent.label] = p.ledger.token(address)
    return tokens, changed


def _register(p: Pilot, patent: PilotPatent) -> bool:
    ledger = p.ledger
    pid = patent_id(patent.jurisdiction, patent.publication_number)
    registered = ledger.patents.is_registered(pid)
    # Its documents go on its trail first: as many entries as documents means all are
    # there (the events are read only for a trail cut short).
    if registered and ledger.evidence.head(pid)[1] >= len(patent.documents):
        return False
    recorded = {e.content_hash for e in ledger.evidence.entries(pid)} if registered else set()
    documents = [
        (doc, hashlib.sha256((p.data_dir / "documents" / doc.file).read_bytes()).digest())
        for doc in patent.documents
    ]
    missing = [(doc, digest) for doc, digest in documents if digest not in recorded]
    p.step(f"registering {patent.label} and recording its documents")
    if not registered:
        ledger.patents.register_patent(
            jurisdiction=patent.jurisdiction,
            publication_number=patent.publication_number,
            owner=p.issuer.address,
            field=PatentField[patent.field.upper()],
            status=Status[patent.status.upper()],
            expiry=timestamp(patent.expiry),
            metadata_hash=hashlib.sha256(patent.model_dump_json(by_alias=True).encode()).digest(),
            sender=p.registrar,
        )
    for doc, digest in missing:
        ledger.evidence.append(
            pid, EvidenceKind[doc.kind.upper()], digest, doc.file, sender=p.registrar
        )
    return True


def sell(p: Pilot, tokens: dict[str, RevenueRightsTokenClient]) -> bool:
    """Each sale, paid in test HKD; a buyer already holding what the sales up to this one
    give it has had this one."""
    hkd = p.ledger.client("TestHKD", p.ledger.addresses.payment_token)
    prices = {patent.label: patent.price_per_token for patent in p.data.patents}
    bought: dict[tuple[str, str], int] = {}
    changed = False
    for sale in p.data.sales:
        buyer = p.holders[sale.buyer]
        key = (sale.buyer, sale.patent)
        bought[key] = bought.get(key, 0) + sale.tokens * TOKEN
        if tokens[sale.patent].balance_of(buyer.address) >= bought[key]:
            continue
        price = int(prices[sale.patent] * sale.tokens * HKD)
        p.step(f"{sale.buyer} buys {sale.tokens:,} tokens of {sale.patent}")
        hkd._send("mint", buyer.address, price, sender=p.registrar)  # test money for the buyer
        hkd._send("transfer", p.issuer.address, price, sender=buyer)  # payment leg
        tokens[sale.patent].transfer(buyer.address, sale.tokens * TOKEN, sender=p.issuer)
        changed = True
    return changed


def deposit_revenue(p: Pilot, tokens: dict[str, RevenueRightsTokenClient]) -> bool:
    """A quarter's licence revenue, each payment once."""
    report = RevenueReport.model_validate_json(
        (p.data_dir / "revenue" / "2026-Q3.json").read_text(encoding="utf-8")
    )
    hkd = p.ledger.client("TestHKD", p.ledger.addresses.payment_token)
    changed = False
    paid: dict[str, int] = {}  # payments of the report so far, by patent
    for payment in report.payments:
        document = (p.data_dir / "revenue" / payment.document).read_bytes()
        digest = hashlib.sha256(document).digest()
        if digest.hex() != payment.report_hash:
            raise IpledgerError(
                f"revenue report {payment.document}: sha256 does not match reportHash"
            )
        token = tokens[payment.patent]
        paid[payment.patent] = paid.get(payment.patent, 0) + 1
        if token.totals().deposits >= paid[payment.patent]:
            continue  # only the pilot deposits on its chain: the count tells what is in
        p.step(f"depositing {report.quarter} licence revenue of {payment.patent}")
        hkd._send("mint", p.issuer.address, payment.amount, sender=p.registrar)
        hkd._send("approve", token.address, payment.amount, sender=p.issuer)
        token.deposit_revenue(payment.amount, digest, sender=p.issuer)
        changed = True
    return changed


def claim(p: Pilot, tokens: dict[str, RevenueRightsTokenClient]) -> bool:
    changed = False
    for name in p.data.claims:
        for token in tokens.values():
            if token.claimable(p.holders[name].address) > 0:
                if not changed:
                    p.step("investors claim their revenue")
                token.claim(sender=p.holders[name])
                changed = True
    return changed
