"""What investors and regulators read from the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ipledger.clients.ledger import Ledger
from ipledger.clients.lens import latest_from_tuple
from ipledger.errors import IpledgerError
from ipledger.models import Field, Purpose, Status, parse_address
from ipledger.models.ledger import model_text
from ipledger.models.reads import (
    Holding,
    Holdings,
    PatentSummary,
    RevenueDeposit,
    TrailVerification,
    ValuationRecord,
)
from ipledger.read.evidence import verify_entries
from ipledger.read.labels import Labels
from ipledger.read.loans import pledged_by_patent
from ipledger.read.recognition import hex32, recognition_records


def evidence_trail(
    ledger: Ledger, patent_id: bytes, *, documents: Path | None = None
) -> TrailVerification:
    """A patent's evidence trail rebuilt from events and verified against the chain's
    head (and, given `documents`, each document's sha256 against its entry)."""
    head_hash, count = ledger.evidence.head(patent_id)
    entries = ledger.evidence.entries(patent_id)
    return verify_entries(
        entries, patent_id=patent_id, head_hash=head_hash, count=count, documents=documents
    )


def holdings(ledger: Ledger, investor: str, *, labels: Labels | None = None) -> Holdings:
    """Every patent `investor` holds tokens of, through the HoldingsLens (one call per
    page of the registry's index)."""
    account = parse_address(investor)
    rows = ledger.lens.all_holdings(account)
    pledged = pledged_by_patent(ledger, account)
    labels = labels or Labels(ledger)
    found = [
        Holding(
            patent_id=bytes(pid),
            reference=labels.reference(pid),
            token=token,
            balance=balance,
            total_supply=supply,
            claimable=claimable,
            payment_token=payment,
            payment_symbol=labels.units(payment)[0],
            payment_decimals=labels.units(payment)[1],
            valuation=latest_from_tuple(valuation),
            pledged=pledged.pop(bytes(pid), 0),
        )
        for pid, token, balance, supply, claimable, payment, valuation in rows
    ]
    # Patents the investor pledged all of: the lens (free balances) does not list them.
    for pid, amount in pledged.items():
        found.append(_token_holding(ledger, pid, account, pledged=amount, labels=labels))
    return Holdings(investor=account, holdings=found)


def _token_holding(
    ledger: Ledger, pid: bytes, account: str, *, labels: Labels, pledged: int = 0
) -> Holding:
    address = ledger.patents.token_of(pid)
    if address is None:
        raise IpledgerError(f"patent 0x{pid.hex()} has no token")
    token = ledger.token(address)
    payment = token.payment_token()
    symbol, decimals = labels.units(payment)
    return Holding(
        patent_id=pid,
        reference=labels.reference(pid),
        token=address,
        balance=token.balance_of(account),
        total_supply=token.total_supply(),
        claimable=token.claimable(account),
        payment_token=payment,
        payment_symbol=symbol,
        payment_decimals=decimals,
        valuation=ledger.valuations.latest_valuation(pid),
        pledged=pledged,
    )


def holdings_per_token(ledger: Ledger, investor: str) -> Holdings:
    """The same as `holdings`, read token by token: what a client without the lens
    does (the benchmark's baseline)."""
    account = parse_address(investor)
    labels = Labels(ledger)
    found: list[Holding] = []
    for pid in ledger.patents.patent_ids():
        address = ledger.patents.token_of(pid)
        if address is None:
            continue
        if ledger.token(address).balance_of(account) == 0:
            continue
        found.append(_token_holding(ledger, pid, account, labels=labels))
    return Holdings(investor=account, holdings=found)


def patent_summaries(ledger: Ledger, *, page: int | None = None) -> list[PatentSummary]:
    """Every registered patent, a page of the lens (`page` patents) at a time."""
    found: list[PatentSummary] = []
    labels = Labels(ledger)
    offset = 0
    while True:
        rows, offset = ledger.lens.summaries_page(offset, page or ledger.lens.PAGE)
        for pid, patent, token, supply, deposited, evidence_count, valuation in rows:
            owner, field, status, jurisdiction, expiry, _metadata = patent
            found.append(
                PatentSummary(
                    patent_id=bytes(pid),
                    reference=labels.reference(pid),
                    owner=owner,
                    field=Field(field),
                    status=Status(status),
                    jurisdiction=jurisdiction.decode("ascii"),
                    expiry=expiry,
                    token=None if int(token, 16) == 0 else token,
                    total_supply=supply,
                    revenue_deposited=deposited,
                    evidence_entries=evidence_count,
                    latest_valuation=latest_from_tuple(valuation),
                )
            )
        if offset == 0:
            return found


def valuation_history(ledger: Ledger, patent_id: bytes) -> list[ValuationRecord]:
    """Every valuation of a patent ever attested, oldest first, from events."""
    events = ledger.valuations.attested_events(patent_id)
    bases = {
        bytes(e["args"]["reportId"]): e["args"] for e in ledger.valuations.basis_events(patent_id)
    }
    recognised = recognition_records(
        (
            (e["event"], e["args"], e["blockNumber"])
            for e in ledger.recognition.events_of(patent_id)
        ),
        ledger.valuations.is_withdrawn,
    )
    records = []
    withdrawn: dict[str, bool] = {}
    homes: dict[str, str | None] = {}
    for event in events:
        a = event["args"]
        if a["valuer"] not in withdrawn:
            withdrawn[a["valuer"]] = ledger.valuations.is_withdrawn(a["valuer"])
            homes[a["valuer"]] = ledger.valuations.jurisdiction_of(a["valuer"])
        records.append(
            ValuationRecord(
                report_id=a["reportId"],
                report_label=a["label"] or None,
                valuer=a["valuer"],
                value=a["value"],
                currency=a["currency"].decode("ascii"),
                valuation_date=a["valuationDate"],
                valid_until=a["validUntil"],
                method=a["method"],
                standard=a["standard"],
                scores=list(a["scores"]),
                report_hash=a["reportHash"],
                subsidised=a["subsidised"],
                revoked=ledger.valuations.is_revoked(a["reportId"]),
                challenged=ledger.valuations.challenge_of(a["reportId"])[0] is not None,
                valuer_withdrawn=withdrawn[a["valuer"]],
                block_number=event["blockNumber"],
                valuer_jurisdiction=homes[a["valuer"]],
                recognised_by=recognised.get(hex32(a["reportId"]), []),
                **basis_fields(bases.get(bytes(a["reportId"]))),
            )
        )
    return records


def basis_fields(basis: Any) -> dict[str, Any]:
    """A `ValuationBasis` event's arguments as `ValuationRecord` fields (none without one)."""
    if basis is None:
        return {}
    return {
        "purpose": Purpose(int(basis["purpose"])),
        "dimensions": [int(d) for d in basis["dimensions"]],
        "scoring_model": model_text(_bytes(basis["scoringModel"])),
        "scoring_input": basis["scoringInput"],
    }


def _bytes(value: Any) -> bytes:
    """bytes32 from a node (bytes) or from the index (0x-hex)."""
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)


def patent_summary(
    ledger: Ledger, patent_id: bytes, *, labels: Labels | None = None
) -> PatentSummary:
    """One patent's record, token, revenue, evidence count and latest valid valuation."""
    labels = labels or Labels(ledger)
    record = ledger.patents.patent(patent_id)
    token = ledger.patents.token_of(patent_id)
    supply = deposited = 0
    payment = symbol = decimals = None
    if token is not None:
        client = ledger.token(token)
        supply = client.total_supply()
        deposited = client.totals().deposited
        payment = client.payment_token()
        symbol, decimals = labels.units(payment)
    _, evidence_count = ledger.evidence.head(patent_id)
    return PatentSummary(
        patent_id=patent_id,
        reference=labels.reference(patent_id),
        payment_token=payment,
        payment_symbol=symbol,
        payment_decimals=decimals,
        owner=record.owner,
        field=record.field,
        status=record.status,
        jurisdiction=record.jurisdiction,
        expiry=record.expiry,
        token=token,
        total_supply=supply,
        revenue_deposited=deposited,
        evidence_entries=evidence_count,
        latest_valuation=ledger.valuations.latest_valuation(patent_id),
    )


def revenue_history(ledger: Ledger, patent_id: bytes) -> list[RevenueDeposit]:
    """Every licence revenue deposit into a patent's token, oldest first, from events."""
    address = ledger.patents.token_of(patent_id)
    if address is None:
        return []
    events = ledger.token(address).deposit_events()
    return [
        RevenueDeposit(
            seq=e["args"]["seq"],
            depositor=e["args"]["depositor"],
            amount=e["args"]["amount"],
            report_hash=e["args"]["reportHash"],
            block_number=e["blockNumber"],
        )
        for e in events
    ]
