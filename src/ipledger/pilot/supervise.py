"""The pilot's last step: the supervisor's view. The chain's events go into the index
(`ipledger index`), which is checked against the chain (`index verify`); the registers,
flows, risk and subsidy use are read from it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from ipledger.clients.ledger import Ledger
from ipledger.deploy.records import Deployment
from ipledger.index.sync import Indexer
from ipledger.models.supervision import SupervisionSummary
from ipledger.read.index_check import verify_index
from ipledger.read.indexed import IndexReader
from ipledger.read.registers import register
from ipledger.read.supervision import flows, risk, subsidy


def supervise(
    ledger: Ledger,
    deployment: Deployment,
    engine: Engine,
    step: Callable[[str], None] = lambda _: None,
) -> SupervisionSummary:
    step("indexing the chain for the supervisor")
    indexer = Indexer(
        w3=ledger.w3,
        engine=engine,
        artifacts=ledger.artifacts,
        addresses=ledger.addresses,
        chain_id=deployment.chain_id,
        first_block=deployment.first_block(),
    )
    report = indexer.sync()
    with IndexReader.open(engine) as reader:
        book = reader.loan_book()
        moved = flows(reader, loan_book=book)
        return SupervisionSummary(
            indexed_block=report.to_block,
            events=report.events,
            verified=verify_index(reader, ledger).ok,
            registers=[register(reader, t.patent_id, loan_book=book) for t in reader.tokens()],
            flows=len(moved),
            cross_border=sum(f.cross_border for f in moved),
            risk=risk(reader, loan_book=book),
            subsidy=subsidy(reader),
        )
