"""Balances from the index: a register at any block (or just before one log of it), a
holder's history in one token or in all, the tokens a holder ever had. A part of
`IndexReader`, kept apart so that each file reads as one concern."""

from __future__ import annotations

from sqlalchemy import Connection, Subquery, and_, func, select, true

from ipledger.index.schema import balances


class BalanceReads:
    conn: Connection

    def balances_at(
        self, token: str, block: int, before: int | None = None, holder: str | None = None
    ) -> dict[str, int]:
        """Every holder's balance (or just `holder`'s) after block `block` (or, with
        `before`, just before log `before` of that block); holders at zero left out."""
        position = balances.c.block_number < block
        if before is None:
            position = balances.c.block_number <= block
        else:
            position = position | and_(
                balances.c.block_number == block, balances.c.log_index < before
            )
        latest = (
            select(
                balances.c.holder,
                balances.c.balance,
                func.row_number()
                .over(
                    partition_by=balances.c.holder,
                    order_by=(balances.c.block_number.desc(), balances.c.log_index.desc()),
                )
                .label("n"),
            )
            .where(balances.c.token == token, position)
            .where(true() if holder is None else balances.c.holder == holder)
            .subquery()
        )
        rows = self.conn.execute(select(latest.c.holder, latest.c.balance).where(latest.c.n == 1))
        return {h: int(b) for h, b in rows if int(b) != 0}

    def history(self, token: str, holder: str) -> list[tuple[int, int, int]]:
        """(block, log index, balance after) for each change of `holder`'s balance."""
        rows = self.conn.execute(
            select(balances.c.block_number, balances.c.log_index, balances.c.balance)
            .where(balances.c.token == token, balances.c.holder == holder)
            .order_by(balances.c.block_number, balances.c.log_index)
        )
        return [(int(b), int(i), int(v)) for b, i, v in rows]

    def histories(self, holder: str) -> dict[str, list[tuple[int, int, int]]]:
        """`history` of every token `holder` ever had, in one query."""
        rows = self.conn.execute(
            select(
                balances.c.token, balances.c.block_number, balances.c.log_index, balances.c.balance
            )
            .where(balances.c.holder == holder)
            .order_by(balances.c.token, balances.c.block_number, balances.c.log_index)
        )
        out: dict[str, list[tuple[int, int, int]]] = {}
        for token, block, log, balance in rows:
            out.setdefault(token, []).append((int(block), int(log), int(balance)))
        return out

    def tokens_held(self, holder: str) -> list[str]:
        rows = self.conn.execute(
            select(balances.c.token).where(balances.c.holder == holder).distinct()
        )
        return [r[0] for r in rows]

    def registers(self, block: int | None = None) -> dict[str, dict[str, int]]:
        """Every token's holders and balances after `block` (now when None), in one query."""
        latest = _latest_balances(block)
        out: dict[str, dict[str, int]] = {}
        query = select(latest.c.token, latest.c.holder, latest.c.balance).where(latest.c.n == 1)
        for token, holder, balance in self.conn.execute(query):
            if balance != "0":
                out.setdefault(token, {})[holder] = int(balance)
        return out

    def holder_counts(self, leave_out: str | None = None) -> dict[str, int]:
        """Token -> accounts holding a balance now (but `leave_out`), in one query."""
        latest = _latest_balances(None)
        rows = self.conn.execute(
            select(latest.c.token, func.count())
            .where(latest.c.n == 1, latest.c.balance != "0", latest.c.holder != (leave_out or ""))
            .group_by(latest.c.token)
        )
        return {token: int(n) for token, n in rows}


def _latest_balances(block: int | None) -> Subquery:
    """Each (token, holder)'s balance rows numbered newest first (n = 1: its balance)."""
    query = select(
        balances.c.token,
        balances.c.holder,
        balances.c.balance,
        func.row_number()
        .over(
            partition_by=(balances.c.token, balances.c.holder),
            order_by=(balances.c.block_number.desc(), balances.c.log_index.desc()),
        )
        .label("n"),
    )
    if block is not None:
        query = query.where(balances.c.block_number <= block)
    return query.subquery()
