"""Revenue after an agent's account recovery, exactly as the token keeps it.

`recoverAccount(from, to)` moves `from`'s tokens and everything it earned and has not
claimed to `to` (the fractions of a unit too). In numerators of 1/supply-ths of a unit:
each account's unclaimed earnings U grow by balance x deposit, fall by supply x each
claim, and a recovery adds U(from) to U(to) and sets U(from) to 0. What an account can
claim is floor(U / supply). Only accounts a recovery touched need this.
"""

from __future__ import annotations

from bisect import bisect_left

from ipledger.read.indexed import EventRow, IndexReader, TokenRow


def recovered_accounts(reader: IndexReader, token: TokenRow) -> set[str]:
    return {
        who
        for e in reader.events("AccountRecovered", address=token.address)
        for who in (e.args["from"], e.args["to"])
    }


def owed_after_recoveries(reader: IndexReader, token: TokenRow, holder: str) -> int:
    """What `holder` can claim now, through every recovery of the token."""
    recoveries = reader.events("AccountRecovered", address=token.address)
    accounts = {holder}
    while True:  # everyone whose earnings reached `holder` by some chain of recoveries
        more = {e.args["from"] for e in recoveries if e.args["to"] in accounts} - accounts
        if not more:
            break
        accounts |= more
    histories = {a: reader.history(token.address, a) for a in accounts}
    positions = {a: [(b, i) for b, i, _ in h] for a, h in histories.items()}
    timeline: list[EventRow] = [
        *reader.events("RevenueDeposited", address=token.address),
        *(
            e
            for e in reader.events("RevenueClaimed", address=token.address)
            if e.args["account"] in accounts
        ),
        *(e for e in recoveries if e.args["to"] in accounts or e.args["from"] in accounts),
    ]
    timeline.sort(key=lambda e: e.position)
    unclaimed = dict.fromkeys(accounts, 0)
    for e in timeline:
        if e.event == "RevenueDeposited":
            amount = int(e.args["amount"])
            for a in accounts:
                k = bisect_left(positions[a], e.position)
                unclaimed[a] += (histories[a][k - 1][2] if k else 0) * amount
        elif e.event == "RevenueClaimed":
            unclaimed[e.args["account"]] -= int(e.args["amount"]) * token.supply
        else:
            moved = unclaimed.get(e.args["from"], 0)
            unclaimed[e.args["from"]] = 0
            if e.args["to"] in unclaimed:
                unclaimed[e.args["to"]] += moved
    return unclaimed[holder] // token.supply
