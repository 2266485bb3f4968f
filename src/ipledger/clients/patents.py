"""Client of the PatentRegistry (and factory of revenue-rights tokens)."""

from __future__ import annotations

from typing import Any

from eth_typing import ChecksumAddress
from web3.types import TxReceipt

from ipledger.chain.tx import Sender
from ipledger.clients.base import AccessControlled
from ipledger.models import (
    Field,
    PatentId,
    PatentRecord,
    Status,
    jurisdiction_bytes,
    parse_address,
    patent_id,
)


class PatentRegistryClient(AccessControlled):
    def register_patent(
        self,
        *,
        jurisdiction: str,
        publication_number: str,
        owner: str,
        field: Field,
        status: Status,
        expiry: int,
        metadata_hash: bytes,
        sender: Sender,
    ) -> PatentId:
        self._send(
            "registerPatent",
            jurisdiction_bytes(jurisdiction),
            publication_number,
            parse_address(owner),
            int(field),
            int(status),
            expiry,
            metadata_hash,
            sender=sender,
        )
        return patent_id(jurisdiction, publication_number)

    def set_status(self, pid: bytes, status: Status, *, sender: Sender) -> TxReceipt:
        return self._send("setStatus", pid, int(status), sender=sender)

    def set_owner(self, pid: bytes, owner: str, *, sender: Sender) -> TxReceipt:
        return self._send("setOwner", pid, parse_address(owner), sender=sender)

    def set_metadata(
        self, pid: bytes, *, metadata_hash: bytes, expiry: int, sender: Sender
    ) -> TxReceipt:
        return self._send("setMetadata", pid, metadata_hash, expiry, sender=sender)

    def tokenize(
        self,
        pid: bytes,
        *,
        name: str,
        symbol: str,
        supply: int,
        initial_holder: str,
        payment_token: str,
        sender: Sender,
    ) -> tuple[ChecksumAddress, TxReceipt]:
        receipt = self._send(
            "tokenize",
            pid,
            name,
            symbol,
            supply,
            parse_address(initial_holder),
            parse_address(payment_token),
            sender=sender,
        )
        [event] = self.events(receipt, "PatentTokenized")
        return event["args"]["token"], receipt

    def patent(self, pid: bytes) -> PatentRecord:
        owner, field, status, jurisdiction, expiry, metadata = self._call("patent", pid)
        return PatentRecord(
            patent_id=pid,
            owner=owner,
            field=Field(field),
            status=Status(status),
            jurisdiction=jurisdiction.decode("ascii"),
            expiry=expiry,
            metadata_hash=metadata,
        )

    def is_registered(self, pid: bytes) -> bool:
        return bool(self._call("isRegistered", pid))

    def revenue_active(self, pid: bytes) -> bool:
        return bool(self._call("revenueActive", pid))

    def token_of(self, pid: bytes) -> ChecksumAddress | None:
        address: ChecksumAddress = self._call("tokenOf", pid)
        return None if int(address, 16) == 0 else address

    def patent_count(self) -> int:
        return int(self._call("patentCount"))

    def patent_ids(self) -> list[PatentId]:
        return [PatentId(self._call("patentIdAt", i)) for i in range(self.patent_count())]

    def references(self) -> dict[bytes, str]:
        """Every registered patent's reference ("HK 30012345") by id, from one query of
        the registration events."""
        logs = self.contract.events.PatentRegistered.get_logs(from_block=self.first_block)
        return {bytes(log["args"]["patentId"]): _reference(log["args"]) for log in logs}

    def reference(self, pid: bytes) -> str | None:
        """The patent's reference as registered ("HK 30012345"), from its event."""
        logs = self.contract.events.PatentRegistered.get_logs(
            from_block=self.first_block, argument_filters={"patentId": pid}
        )
        if not logs:
            return None
        return _reference(logs[0]["args"])


def _reference(args: Any) -> str:
    return f"{args['jurisdiction'].decode('ascii')} {args['publicationNumber']}"
