"""An investor's holdings from the index: what the lens gives, without asking the chain
about every patent (the index keeps each holder's balances by holder), as of the block
the index has reached."""

from __future__ import annotations

from ipledger.models.ledger import LatestValuation
from ipledger.models.reads import Holding, Holdings
from ipledger.read.indexed import IndexReader
from ipledger.read.labels import Labels
from ipledger.read.registers import claimable_of


def holdings_from_index(reader: IndexReader, investor: str, *, labels: Labels | None = None,
                        head: int | None = None) -> Holdings:  # fmt: skip
    """Every patent `investor` holds (or has pledged) tokens of, at the index's block;
    `head` (the chain's) gives the lag. Payment-token symbols come from `labels`."""
    block = reader.indexed_block()
    now = reader.block_time(block) or 0
    by_address = {t.address: t for t in reader.tokens_of_holder(investor)}
    found = []
    for address, token in by_address.items():
        balance = reader.balances_at(address, block, holder=investor).get(investor, 0)
        pledged = reader.pledged(token.patent_id, block).get(investor, 0)
        if balance == 0 and pledged == 0:
            continue
        latest = reader.latest_valuation(token.patent_id, now)
        symbol, decimals = labels.units(token.payment_token) if labels else (None, None)
        found.append(
            Holding(
                patent_id=token.patent_id,
                reference=reader.reference(token.patent_id),
                token=address,
                balance=balance,
                total_supply=token.supply,
                claimable=claimable_of(reader, token, investor),
                payment_token=token.payment_token,
                payment_symbol=symbol,
                payment_decimals=decimals,
                valuation=None if latest is None else _latest(latest.args),
                pledged=pledged,
            )
        )
    found.sort(key=lambda h: h.reference or "")
    return Holdings(
        investor=investor,
        holdings=found,
        indexed_block=block,
        lag=None if head is None else max(head - block, 0),
    )


def _latest(args: dict[str, object]) -> LatestValuation:
    return LatestValuation(
        report_id=args["reportId"],
        valuer=args["valuer"],
        value=args["value"],
        currency=_letters(str(args["currency"])),
        valuation_date=args["valuationDate"],
        valid_until=args["validUntil"],
    )


def _letters(code: str) -> str:
    return (
        bytes.fromhex(code[2:]).rstrip(b"\0").decode("ascii", "replace")
        if code.startswith("0x")
        else code
    )
