"""`ipledger index verify`: the index against the chain, at the index's own block.

Every balance the index knows (zeros included), every holder's claimable revenue,
every patent's evidence head, every patent's latest valid valuation and every loan's
state are read from the chain at the block the index has reached, and each difference
is listed with where it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from web3 import Web3

from ipledger.clients.ledger import Ledger
from ipledger.index.schema import balances
from ipledger.models.loans import LoanState
from ipledger.models.supervision import Difference, Verification
from ipledger.read.indexed import IndexReader
from ipledger.read.registers import owed_by_holder


@contextmanager
def _at_block(w3: Web3, block: int) -> Iterator[None]:
    """Every call through `w3` reads state at `block` (the index's), not the head."""
    previous = w3.eth.default_block
    w3.eth.default_block = block
    try:
        yield
    finally:
        w3.eth.default_block = previous


def verify_index(reader: IndexReader, ledger: Ledger) -> Verification:
    block = reader.indexed_block()
    found: list[Difference] = []
    checked: dict[str, int] = {}
    with _at_block(ledger.w3, block):
        for kind, check in (
            ("token", _tokens),
            ("supply", _supplies),
            ("balance", _balances),
            ("claimable", _claimable),
            ("evidence", _evidence),
            ("valuation", _valuations),
            ("loan", _loans),
        ):
            differences, count = check(reader, ledger, block)
            found += differences
            checked[kind] = count
    return Verification(block=block, checked=checked, differences=found)


Check = tuple[list[Difference], int]


def _tokens(reader: IndexReader, ledger: Ledger, block: int) -> Check:
    """Every token the registry made is in the index, and no other."""
    indexed = {t.patent_id: t.address for t in reader.tokens()}
    on_chain = {}
    for pid in ledger.patents.patent_ids():
        address = ledger.patents.token_of(pid)
        if address is not None:
            on_chain["0x" + bytes(pid).hex()] = address
    out = [
        _diff("token", f"patent {pid}", indexed.get(pid), on_chain.get(pid))
        for pid in sorted(set(indexed) | set(on_chain))
        if indexed.get(pid) != on_chain.get(pid)
    ]
    return out, len(on_chain)


def _supplies(reader: IndexReader, ledger: Ledger, block: int) -> Check:
    """Each token's indexed balances add up to its supply: a holder the index missed
    (a lost Transfer) shows here even though every balance it has is right."""
    out = []
    tokens = reader.tokens()
    for token in tokens:
        held = sum(reader.balances_at(token.address, block).values())
        if held != token.supply:
            out.append(_diff("supply", f"{token.address} balances add up to", held, token.supply))
    return out, len(tokens)


def _balances(reader: IndexReader, ledger: Ledger, block: int) -> Check:
    out, count = [], 0
    for token in reader.tokens():
        client = ledger.token(token.address)
        rows = reader.conn.execute(
            balances.select()
            .with_only_columns(balances.c.holder, balances.c.balance)
            .where(balances.c.token == token.address)
            .order_by(balances.c.block_number, balances.c.log_index)
        )
        latest = {holder: int(balance) for holder, balance in rows}
        for holder, indexed in sorted(latest.items()):
            count += 1
            on_chain = client.balance_of(holder)
            if on_chain != indexed:
                out.append(_diff("balance", f"{token.address} holder {holder}", indexed, on_chain))
    return out, count


def _claimable(reader: IndexReader, ledger: Ledger, block: int) -> Check:
    out, count = [], 0
    for token in reader.tokens():
        client = ledger.token(token.address)
        for holder, indexed in sorted(owed_by_holder(reader, token).items()):
            count += 1
            on_chain = client.claimable(holder)
            if on_chain != indexed:
                out.append(
                    _diff("claimable", f"{token.address} holder {holder}", indexed, on_chain)
                )
    return out, count


def _evidence(reader: IndexReader, ledger: Ledger, block: int) -> Check:
    heads: dict[str, tuple[str, int]] = {}
    for e in reader.events("EvidenceAppended"):
        heads[e.args["patentId"]] = (e.args["entryHash"], int(e.args["seq"]))  # seq counts from 1
    patents = {e.args["patentId"] for e in reader.events("PatentRegistered")}
    out = []
    for pid in sorted(patents):
        indexed = heads.get(pid, ("0x" + "00" * 32, 0))
        entry_hash, count = ledger.evidence.head(bytes.fromhex(pid[2:]))
        on_chain = ("0x" + entry_hash.hex(), count)
        if on_chain != indexed:
            out.append(_diff("evidence", f"patent {pid}", _head(indexed), _head(on_chain)))
    return out, len(patents)


def _valuations(reader: IndexReader, ledger: Ledger, block: int) -> Check:
    now = reader.block_time(block) or 0
    patents = sorted({e.args["patentId"] for e in reader.events("ValuationAttested")})
    out = []
    for pid in patents:
        latest = reader.latest_valuation(pid, now)
        indexed = None if latest is None else latest.args["reportId"]
        on_chain_latest = ledger.valuations.latest_valuation(bytes.fromhex(pid[2:]))
        on_chain = (
            None if on_chain_latest is None else "0x" + bytes(on_chain_latest.report_id).hex()
        )
        if on_chain != indexed:
            out.append(_diff("valuation", f"patent {pid} latest", indexed, on_chain))
    return out, len(patents)


_STATES = {
    "LoanOffered": LoanState.OFFERED,
    "OfferCancelled": LoanState.CANCELLED,
    "LoanOpened": LoanState.ACTIVE,
    "LoanCured": LoanState.ACTIVE,
    "LoanCalled": LoanState.CALLED,
    "Released": LoanState.REPAID,
    "LoanEnforced": LoanState.ENFORCED,
}


def _loans(reader: IndexReader, ledger: Ledger, block: int) -> Check:
    state: dict[int, LoanState] = {}
    for e in reader.events(*_STATES):
        state[int(e.args["loanId"])] = _STATES[e.event]
    out = []
    for loan_id, indexed in sorted(state.items()):
        on_chain = LoanState(int(ledger.loans.loan(loan_id)["state"]))
        if on_chain != indexed:
            out.append(
                _diff("loan", f"loan {loan_id} state", indexed.name.lower(), on_chain.name.lower())
            )
    return out, len(state)


def _diff(kind: str, where: str, index: object, chain: object) -> Difference:
    return Difference(kind=kind, where=where, index=_text(index), chain=_text(chain))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _head(head: tuple[str, int]) -> str:
    return f"{head[1]} entries, head {head[0]}"
