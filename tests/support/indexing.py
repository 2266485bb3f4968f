"""An index of the session suite, a chain with some of everything in it, and a canonical
dump to compare two indexes by."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eth_utils.crypto import keccak
from sqlalchemy import Engine, select

from ipledger.clients.ledger import Ledger
from ipledger.deploy.records import Deployment
from ipledger.index.schema import metadata
from ipledger.index.store import database_url, open_engine
from ipledger.index.sync import Indexer
from tests.support.loans import PLEDGED, loan_setup, open_loan
from tests.support.suite import HKD, TOKEN, Market, SessionLedger, distribute, open_market
from tests.support.valuations import make, signed, valuer_sender


def indexer(session: SessionLedger, db: str | Path, *, confirmations: int = 0) -> Indexer:
    """The indexer of the session suite into `db` (a file or a database URL)."""
    return indexer_of(session.ledger, session.deployment, db, confirmations=confirmations)


def indexer_of(ledger: Ledger, deployment: Deployment, db: str | Path, *,
               confirmations: int = 0) -> Indexer:  # fmt: skip
    url = database_url(str(db), Path.cwd())
    return Indexer(
        w3=ledger.w3,
        engine=open_engine(url),
        artifacts=ledger.artifacts,
        addresses=ledger.addresses,
        chain_id=deployment.chain_id,
        first_block=deployment.first_block(),
        confirmations=confirmations,
    )


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: two indexes of one chain dump equal."""
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = [tuple(r) for r in conn.execute(select(table))]
            out[table.name] = sorted(rows, key=repr)
    return out


def busy_market(session: SessionLedger) -> Market:
    """A patent with transfers, two deposits, a claim, a freeze, a forced transfer, a
    valuation and a revoked one, and an open loan repaid in part."""
    m = open_market(session.ledger, session.actors)
    actors = session.actors
    distribute(m, [300, 200, 100])
    m.token.deposit_revenue(1_000 * HKD + 7, keccak(text="Q1"), sender=actors.issuer)
    m.token.transfer(actors.investors[2].address, 50 * TOKEN, sender=actors.investors[0])
    m.token.claim(sender=actors.investors[1])
    m.token.set_frozen(actors.investors[2].address, True, sender=actors.agent)
    m.token.forced_transfer(
        actors.investors[2].address, actors.investors[3].address, 20 * TOKEN,
        evidence_hash=keccak(text="court order"), sender=actors.agent,
    )  # fmt: skip
    setup = loan_setup(m)  # a valuation, a lender, a borrower holding 2 x PLEDGED
    second = make(m, setup.valuer, n=2, value=9_000_000_00)
    session.ledger.valuations.attest(second, signed(m, setup.valuer, second), sender=actors.admin)
    revoker = valuer_sender(m, setup.valuer)
    session.ledger.valuations.revoke(second.report_id, "superseded", sender=revoker)
    loan_id = open_loan(setup, PLEDGED)
    m.token.deposit_revenue(2_000 * HKD + 3, keccak(text="Q2"), sender=actors.issuer)
    session.ledger.loans.repay(loan_id, 1_000 * HKD, sender=setup.borrower)
    return m
