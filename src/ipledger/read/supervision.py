"""The supervisor's reports from the index: flows of revenue rights between dates with
both parties' jurisdictions, risk (concentration, valuations and their changes, loans)
and subsidised valuations against the yearly cap."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from ipledger.models.ledger import model_text
from ipledger.models.supervision import (
    Concentration,
    Flow,
    LoanRisk,
    Risk,
    SubsidyUse,
    ValuationChange,
)
from ipledger.read.indexed import EventRow, IndexReader, letters, share
from ipledger.read.recognition import Recognitions

ZERO = "0x0000000000000000000000000000000000000000"
DAY = 86_400
_MARKERS = {
    "ForcedTransfer": "forced",
    "AccountRecovered": "recovery",
    "LoanEnforced": "enforcement",
}


def flows(reader: IndexReader, *, from_block: int | None = None, to_block: int | None = None,
          loan_book: str | None = None) -> list[Flow]:  # fmt: skip
    """Every movement of revenue-rights tokens in [from_block, to_block], and every
    freeze and unfreeze (the frozen holding as its amount)."""
    end = reader.at(to_block)
    start = from_block or 0
    patent_of = {t.address: t.patent_id for t in reader.tokens()}
    transfers = [
        e for e in reader.events("Transfer", "AccountFreezeChanged", until=end) if e.block >= start
    ]
    marked = {
        e.tx_hash: _MARKERS[e.event]
        for e in reader.events(*_MARKERS, until=end)
        if e.block >= start
    }
    listings = reader.events("InvestorSet", "InvestorRemoved", until=end)
    listed: dict[str, str | None] = {}
    times = reader.times(e.block for e in transfers)
    out, i = [], 0
    for e in transfers:
        while i < len(listings) and listings[i].position < e.position:
            change = listings[i]
            listed[change.args["account"]] = (
                letters(change.args["jurisdiction"]) if change.event == "InvestorSet" else None
            )
            i += 1
        if e.event == "AccountFreezeChanged":
            out.append(_freeze(reader, e, patent_of[e.address], times.get(e.block), listed))
            continue
        sender, receiver = e.args["from"], e.args["to"]
        out.append(
            Flow(
                block=e.block,
                timestamp=times.get(e.block),
                tx_hash=e.tx_hash,
                patent_id=patent_of[e.address],
                reference=reader.reference(patent_of[e.address]),
                token=e.address,
                kind=_kind(e, sender, receiver, marked, loan_book),
                sender=None if sender == ZERO else sender,
                receiver=receiver,
                amount=int(e.args["value"]),
                from_jurisdiction=listed.get(sender),
                to_jurisdiction=listed.get(receiver),
            )
        )
    return out


def _freeze(reader: IndexReader, e: EventRow, pid: str, when: int | None,
            listed: dict[str, str | None]) -> Flow:  # fmt: skip
    account = e.args["account"]
    held = reader.balances_at(e.address, e.block, before=e.log_index, holder=account)
    return Flow(
        block=e.block,
        timestamp=when,
        tx_hash=e.tx_hash,
        patent_id=pid,
        reference=reader.reference(pid),
        token=e.address,
        kind="freeze" if e.args["frozen"] else "unfreeze",
        sender=None,
        receiver=account,
        amount=held.get(account, 0),
        from_jurisdiction=None,
        to_jurisdiction=listed.get(account),
    )


def _kind(e: EventRow, sender: str, receiver: str, marked: dict[str, str],
          loan_book: str | None) -> str:  # fmt: skip
    if sender == ZERO:
        return "issue"
    if e.tx_hash in marked:
        return marked[e.tx_hash]
    if receiver == loan_book:
        return "pledge"
    if sender == loan_book:
        return "release"
    return "transfer"


def concentration(reader: IndexReader, block: int, loan_book: str | None) -> list[Concentration]:
    """Per patent: holders, the largest one's share and the HHI; pledged tokens count
    as their borrower's, not the loan book's."""
    out = []
    listed = [t for t in reader.tokens() if t.block <= block]
    registers = reader.registers(block)
    pledges = reader.pledged_many([t.patent_id for t in listed], block)
    references = reader.references([t.patent_id for t in listed])
    for token in listed:
        held = registers.get(token.address, {})
        if loan_book in held:
            for who, amount in pledges.get(token.patent_id, {}).items():
                held[loan_book] -= amount
                held[who] = held.get(who, 0) + amount
            held = {h: n for h, n in held.items() if n > 0}
        top = max(held, key=lambda h: (held[h], h), default=None)
        hhi = sum(Fraction(n, token.supply) ** 2 for n in held.values()) * 10_000
        out.append(
            Concentration(
                patent_id=token.patent_id,
                reference=references[token.patent_id],
                holders=len(held),
                top_holder=top,
                top_share=share(held[top], token.supply) if top else "0",
                hhi=round(hhi),
            )
        )
    return out


def valuation_changes(reader: IndexReader, block: int, as_of: int) -> list[ValuationChange]:
    """Every valuation by patent and date, with its change since the previous one that
    was not revoked."""
    revoked = {
        e.args["reportId"]
        for e in reader.events("ValuationRevoked", "ValuationRevokedForCause", until=block)
    }
    attested = reader.events("ValuationAttested", until=block)
    bases = {e.args["reportId"]: e.args for e in reader.events("ValuationBasis", until=block)}
    withdrawn = {e.args["valuer"] for e in reader.events("ValuerRemoved", until=block)}
    where = Recognitions.from_index(reader, withdrawn, until=block)
    attested.sort(key=lambda e: (e.args["patentId"], int(e.args["valuationDate"]), e.position))
    out: list[ValuationChange] = []
    previous: dict[str, EventRow] = {}
    for e in attested:
        a, pid = e.args, e.args["patentId"]
        before = previous.get(pid)
        out.append(
            ValuationChange(
                patent_id=pid,
                reference=reader.reference(pid),
                report_id=a["reportId"],
                value=int(a["value"]),
                currency=letters(a["currency"]),
                valuation_date=int(a["valuationDate"]),
                valid_until=int(a["validUntil"]),
                age_days=max(as_of - int(a["valuationDate"]), 0) // DAY,
                revoked=a["reportId"] in revoked,
                valuer_jurisdiction=where.home_of(a["valuer"]),
                recognised_in=where.recognised_in(a["reportId"]),
                value_change=None
                if before is None
                else _signed(int(a["value"]) - int(before.args["value"])),
                score_changes=None
                if before is None
                else [
                    int(x) - int(y) for x, y in zip(a["scores"], before.args["scores"], strict=True)
                ],
                **_basis_change(
                    bases.get(a["reportId"]),
                    None if before is None else bases.get(before.args["reportId"]),
                ),
            )
        )
        if a["reportId"] not in revoked:
            previous[pid] = e
    return out


def _basis_change(basis: dict[str, Any] | None, before: dict[str, Any] | None) -> dict[str, Any]:
    if basis is None:
        return {}
    dims = [int(d) for d in basis["dimensions"]]
    return {
        "dimensions": dims,
        "dimension_changes": None
        if before is None
        else [d - int(b) for d, b in zip(dims, before["dimensions"], strict=True)],
        "scoring_model": model_text(bytes.fromhex(basis["scoringModel"][2:])),
    }


LOAN_TRANSITIONS = {
    "LoanOffered": "offered",
    "OfferCancelled": "cancelled",
    "LoanOpened": "active",
    "LoanCured": "active",
    "LoanCalled": "called",
    "Released": "repaid",
    "LoanEnforced": "enforced",
}


def loan_states(reader: IndexReader, block: int | None = None) -> dict[int, str]:
    """Each loan's state at `block` (the index's block when None), by loan id."""
    state: dict[int, str] = {}
    for e in reader.events(*LOAN_TRANSITIONS, until=block):
        state[int(e.args["loanId"])] = LOAN_TRANSITIONS[e.event]
    return state


def loan_risk(reader: IndexReader, block: int) -> LoanRisk:
    state: dict[str, str] = {}
    ltvs: list[int] = []
    principal = recovered = shortfall = 0
    for e in reader.events(*LOAN_TRANSITIONS, until=block):
        state[e.args["loanId"]] = LOAN_TRANSITIONS[e.event]
        if e.event == "LoanOpened":
            lent, value = int(e.args["principal"]), int(e.args["collateralValue"])
            principal += lent
            ltvs.append(-(-lent * 10_000 // value) if value else 2**32 - 1)
        if e.event == "LoanEnforced":
            recovered += int(e.args["recovered"])
            shortfall += int(e.args["shortfall"])
    by_state: dict[str, int] = {}
    for s in state.values():
        by_state[s] = by_state.get(s, 0) + 1
    settled = recovered + shortfall
    return LoanRisk(
        loans=len(state),
        by_state=by_state,
        ltv_at_opening_bps=ltvs,
        principal=principal,
        recovered=recovered,
        shortfall=shortfall,
        recovery_rate=share(recovered, settled)[:6] if settled else None,
    )


def risk(reader: IndexReader, *, block: int | None = None, loan_book: str | None = None) -> Risk:
    at = reader.at(block)
    as_of = reader.block_time(at) or 0
    return Risk(
        block=at,
        as_of=as_of,
        concentration=concentration(reader, at, loan_book),
        valuations=valuation_changes(reader, at, as_of),
        loans=loan_risk(reader, at),
    )


def subsidy(
    reader: IndexReader, *, year: int | None = None, block: int | None = None
) -> SubsidyUse:
    """Subsidised valuations attested in `year` (UTC, by block time, as the registry
    counts them), less those revoked within that same year, against the cap."""
    at = reader.at(block)
    if year is None:
        year = _year(reader.block_time(at) or 0)
    caps = reader.events("SubsidyCapSet", until=at)
    attested = [e for e in reader.events("ValuationAttested", until=at) if e.args["subsidised"]]
    times = reader.times(
        [e.block for e in attested]
        + [e.block for e in reader.events("ValuationRevoked", "ValuationRevokedForCause", until=at)]
    )
    freed = {
        e.args["reportId"]
        for e in reader.events("ValuationRevoked", "ValuationRevokedForCause", until=at)
        if _year(times.get(e.block, 0)) == year
    }
    used = [
        e.args["reportId"]
        for e in attested
        if _year(times.get(e.block, 0)) == year and e.args["reportId"] not in freed
    ]
    return SubsidyUse(
        year=year,
        cap=int(caps[-1].args["cap"]) if caps else None,
        used=len(used),
        valuations=used,
    )


def _year(when: int) -> int:
    return datetime.fromtimestamp(when, UTC).year


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)
