"""One patent's history from the index, as the chain's event queries give it: its
valuations (with revocations and withdrawn valuers), revenue deposits, evidence entries
and the loans pledging it. A page reads these in a few queries; a node's getLogs over a
long chain takes seconds for each (the embedded chain's most of all)."""

from __future__ import annotations

from ipledger.models.reads import EvidenceEntry, RevenueDeposit, ValuationRecord
from ipledger.read.indexed import IndexReader, letters
from ipledger.read.indexed_valuations import open_challenges
from ipledger.read.queries import basis_fields
from ipledger.read.recognition import RECOGNITION_EVENTS, Recognitions, recognition_records


def valuation_records(reader: IndexReader, patent_id: str) -> list[ValuationRecord]:
    """Every valuation of the patent ever attested, oldest first."""
    attested = reader.events("ValuationAttested", patent_id=patent_id)
    revoked = {
        e.args["reportId"] for e in reader.events("ValuationRevoked", "ValuationRevokedForCause")
    }
    withdrawn = {e.args["valuer"] for e in reader.events("ValuerRemoved")}
    bases = {
        e.args["reportId"]: e.args for e in reader.events("ValuationBasis", patent_id=patent_id)
    }
    disputed = open_challenges(reader)
    where = Recognitions.from_index(reader, withdrawn)
    recognised = recognition_records(
        (
            (e.event, e.args, e.block)
            for e in reader.events(*RECOGNITION_EVENTS, patent_id=patent_id)
        ),
        withdrawn.__contains__,
    )
    return [
        ValuationRecord(
            report_id=a["reportId"],
            report_label=a["label"] or None,
            valuer=a["valuer"],
            value=a["value"],
            currency=letters(str(a["currency"])),
            valuation_date=a["valuationDate"],
            valid_until=a["validUntil"],
            method=a["method"],
            standard=a["standard"],
            scores=[int(s) for s in a["scores"]],
            report_hash=a["reportHash"],
            subsidised=a["subsidised"],
            revoked=a["reportId"] in revoked,
            challenged=a["reportId"] in disputed,
            valuer_withdrawn=a["valuer"] in withdrawn,
            block_number=e.block,
            valuer_jurisdiction=where.home_of(a["valuer"]),
            recognised_by=recognised.get(a["reportId"].lower(), []),
            **basis_fields(bases.get(a["reportId"])),
        )
        for e in attested
        for a in [e.args]
    ]


def revenue_deposits(reader: IndexReader, patent_id: str) -> list[RevenueDeposit]:
    """Every licence revenue deposit into the patent's token, oldest first."""
    token = reader.token_of(patent_id)
    return [
        RevenueDeposit(
            seq=e.args["seq"],
            depositor=e.args["depositor"],
            amount=e.args["amount"],
            report_hash=e.args["reportHash"],
            block_number=e.block,
        )
        for e in reader.events("RevenueDeposited", address=token.address)
    ]


def evidence_entries(reader: IndexReader, patent_id: str) -> list[EvidenceEntry]:
    """The patent's evidence entries in chain order (to verify against the chain's head)."""
    return [
        EvidenceEntry.from_event(
            {
                "args": e.args,
                "blockNumber": e.block,
                "transactionHash": bytes.fromhex(e.tx_hash[2:]),
            }  # type: ignore[typeddict-item]
        )
        for e in reader.events("EvidenceAppended", patent_id=patent_id)
    ]


def loans_pledging(reader: IndexReader, patent_id: str) -> list[int]:
    """Every loan that has pledged the patent's tokens, by id."""
    return sorted({int(e.args["loanId"]) for e in reader.events("Pledged", patent_id=patent_id)})
