"""Client of the EvidenceTrail."""

from __future__ import annotations

from eth_typing import ChecksumAddress
from web3.types import TxReceipt

from ipledger.chain.tx import Sender
from ipledger.clients.base import AccessControlled
from ipledger.models import EvidenceKind, parse_address
from ipledger.models.reads import EvidenceEntry


class EvidenceTrailClient(AccessControlled):
    def append(
        self,
        patent_id: bytes,
        kind: EvidenceKind,
        content_hash: bytes,
        uri: str = "",
        *,
        sender: Sender,
    ) -> tuple[EvidenceEntry, TxReceipt]:
        receipt = self._send("append", patent_id, int(kind), content_hash, uri, sender=sender)
        [event] = self.events(receipt, "EvidenceAppended")
        return EvidenceEntry.from_event(event), receipt

    def patent_registry(self) -> ChecksumAddress | None:
        """The registry the trail is bound to (None until bound, once)."""
        address: ChecksumAddress = self._call("patentRegistry")
        return None if int(address, 16) == 0 else address

    def bind_patent_registry(self, registry: str, *, sender: Sender) -> TxReceipt:
        return self._send("bindPatentRegistry", parse_address(registry), sender=sender)

    def head(self, patent_id: bytes) -> tuple[bytes, int]:
        entry_hash, count = self._call("head", patent_id)
        return bytes(entry_hash), int(count)

    def entries(self, patent_id: bytes, *, from_block: int | None = None) -> list[EvidenceEntry]:
        """Every `EvidenceAppended` event of `patent_id`, in chain order."""
        logs = self.contract.events.EvidenceAppended().get_logs(
            from_block=self.first_block if from_block is None else from_block,
            argument_filters={"patentId": patent_id},
        )
        ordered = sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))
        return [EvidenceEntry.from_event(log) for log in ordered]
