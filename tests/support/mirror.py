"""The mirror's test set-up: the pilot's patents registered, its valuer accredited, a
funded relayer, the pilot's valuation reports in a source folder."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from ipledger.chain.keys import PASSWORD_ENV, load_keystore
from ipledger.chain.tx import NodeAccount
from ipledger.clients.ledger import Ledger
from ipledger.mirror.outbox import Outbox
from ipledger.mirror.service import Mirror, RunSummary
from ipledger.models import Field, report_id_of
from tests.support.suite import Actors, register

PILOT = Path(__file__).resolve().parents[2] / "examples" / "pilot"
REPORTS = ["HKTIS-2026-0001", "HKTIS-2026-0002", "HKTIS-2026-0003", "HKTIS-2026-0004"]
PILOT_VALUER = "0x554C3bA2F52fA5adb7cA4506166c4A5E71853DFa"  # examples/pilot/keys/valuer.json


def rid(report_id: str) -> bytes:
    """The on-chain id of one of the pilot valuer's reports."""
    return report_id_of(PILOT_VALUER, report_id)


PATENTS = [("HK", "30012345"), ("HK", "30023456"), ("HK", "30034567"), ("CN", "ZL202310123456.7")]


def prepare_chain(ledger: Ledger, admin: NodeAccount) -> tuple[LocalAccount, LocalAccount]:
    """Register the pilot patents, accredit the pilot valuer, fund a relayer."""
    for jurisdiction, number in PATENTS:
        register(ledger, admin, number, jurisdiction=jurisdiction, field=Field.OTHER)
    valuer = load_keystore(PILOT / "keys" / "valuer.json", env={PASSWORD_ENV: "pilot"})
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    ledger.valuations.set_valuer(
        valuer.address, name="HKTIS", jurisdiction="HK", accredited_until=now + 10**7, sender=admin
    )
    relayer: LocalAccount = Account.from_key(Web3.keccak(text="mirror test relayer"))
    tx = ledger.w3.eth.send_transaction(
        {"from": admin.address, "to": relayer.address, "value": 10**20}
    )
    ledger.w3.eth.wait_for_transaction_receipt(tx)
    return valuer, relayer


def copy_reports(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in (PILOT / "valuations").iterdir():
        shutil.copy(path, target / path.name)
    return target


@dataclass
class MirrorEnv:
    ledger: Ledger
    actors: Actors
    valuer: LocalAccount
    relayer: LocalAccount
    source: Path
    outbox_path: Path

    def mirror(self, **kwargs: object) -> Mirror:
        args: dict[str, object] = {
            "ledger": self.ledger,
            "outbox": Outbox(self.outbox_path),
            "valuer": self.valuer,
            "relayer": self.relayer,
            "chain_id": self.ledger.w3.eth.chain_id,
            "lock_dir": self.outbox_path.parent / "locks",  # tests run side by side
        }
        args.update(kwargs)
        return Mirror(**args)  # type: ignore[arg-type]


def write_reports(folder: Path, valuer: str, count: int, prefix: str) -> list[str]:
    """`count` valid reports of HK 30012345 with their documents; returns the report ids."""
    import hashlib

    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for n in range(count):
        body = f"valuation report {prefix}{n}\n".encode()
        (folder / f"{prefix}{n}.txt").write_bytes(body)
        report_id = f"{prefix}{n:06d}"
        report = {
            "reportId": report_id,
            "patent": "HK 30012345",
            "valuer": valuer,
            "value": {"amount": 1_000_000 + n, "currency": "HKD"},
            "valuationDate": "2026-10-01",
            "validUntil": "2028-06-30",
            "method": "income",
            "purpose": "finance",
            "standard": "GB/T 42748-2023",
            "dimensions": {"legal": 80, "technical": 75, "economic": 70},
            "scores": {
                "citationNetwork": 50,
                "commercialApplication": 60,
                "technologyMaturity": 70,
                "marketPotential": 80,
            },
            "scoringModel": {"name": "HKSTP-IPScore", "version": "2.1", "inputHash": "ab" * 32},
            "reportHash": hashlib.sha256(body).hexdigest(),
            "document": f"{prefix}{n}.txt",
            "subsidised": False,
        }
        (folder / f"{prefix}{n}.json").write_text(json.dumps(report))
        ids.append(report_id)
    return ids


# ---- the mirror as its own process, against its own anvil ------------------------------


@dataclass
class Harness:
    ledger: Ledger
    command: list[str]  # `ipledger mirror ... --json` reading `source`
    env: dict[str, str]
    source: Path
    relayer: str  # the address that sends the mirror's transactions


def sign_and_store_unsent(mirror: Mirror, source: Path) -> RunSummary:
    """Take in, sign and store the batch as sent, but never broadcast it (the process
    died between storing and broadcasting)."""
    import pytest

    import ipledger.mirror.service as service

    summary = RunSummary()
    mirror.ingest(source, summary)
    mirror.sign_pending()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(service, "broadcast", lambda w3, raw: None)
        mirror.send_pending(summary)
    return summary
