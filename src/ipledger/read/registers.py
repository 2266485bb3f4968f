"""Registers at a record date and distribution statements, from the index.

Entitlements follow the token's own accumulator exactly: a holder's earnings after
deposits a_1..a_k, holding b_j tokens at deposit j, are floor(sum b_j * a_j / supply)
(the token keeps the fraction, so rounding never compounds). Deposit k's part is the
increase of that floor, so the parts add up, to the unit, to what the holder can claim.
Claims are set against the oldest entitlement first.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import cast

from eth_typing import ChecksumAddress
from sqlalchemy import select

from ipledger.index.schema import balances
from ipledger.models.supervision import (
    Distribution,
    Entitlement,
    Register,
    RegisterEntry,
    Statement,
    StatementLine,
)
from ipledger.read.indexed import EventRow, IndexReader, NotIndexedError, TokenRow, share
from ipledger.read.recoveries import owed_after_recoveries, recovered_accounts


def register(reader: IndexReader, patent_id: str, *, block: int | None = None,
             loan_book: str | None = None) -> Register:  # fmt: skip
    """The holders of `patent_id`'s tokens after `block` (default: the index's last)."""
    at = reader.at(block)
    token = reader.token_of(patent_id)
    if token.block > at:
        raise NotIndexedError(f"patent {patent_id} was not tokenised yet at block {at}")
    held = reader.balances_at(token.address, at)
    listed = reader.jurisdictions(at)
    frozen = reader.frozen(token.address, at)
    pledged = reader.pledged(patent_id, at)
    holders = sorted(set(held) | set(pledged), key=lambda h: (-held.get(h, 0), h))
    return Register(
        patent_id=patent_id,
        reference=reader.reference(patent_id),
        token=token.address,
        block=at,
        timestamp=reader.block_time(at),
        total_supply=token.supply,
        # Built without validation: every address in the index was written checksummed
        # by the indexer (web3 decodes them so), and re-checksumming 10,000 holders
        # (a keccak each) was most of a register's time.
        holders=[
            RegisterEntry.model_construct(
                holder=cast(ChecksumAddress, h),
                balance=held.get(h, 0),
                share=share(held.get(h, 0), token.supply),
                jurisdiction=listed.get(h),
                frozen=h in frozen,
                custodian=h == loan_book,
                pledged=pledged.get(h, 0),
            )
            for h in holders
        ],
    )


@dataclass(frozen=True)
class _Deposit:
    seq: int
    block: int
    log_index: int
    amount: int
    report_hash: str


def _deposits(reader: IndexReader, token: TokenRow, until: int | None = None) -> list[_Deposit]:
    return [
        _deposit(e) for e in reader.events("RevenueDeposited", address=token.address, until=until)
    ]


def _deposit(e: EventRow) -> _Deposit:
    args = e.args
    return _Deposit(int(args["seq"]), e.block, e.log_index, int(args["amount"]), args["reportHash"])


def _claimed(reader: IndexReader, token: TokenRow, holder: str | None = None) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in reader.events("RevenueClaimed", address=token.address):
        who = e.args["account"]
        if holder is None or who == holder:
            out[who] = out.get(who, 0) + int(e.args["amount"])
    return out


def _parts(
    history: list[tuple[int, int, int]], deposits: list[_Deposit], supply: int
) -> list[tuple[int, int]]:
    """(balance at, entitled) for each deposit, from one holder's balance history."""
    positions = [(b, i) for b, i, _ in history]
    out = []
    earned_exact = 0
    for d in deposits:
        k = bisect_left(positions, (d.block, d.log_index))  # changes strictly before it
        balance = history[k - 1][2] if k > 0 else 0
        before = earned_exact // supply
        earned_exact += balance * d.amount
        out.append((balance, earned_exact // supply - before))
    return out


def _fifo(entitled: list[int], claimed: int) -> list[int]:
    """How much of each entitlement the claims so far have paid, oldest first."""
    paid = []
    for amount in entitled:
        take = min(amount, claimed)
        paid.append(take)
        claimed -= take
    return paid


def distribution(reader: IndexReader, patent_id: str, seq: int) -> Distribution:
    """Deposit `seq` of the patent's token and each holder's part of it."""
    token = reader.token_of(patent_id)
    deposits = _deposits(reader, token)
    if not 1 <= seq <= len(deposits):
        raise NotIndexedError(
            f"patent {patent_id} has {len(deposits)} deposits in the index; no deposit {seq}"
        )
    wanted = deposits[seq - 1]
    claims = _claimed(reader, token)
    holders = set(reader.balances_at(token.address, wanted.block, before=wanted.log_index))
    entitlements = []
    for h in sorted(holders):
        parts = _parts(reader.history(token.address, h), deposits, token.supply)
        paid = _fifo([e for _, e in parts], claims.get(h, 0))
        balance, entitled = parts[seq - 1]
        entitlements.append(
            Entitlement(holder=h, balance=balance, entitled=entitled, claimed=paid[seq - 1])
        )
    entitlements.sort(key=lambda e: (-e.entitled, e.holder))
    return Distribution(
        patent_id=patent_id,
        token=token.address,
        seq=wanted.seq,
        block=wanted.block,
        timestamp=reader.block_time(wanted.block),
        amount=wanted.amount,
        report_hash=wanted.report_hash,
        entitlements=entitlements,
    )


def statement(reader: IndexReader, holder: str, *, from_time: int | None = None,
              to_time: int | None = None) -> Statement:  # fmt: skip
    """Every deposit a holder had a part of in [from_time, to_time], claimed or not;
    what it can claim now; and revenue an agent's account recovery moved to or from it."""
    reader.indexed_block()  # an empty index says so
    by_token = {t.address: t for t in reader.tokens()}
    lines: list[StatementLine] = []
    owed = moved_in = moved_out = 0
    held = reader.tokens_held(holder)
    # A token that never had a deposit owes nothing and has no lines: one query finds them.
    paying = {e.address for e in reader.events("RevenueDeposited", addresses=held)}
    for address in held:
        if address not in paying:
            continue
        token = by_token[address]
        deposits = _deposits(reader, token)
        parts = _parts(reader.history(address, holder), deposits, token.supply)
        claims = _claimed(reader, token, holder).get(holder, 0)
        paid = _fifo([e for _, e in parts], claims)
        own = sum(e for _, e in parts) - claims
        exact = own
        if holder in recovered_accounts(reader, token):
            exact = owed_after_recoveries(reader, token, holder)
        owed += exact
        moved_in += max(exact - own, 0)
        moved_out += max(own - exact, 0)
        times = reader.times(d.block for d in deposits)
        for d, (balance, entitled), claimed in zip(deposits, parts, paid, strict=True):
            when = times.get(d.block)
            if entitled == 0 and balance == 0:
                continue
            if when is not None and not _within(when, from_time, to_time):
                continue
            lines.append(
                StatementLine(
                    patent_id=token.patent_id,
                    reference=reader.reference(token.patent_id),
                    token=address,
                    seq=d.seq,
                    block=d.block,
                    timestamp=when,
                    deposit=d.amount,
                    balance=balance,
                    entitled=entitled,
                    claimed=claimed,
                )
            )
    lines.sort(key=lambda line: (line.block, line.token))
    entitled_total = sum(line.entitled for line in lines)
    claimed_total = sum(line.claimed for line in lines)
    return Statement(
        holder=holder,
        from_time=from_time,
        to_time=to_time,
        lines=lines,
        entitled=entitled_total,
        claimed=claimed_total,
        unclaimed=owed,
        recovered_in=moved_in,
        recovered_out=moved_out,
    )


def owed_by_holder(reader: IndexReader, token: TokenRow) -> dict[str, int]:
    """What each holder the token ever had can claim now: entitled less claimed (what
    the token's `claimableRevenue` says)."""
    deposits = _deposits(reader, token)
    claims = _claimed(reader, token)
    recovered = recovered_accounts(reader, token)
    out = {}
    for holder in _holders_ever(reader, token):
        if holder in recovered:
            out[holder] = owed_after_recoveries(reader, token, holder)
            continue
        parts = _parts(reader.history(token.address, holder), deposits, token.supply)
        out[holder] = sum(e for _, e in parts) - claims.get(holder, 0)
    return out


def owed_from(history: list[tuple[int, int, int]], deposits: list[EventRow], supply: int,
              claimed: int) -> int:  # fmt: skip
    """Entitled less claimed, from one holder's balance history and a token's deposit
    events (as `claimable_of`, for callers that read them in bulk)."""
    parts = _parts(history, [_deposit(e) for e in deposits], supply)
    return sum(e for _, e in parts) - claimed


def claimable_of(reader: IndexReader, token: TokenRow, holder: str) -> int:
    """What `holder` can claim of `token` now (the token's `claimableRevenue`)."""
    if holder in recovered_accounts(reader, token):
        return owed_after_recoveries(reader, token, holder)
    parts = _parts(reader.history(token.address, holder), _deposits(reader, token), token.supply)
    return sum(e for _, e in parts) - _claimed(reader, token, holder).get(holder, 0)


def unclaimed(reader: IndexReader) -> dict[str, dict[str, int]]:
    """Each patent's entitled-but-unclaimed revenue per holder (for the wind-down)."""
    return {
        token.patent_id: {h: n for h, n in owed_by_holder(reader, token).items() if n > 0}
        for token in reader.tokens()
    }


def _holders_ever(reader: IndexReader, token: TokenRow) -> list[str]:
    rows = reader.conn.execute(
        select(balances.c.holder).where(balances.c.token == token.address).distinct()
    )
    return sorted(r[0] for r in rows)


def _within(when: int, start: int | None, end: int | None) -> bool:
    return (start is None or when >= start) and (end is None or when <= end)


__all__ = [
    "EventRow",
    "claimable_of",
    "distribution",
    "owed_by_holder",
    "register",
    "statement",
    "unclaimed",
]
