"""The pilot's valuation steps: each valuer's reports through the real mirror, the
mainland valuation recognised in Hong Kong, and a challenge the accreditor dismisses.
Like every pilot step, each looks at the chain first and does only what is missing."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from ipledger.chain.tx import send_value
from ipledger.errors import IpledgerError
from ipledger.mirror.outbox import Outbox
from ipledger.mirror.service import Mirror
from ipledger.models import patent_id, report_id_of
from ipledger.pilot.data import Party
from ipledger.pilot.steps import Pilot


def mirror_all(p: Pilot, from_block: int) -> bool:
    """The HK valuer's reports (`valuations/`), then the mainland valuer's (`valuations-cn/`)."""
    changed = mirror_valuations(p, from_block, "valuations", p.data.valuer)
    if p.data.mainland_valuer is not None:
        changed |= mirror_valuations(p, from_block, "valuations-cn", p.data.mainland_valuer)
    return changed


def mirror_valuations(p: Pilot, from_block: int, folder: str, party: Party) -> bool:
    """One valuer's reports through the real mirror (validate, sign, batch, confirm),
    with a temporary outbox and a relayer key funded for the purpose; none when every
    report is already attested."""
    valuer = p.valuer(party)
    reports = sorted((p.data_dir / folder).glob("*.json"))
    attested = p.ledger.valuations.is_attested
    if all(attested(report_id_of(valuer.address, path.stem)) for path in reports):
        return False
    p.step(f"mirroring {party.name}'s signed valuations (the mirror: EIP-712, one batch)")
    relayer: LocalAccount = Account.create()
    w3 = p.ledger.w3
    send_value(w3, p.registrar, relayer.address, 10**18)  # the relayer's gas money
    with tempfile.TemporaryDirectory(prefix="ipledger-pilot-") as scratch:
        source = Path(scratch) / "reports"  # a copy: the mirror moves bad files aside
        shutil.copytree(p.data_dir / folder, source)
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


def recognise_mainland(p: Pilot) -> bool:
    """The HK valuer recognises the mainland valuation in Hong Kong (its EIP-712
    signature, relayed by the registrar): from then it counts for HK investors and banks."""
    r, mainland = p.data.recognition, p.data.mainland_valuer
    if r is None or mainland is None:
        return False
    report = report_id_of(mainland.address or "", r.report)
    if p.ledger.recognition.recognition(report, r.jurisdiction) is not None:
        return False
    patent = next(x for x in p.data.patents if x.label == r.patent)
    pid = patent_id(patent.jurisdiction, patent.publication_number)
    p.step(
        f"{p.data.valuer.name} recognises {r.report} ({mainland.jurisdiction}) in {r.jurisdiction}"
    )
    review = hashlib.sha256((p.data_dir / "documents" / r.review).read_bytes()).digest()
    recogniser = p.valuer()
    signature = p.ledger.recognition.sign(
        recogniser, report_id=report, patent_id=pid, jurisdiction=r.jurisdiction,
        review_hash=review,
    )  # fmt: skip
    p.ledger.recognition.recognise(
        report_id=report, patent_id=pid, jurisdiction=r.jurisdiction,
        recogniser=recogniser.address, review_hash=review, signature=signature,
        sender=p.registrar,
    )  # fmt: skip
    return True


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
