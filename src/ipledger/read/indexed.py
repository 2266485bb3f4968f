"""Reading the index: what every report asks it (tokens, references, who was listed
where, block times, balances at a block), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from ipledger.errors import IpledgerError
from ipledger.index.schema import balances, blocks, events, tokens
from ipledger.index.store import get_meta
from ipledger.read.indexed_balances import BalanceReads
from ipledger.read.indexed_valuations import Jurisdiction, ValuationState


class NotIndexedError(IpledgerError, LookupError):
    """The index has nothing for what was asked (yet)."""


@dataclass(frozen=True)
class TokenRow:
    address: str
    patent_id: str
    supply: int
    payment_token: str
    block: int


@dataclass(frozen=True)
class EventRow:
    block: int
    log_index: int
    tx_hash: str
    address: str
    event: str
    patent_id: str | None
    args: dict[str, Any]

    @property
    def position(self) -> tuple[int, int]:
        return self.block, self.log_index


class IndexReader(BalanceReads):
    """One connection's view of the index (balances: `BalanceReads`)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._references: dict[str, str | None] = {}
        self._valuations: ValuationState | None = None  # built on first use

    @classmethod
    @contextmanager
    def open(cls, engine: Engine) -> Iterator[IndexReader]:
        # One read transaction: every query of a report sees the same committed state.
        with engine.connect() as conn, conn.begin():
            yield cls(conn)

    # ---- where the index is -----------------------------------------------------------

    def indexed_block(self) -> int:
        stored = get_meta(self.conn, "cursor")
        if stored is None:
            raise NotIndexedError("the index is empty: run `ipledger index` first")
        return int(json.loads(stored)["block"])

    def loan_book(self) -> str | None:
        """The followed suite's loan book (the custodian of pledged tokens)."""
        stored = get_meta(self.conn, "suite")
        return None if stored is None else json.loads(stored).get("loanBook")

    def chain_id(self) -> int | None:
        stored = get_meta(self.conn, "binding")
        return None if stored is None else int(json.loads(stored)["chain_id"])

    def at(self, block: int | None) -> int:
        """The record block asked for, which the index must have reached."""
        last = self.indexed_block()
        if block is None:
            return last
        if block > last:
            raise NotIndexedError(
                f"block {block} is past the index (it has reached block {last}): "
                "run `ipledger index` first"
            )
        return block

    def block_time(self, block: int) -> int | None:
        """The time of `block`: the index's last block's own (kept with the cursor), or
        of the latest block with an event at or before it."""
        stored = get_meta(self.conn, "cursor")
        if stored is not None:
            cursor = json.loads(stored)
            if cursor["block"] == block and cursor.get("timestamp") is not None:
                return int(cursor["timestamp"])
        row = self.conn.execute(
            select(blocks.c.timestamp)
            .where(blocks.c.block_number <= block)
            .order_by(blocks.c.block_number.desc())
            .limit(1)
        ).first()
        return None if row is None else int(row[0])

    def block_at_time(self, when: int) -> int | None:
        """The last stored block at or before unix time `when`."""
        row = self.conn.execute(
            select(func.max(blocks.c.block_number)).where(blocks.c.timestamp <= when)
        ).first()
        return None if row is None or row[0] is None else int(row[0])

    def times(self, numbers: Iterable[int]) -> dict[int, int]:
        wanted = sorted(set(numbers))
        if not wanted:
            return {}
        rows = self.conn.execute(
            select(blocks.c.block_number, blocks.c.timestamp).where(
                blocks.c.block_number.in_(wanted)
            )
        )
        return {int(n): int(t) for n, t in rows}

    # ---- tokens and patents -------------------------------------------------------------

    def tokens(self) -> list[TokenRow]:
        rows = self.conn.execute(select(tokens).order_by(tokens.c.block_number))
        return [_token(r) for r in rows]

    def token_of(self, patent_id: str) -> TokenRow:
        row = self.conn.execute(select(tokens).where(tokens.c.patent_id == patent_id)).first()
        if row is None:
            raise NotIndexedError(f"patent {patent_id} has no revenue-rights token in the index")
        return _token(row)

    def reference(self, patent_id: str) -> str | None:
        """ "HK 30012345" for a patent id, as registered (asked once per patent)."""
        if patent_id not in self._references:
            found = self.events("PatentRegistered", patent_id=patent_id)
            self._references[patent_id] = (
                f"{letters(found[0].args['jurisdiction'])} {found[0].args['publicationNumber']}"
                if found
                else None
            )
        return self._references[patent_id]

    # ---- events -------------------------------------------------------------------------

    def events(
        self,
        *names: str,
        patent_id: str | None = None,
        address: str | None = None,
        until: int | None = None,
        patent_ids: Sequence[str] | None = None,
        addresses: Sequence[str] | None = None,
    ) -> list[EventRow]:
        query = select(events).where(events.c.event.in_(names))
        if patent_id is not None:
            query = query.where(events.c.patent_id == patent_id)
        if address is not None:
            query = query.where(events.c.address == address)
        if patent_ids is not None:
            query = query.where(events.c.patent_id.in_(list(patent_ids)))
        if addresses is not None:
            query = query.where(events.c.address.in_(list(addresses)))
        if until is not None:
            query = query.where(events.c.block_number <= until)
        query = query.order_by(events.c.block_number, events.c.log_index)
        return [
            EventRow(
                block=int(r.block_number),
                log_index=int(r.log_index),
                tx_hash=r.tx_hash,
                address=r.address,
                event=r.event,
                patent_id=r.patent_id,
                args=json.loads(r.args),
            )
            for r in self.conn.execute(query)
        ]

    def jurisdiction_of(self, account: str, until: int) -> str | None:
        """`account`'s listing at block `until` (None if never listed or removed), from
        its own events only: the rows naming it are found by text before any is decoded
        (a register of 10,000 investors would otherwise be read for one)."""
        query = (
            select(events)
            .where(events.c.event.in_(("InvestorSet", "InvestorRemoved")))
            .where(events.c.block_number <= until)
            .where(events.c.args.contains(account))
            .order_by(events.c.block_number, events.c.log_index)
        )
        listed: str | None = None
        for r in self.conn.execute(query):
            args = json.loads(r.args)
            if args["account"] == account:
                listed = letters(args["jurisdiction"]) if r.event == "InvestorSet" else None
        return listed

    def jurisdictions(self, until: int) -> dict[str, str | None]:
        """Each account's listing at block `until` (None once removed)."""
        listed: dict[str, str | None] = {}
        for e in self.events("InvestorSet", "InvestorRemoved", until=until):
            listed[e.args["account"]] = (
                letters(e.args["jurisdiction"]) if e.event == "InvestorSet" else None
            )
        return listed

    def frozen(self, token: str, until: int) -> set[str]:
        state: dict[str, bool] = {}
        for e in self.events("AccountFreezeChanged", address=token, until=until):
            state[e.args["account"]] = bool(e.args["frozen"])
        return {a for a, f in state.items() if f}

    def pledged(self, patent_id: str, until: int) -> dict[str, int]:
        """Tokens of the patent each borrower has pledged and not had back, at `until`."""
        return self.pledged_many([patent_id], until).get(patent_id, {})

    def pledged_many(self, patent_ids: Sequence[str], until: int) -> dict[str, dict[str, int]]:
        """`pledged` of several patents in one pass: patent -> borrower -> tokens."""
        by_loan: dict[tuple[str, str], dict[str, int]] = {}
        for e in self.events("Pledged", "Released", patent_ids=patent_ids, until=until):
            loan = by_loan.setdefault((e.args["loanId"], e.patent_id or ""), {})
            sign = 1 if e.event == "Pledged" else -1
            who = e.args["borrower"]
            loan[who] = loan.get(who, 0) + sign * int(e.args["amount"])
        # An enforced loan's pledge leaves with its tokens, not by a Released event.
        enforced = {e.args["loanId"] for e in self.events("LoanEnforced", until=until)}
        out: dict[str, dict[str, int]] = {}
        for (loan_id, patent), pledges in by_loan.items():
            if loan_id in enforced:
                continue
            for who, amount in pledges.items():
                if amount > 0:
                    mine = out.setdefault(patent, {})
                    mine[who] = mine.get(who, 0) + amount
        return out

    def latest_valuation(self, patent_id: str, now: int) -> EventRow | None:
        """The registry's latest valid valuation of a patent at time `now`."""
        return self.latest_valuations([patent_id], now)[patent_id]

    def latest_valuations(
        self, patent_ids: Sequence[str], now: int, jurisdiction: Jurisdiction = None
    ) -> dict[str, EventRow | None]:
        """Each patent's latest valid valuation at `now`, as the registry picks it: by
        valuation date (a later attestation first among equal dates), the first not
        revoked, expired, stale, challenged or by a withdrawn valuer; with `jurisdiction`,
        the first that also counts there (`ValuationRecognition.latestValuationIn`). A
        callable jurisdiction is asked only if some valuation needs it."""
        if self._valuations is None:
            self._valuations = ValuationState.from_index(self)
        return self._valuations.latest(self, patent_ids, now, jurisdiction)

    def tokens_at(self, addresses: Sequence[str]) -> list[TokenRow]:
        rows = self.conn.execute(select(tokens).where(tokens.c.address.in_(list(addresses))))
        return [_token(r) for r in rows]

    def references(self, patent_ids: Sequence[str]) -> dict[str, str | None]:
        """`reference` of several patents in one query."""
        wanted = [p for p in patent_ids if p not in self._references]
        for p in wanted:
            self._references[p] = None
        if wanted:
            for e in self.events("PatentRegistered", patent_ids=wanted):
                a = e.args
                self._references[a["patentId"]] = (
                    f"{letters(a['jurisdiction'])} {a['publicationNumber']}"
                )
        return {p: self._references[p] for p in patent_ids}

    def tokens_of_holder(self, holder: str) -> list[TokenRow]:
        """Every token `holder` has ever had a balance of."""
        held = select(balances.c.token).where(balances.c.holder == holder).distinct().subquery()
        rows = self.conn.execute(select(tokens).where(tokens.c.address.in_(select(held.c.token))))
        return [_token(r) for r in rows]


def share(part: int, whole: int) -> str:
    """part / whole as a decimal string rounded down to 8 places."""
    if whole == 0:
        return "0"
    units = Fraction(part, whole) * 10**8 // 1
    return f"{units // 10**8}.{units % 10**8:08d}"


def _token(r: Any) -> TokenRow:
    return TokenRow(
        address=r.address,
        patent_id=r.patent_id,
        supply=int(r.supply),
        payment_token=r.payment_token,
        block=int(r.block_number),
    )


def letters(code: str) -> str:
    """A bytes2 jurisdiction or bytes3 currency as stored (0x484b) as its letters (HK),
    trailing zero bytes dropped."""
    if not code.startswith("0x"):
        return code
    return bytes.fromhex(code[2:]).rstrip(b"\0").decode("ascii", "replace")
