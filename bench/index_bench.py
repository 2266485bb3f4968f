"""The supervision index: sync throughput from anvil into SQLite (beside fetching the
same logs alone), `--watch` lag behind the head, and two queries at scale on an index
filled with rows of the chain's own shape: an investor's holdings among 100,000 indexed
patents, and a register of 10,000 holders at a past block."""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, insert

from bench.common import Row, anvil_ledger
from bench.lens_bench import median_seconds, populate
from ipledger.chain.tx import NodeAccount
from ipledger.clients.ledger import Ledger
from ipledger.index.schema import balances, blocks, events, tokens
from ipledger.index.store import database_url, open_engine, put_meta
from ipledger.index.sync import Indexer
from ipledger.project import Project
from ipledger.read.indexed import IndexReader
from ipledger.read.indexed_holdings import holdings_from_index
from ipledger.read.registers import register

PATENTS, TRANSFERS, DEPOSITS = 1_000, 10_000, 1_000
TOKEN = 10**18


def _fill_chain(ledger: Ledger, admin: NodeAccount, investors: list[str]) -> None:
    """1,000 tokenised patents, 10,000 transfers among listed investors, 1,000 deposits;
    sent with explicit gas, only the last receipt awaited (anvil mines in order)."""
    w3 = ledger.w3
    for who in investors:
        ledger.investors.set_investor(who, jurisdiction="HK", expiry=2**40, sender=admin)
    populate(ledger, admin, admin.address, 0, PATENTS)
    addresses = [ledger.patents.token_of(pid) for pid in ledger.patents.patent_ids()]
    token_abi = ledger.artifacts["RevenueRightsToken"].abi
    contracts = [w3.eth.contract(address=a, abi=token_abi) for a in addresses if a]
    hkd = ledger.test_hkd()
    hkd.mint(admin.address, 10**15, sender=admin)
    last = None
    for i in range(TRANSFERS):
        token = contracts[i % len(contracts)]
        last = token.functions.transfer(investors[i % len(investors)], TOKEN).transact(
            {"from": admin.address, "gas": 200_000}
        )
    payer = hkd.contract
    for token in contracts[: DEPOSITS // 10]:
        payer.functions.approve(token.address, 2**255).transact(
            {"from": admin.address, "gas": 100_000}
        )
        for n in range(10):
            last = token.functions.depositRevenue(1_000 + n, b"\x07" * 32).transact(
                {"from": admin.address, "gas": 300_000}
            )
    receipt = w3.eth.wait_for_transaction_receipt(last, timeout=600)
    assert receipt["status"] == 1, "the last benchmark transaction failed"


def _sync_rows(project: Project) -> list[Row]:
    with anvil_ledger(project) as chain:
        ledger, admin, deployment = chain.ledger, chain.admin, chain.deployment
        w3, scratch, artifacts = ledger.w3, chain.scratch, ledger.artifacts
        _fill_chain(ledger, admin, list(w3.eth.accounts[1:21]))

        def indexer(name: str) -> Indexer:
            engine = open_engine(database_url(str(Path(scratch) / name), Path(scratch)))
            return Indexer(
                w3=w3, engine=engine, artifacts=artifacts, addresses=ledger.addresses,
                chain_id=deployment.chain_id, first_block=deployment.first_block(),
            )  # fmt: skip

        runs = []
        for n in range(3):
            ix = indexer(f"sync{n}.sqlite")
            start = time.perf_counter()
            report = ix.sync()
            runs.append((time.perf_counter() - start, report.events))
        seconds, count = sorted(runs)[1]
        fetch = median_seconds(lambda: _fetch_all(w3, ix, deployment.first_block()), runs=3)
        lag = _watch_lag(ledger, admin, indexer("watch.sqlite"))
    return [
        Row(
            f"index sync from anvil into SQLite ({count:,} events: {PATENTS:,} patents, "
            f"{TRANSFERS:,} transfers, {DEPOSITS:,} deposits)",
            "per_second",
            round(count / seconds),
            "the same logs fetched alone (getLogs, no decoding or writing)",
            round(count / fetch),
        ),
        Row(
            "index --watch lag behind the head (median of 10 transactions)",
            "seconds",
            round(lag, 3),
        ),
    ]


def _fetch_all(w3: object, ix: Indexer, first: int) -> None:
    head = ix.w3.eth.block_number
    for start in range(first, head + 1, ix.max_span):
        end = min(start + ix.max_span - 1, head)
        ix.w3.eth.get_logs({"fromBlock": start, "toBlock": end, "topics": [ix.topics]})  # type: ignore[typeddict-item]


def _watch_lag(ledger: Ledger, admin: NodeAccount, ix: Indexer) -> float:
    """Time from a transaction's receipt to the watching index having its block."""
    ix.sync()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: ix.watch(poll=0.5, stop=stop.is_set), daemon=True)
    thread.start()
    lags = []
    investor = ledger.w3.eth.accounts[1]
    try:
        for _ in range(10):
            receipt = ledger.investors.set_investor(
                investor, jurisdiction="HK", expiry=2**40, sender=admin
            )
            seen = time.perf_counter()
            with ix.engine.connect() as conn:
                reader = IndexReader(conn)
                while reader.indexed_block() < receipt["blockNumber"]:
                    time.sleep(0.01)
            lags.append(time.perf_counter() - seen)
    finally:
        stop.set()
        thread.join(timeout=10)
    return statistics.median(lags)


# ---- queries at scale, on rows of the chain's own shape --------------------------------


HOLDER = "0x" + "ab" * 20  # the investor whose holdings are read
ISSUER = "0x" + "cd" * 20
PAYMENT = "0x" + "11" * 20
LISTING = "0x" + "22" * 20  # the investor registry
WIDE_TOKEN, WIDE_PATENT = "0x" + "ff" * 20, "0x" + "ee" * 32  # the patent with 10,000 holders


def _token_row(address: str, pid: str) -> dict[str, object]:
    return {"address": address, "patent_id": pid, "supply": str(10**24),
            "payment_token": PAYMENT, "block_number": 1}  # fmt: skip


def _balance_row(token: str, holder: str, block: int, log: int, balance: int) -> dict[str, object]:
    return {"token": token, "holder": holder, "block_number": block, "log_index": log,
            "balance": str(balance)}  # fmt: skip


def _event(block: int, log: int, name: str, pid: str | None, address: str,
           args: dict[str, str]) -> dict[str, object]:  # fmt: skip
    return {"block_number": block, "log_index": log, "tx_hash": "0x00", "address": address,
            "contract": "RevenueRightsToken", "event": name, "patent_id": pid,
            "args": json.dumps(args, sort_keys=True)}  # fmt: skip


def _synthetic_index(path: Path, patents: int, holders: int) -> Engine:
    """An index of `patents` tokens (HOLDER holds 20 of them, each with a deposit) and
    WIDE_PATENT with `holders` holders, each changing balance three times."""
    engine = open_engine(database_url(str(path), path.parent))
    token_rows, event_rows, balance_rows = [], [], []
    for i in range(patents):
        pid, address = f"0x{i:064x}", f"0x{i + 1:040x}"
        token_rows.append(_token_row(address, pid))
        registered = {
            "patentId": pid,
            "jurisdiction": "0x484b",
            "publicationNumber": str(i),
            "field": "0",
        }  # the shape the indexer writes (ints as decimal strings)
        event_rows.append(
            _event(1 + i // 100, i % 100, "PatentRegistered", pid, address, registered)
        )
        balance_rows.append(_balance_row(address, ISSUER, 2, i, 10**24))
        if i % (patents // 20) == 0:
            balance_rows.append(_balance_row(address, HOLDER, 3, i, 10**21))
            deposit = {"seq": "1", "amount": "1000000", "reportHash": "0x00", "depositor": ISSUER}
            event_rows.append(_event(2_000, i, "RevenueDeposited", pid, address, deposit))
    token_rows.append(_token_row(WIDE_TOKEN, WIDE_PATENT))
    for h in range(holders):
        holder = f"0x{h + 1:040x}"
        listed = {"account": holder, "jurisdiction": "0x484b", "expiry": "0", "by": LISTING}
        event_rows.append(_event(3_000 + h // 1000, h % 1000, "InvestorSet", None, LISTING, listed))
        for k, block in enumerate((10_000, 20_000, 30_000)):
            balance_rows.append(
                _balance_row(WIDE_TOKEN, holder, block + h // 100, h % 100, (k + 1) * TOKEN)
            )
    with engine.begin() as conn:
        put_meta(conn, "cursor", '{"block": 40000, "hash": "0x00"}')
        times = [
            {"block_number": b, "block_hash": "0x00", "timestamp": 1_700_000_000 + b}
            for b in range(1, 40_001)
        ]
        conn.execute(insert(blocks), times)
        conn.execute(insert(tokens), token_rows)
        conn.execute(insert(events), event_rows)
        conn.execute(insert(balances), balance_rows)
    return engine


def _query_rows(lens_5000: float | None) -> list[Row]:
    with tempfile.TemporaryDirectory() as scratch:
        engine = _synthetic_index(Path(scratch) / "big.sqlite", 100_000, 10_000)
        with IndexReader.open(engine) as reader:
            assert len(holdings_from_index(reader, HOLDER).holdings) == 20
            assert len(register(reader, WIDE_PATENT, block=25_000).holders) == 10_000
        holdings_s = median_seconds(lambda: _holdings(engine, HOLDER), runs=7)
        register_s = median_seconds(lambda: _register(engine, WIDE_PATENT), runs=5)
    return [
        Row(
            "holdings of an investor among 100,000 indexed patents (index, SQLite)",
            "seconds",
            round(holdings_s, 4),
            "lens, 5,000 patents (this run)",
            lens_5000,
        ),
        Row(
            "register of 10,000 holders at a past block (index, SQLite)",
            "seconds",
            round(register_s, 4),
        ),
    ]


def _holdings(engine: Engine, investor: str) -> None:
    with IndexReader.open(engine) as reader:
        holdings_from_index(reader, investor)


def _register(engine: Engine, pid: str) -> None:
    with IndexReader.open(engine) as reader:
        register(reader, pid, block=25_000)


def measure(project: Project, lens_5000: float | None = None) -> list[Row]:
    return _sync_rows(project) + _query_rows(lens_5000)


if __name__ == "__main__":
    for row in measure(Project.find()):
        print(row.as_json())
