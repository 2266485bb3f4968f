"""The pilot's steps before the loan. Each looks at the chain first and does only what is
missing, so a pilot interrupted anywhere (Ctrl-C, a node restart) is completed by the
next run, and a complete one is read back without a transaction. Each returns whether
it changed anything."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from ipledger.chain.keys import PASSWORD_ENV, load_keystore
from ipledger.chain.tx import NodeAccount, send_value
from ipledger.clients import RevenueRightsTokenClient
from ipledger.clients.ledger import Ledger
from ipledger.errors import IpledgerError
from ipledger.mirror.outbox import Outbox
from ipledger.mirror.service import Mirror
from ipledger.models import EvidenceKind, Status, patent_id, report_id_of
from ipledger.models import Field as PatentField
from ipledger.models.units import timestamp
from ipledger.pilot.data import PilotData, PilotPatent, RevenueReport

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

    def valuer(self) -> LocalAccount:
        return load_keystore(
            self.data_dir / "keys" / "valuer.json", env={PASSWORD_ENV: DEMO_KEYSTORE_PASSWORD}
        )


def onboard(p: Pilot) -> bool:
    """KYC for the bank, the investors (and the borrowing SME); the valuer accredited."""
    ledger, data = p.ledger, p.data
    listed = {party.name: p.holders[party.name].address for party in [data.bank, *data.investors]}
    if data.loan is not None:  # the SME borrows: its KYC too
        listed[data.issuer.name] = p.issuer.address
    parties = [x for x in [data.bank, *data.investors, data.issuer] if x.name in listed]
    missing = [x for x in parties if not ledger.investors.is_eligible(listed[x.name])]
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    valuer = data.valuer.address or ""
    unaccredited = ledger.valuations.accredited_until(valuer) <= now
    if not missing and not unaccredited:
        return False
    p.step("listing the bank, investors and borrower (KYC) and accrediting the valuer")
    for party in missing:
        ledger.investors.set_investor(
            listed[party.name],
            jurisdiction=party.jurisdiction,
            expiry=now + 2 * YEAR,
            sender=p.registrar,
        )
    if unaccredited:
        ledger.valuations.set_valuer(
            valuer,
            name=data.valuer.name,
            jurisdiction=data.valuer.jurisdiction,
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


def mirror_valuations(p: Pilot, from_block: int) -> bool:
    """The valuer's reports through the real mirror (validate, sign, batch, confirm),
    with a temporary outbox and a relayer key funded for the purpose; none when every
    report is already attested."""
    valuer = p.valuer()
    reports = sorted((p.data_dir / "valuations").glob("*.json"))
    attested = p.ledger.valuations.is_attested
    if all(attested(report_id_of(valuer.address, path.stem)) for path in reports):
        return False
    p.step("mirroring the valuer's signed valuations (the mirror: EIP-712, one batch)")
    relayer: LocalAccount = Account.create()
    w3 = p.ledger.w3
    send_value(w3, p.registrar, relayer.address, 10**18)  # the relayer's gas money
    with tempfile.TemporaryDirectory(prefix="ipledger-pilot-") as scratch:
        source = Path(scratch) / "reports"  # a copy: the mirror moves bad files aside
        shutil.copytree(p.data_dir / "valuations", source)
        outbox = Outbox(Path(scratch) / "outbox.sqlite")
        mirror = Mirror(
            ledger=p.ledger,
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


def challenge_dismissed(p: Pilot) -> bool:
    """A holder challenges a valuation (it counts nowhere meanwhile); the accreditor
    dismisses the challenge and it counts again. Both on the patent's trail."""
    c = p.data.challenge
    if c is None:
        return False
    valuations = p.ledger.valuations
    report = report_id_of(p.data.valuer.address or "", c.report)
    patent = next(x for x in p.data.patents if x.label == c.patent)
    pid = patent_id(patent.jurisdiction, patent.publication_number)
    challenger, dismissed = valuations.challenge_of(report)
    if dismissed:
        return False
    documents = p.data_dir / "documents"
    if challenger is None:
        p.step(f"{c.by} challenges valuation {c.report} of {c.patent}")
        evidence = hashlib.sha256((documents / c.evidence).read_bytes()).digest()
        valuations.challenge(pid, report, evidence, sender=p.holders[c.by])
    p.step(f"the accreditor dismisses the challenge of {c.report}: it counts again")
    decision = hashlib.sha256((documents / c.decision).read_bytes()).digest()
    valuations.resolve_challenge(pid, report, upheld=False, decision_hash=decision,
                                 sender=p.registrar)  # fmt: skip
    return True
