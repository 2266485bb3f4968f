"""An investor's holdings from the index: what the lens gives, without asking the chain
about every patent (the index keeps each holder's balances by holder), as of the block
the index has reached."""

from __future__ import annotations

from ipledger.models.ledger import LatestValuation
from ipledger.models.reads import Holding, Holdings
from ipledger.read.indexed import EventRow, IndexReader, letters
from ipledger.read.labels import Labels
from ipledger.read.registers import owed_from


def holdings_from_index(reader: IndexReader, investor: str, *, labels: Labels | None = None,
                        head: int | None = None) -> Holdings:  # fmt: skip
    """Every patent `investor` holds (or has pledged) tokens of, at the index's block;
    `head` (the chain's) gives the lag. Payment-token symbols come from `labels`.
    A fixed number of queries, however many patents the index holds."""
    block = reader.indexed_block()
    now = reader.block_time(block) or 0
    histories = reader.histories(investor)
    held = reader.tokens_at(list(histories))
    pids = [t.patent_id for t in held]
    addresses = [t.address for t in held]
    references = reader.references(pids)
    pledged = reader.pledged_many(pids, block)
    # Valuations as they count in the investor's listed jurisdiction, as the lens gives them.
    valuations = reader.latest_valuations(
        pids, now, lambda: reader.jurisdiction_of(investor, block)
    )
    deposits: dict[str, list[EventRow]] = {a: [] for a in addresses}
    for e in reader.events("RevenueDeposited", addresses=addresses):
        deposits[e.address].append(e)
    claimed: dict[str, int] = {}
    for e in reader.events("RevenueClaimed", addresses=addresses):
        if e.args["account"] == investor:
            claimed[e.address] = claimed.get(e.address, 0) + int(e.args["amount"])
    found = []
    for token in held:
        history = histories[token.address]
        balance = history[-1][2] if history else 0
        mine = pledged.get(token.patent_id, {}).get(investor, 0)
        if balance == 0 and mine == 0:
            continue
        latest = valuations[token.patent_id]
        symbol, decimals = labels.units(token.payment_token) if labels else (None, None)
        owed = owed_from(
            history, deposits[token.address], token.supply, claimed.get(token.address, 0)
        )
        found.append(
            Holding(
                patent_id=token.patent_id,
                reference=references[token.patent_id],
                token=token.address,
                balance=balance,
                total_supply=token.supply,
                claimable=owed,
                payment_token=token.payment_token,
                payment_symbol=symbol,
                payment_decimals=decimals,
                valuation=None if latest is None else latest_of(latest.args),
                pledged=mine,
            )
        )
    found.sort(key=lambda h: h.reference or "")
    return Holdings(
        investor=investor,
        holdings=found,
        indexed_block=block,
        lag=None if head is None else max(head - block, 0),
    )


def latest_of(args: dict[str, object]) -> LatestValuation:
    return LatestValuation(
        report_id=args["reportId"],
        valuer=args["valuer"],
        value=args["value"],
        currency=letters(str(args["currency"])),
        valuation_date=args["valuationDate"],
        valid_until=args["validUntil"],
    )
