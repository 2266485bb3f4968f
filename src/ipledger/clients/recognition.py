"""Client of the ValuationRecognition: where a valuation counts across jurisdictions."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3.types import EventData, TxReceipt

from ipledger.chain.eip712 import recognition_message
from ipledger.chain.tx import Sender
from ipledger.clients.base import Eip712Signed
from ipledger.clients.lens import latest_from_tuple
from ipledger.models import LatestValuation, jurisdiction_bytes, parse_address

_NONE = "0x" + "00" * 20


class ValuationRecognitionClient(Eip712Signed):
    def sign(
        self, account: LocalAccount, *, report_id: bytes, patent_id: bytes, jurisdiction: str,
        review_hash: bytes,
    ) -> bytes:  # fmt: skip
        """`account`'s recognition of the report in `jurisdiction` (65 bytes)."""
        message = recognition_message(
            self.domain(), report_id=report_id, patent_id=patent_id,
            jurisdiction=jurisdiction, recogniser=account.address, review_hash=review_hash,
        )  # fmt: skip
        return bytes(account.sign_message(message).signature)

    def recognise(
        self, *, report_id: bytes, patent_id: bytes, jurisdiction: str, recogniser: str,
        review_hash: bytes, signature: bytes, sender: Sender,
    ) -> TxReceipt:  # fmt: skip
        return self._send(
            "recognise", report_id, patent_id, jurisdiction_bytes(jurisdiction),
            parse_address(recogniser), review_hash, signature, sender=sender,
        )  # fmt: skip

    def withdraw(
        self, report_id: bytes, jurisdiction: str, reason_hash: bytes, *, sender: Sender
    ) -> TxReceipt:
        return self._send(
            "withdrawRecognition", report_id, jurisdiction_bytes(jurisdiction), reason_hash,
            sender=sender,
        )  # fmt: skip

    def set_direct(self, where: str, source: str, *, direct: bool, sender: Sender) -> TxReceipt:
        """Whether `where` takes valuations by valuers of `source` without a recognition."""
        return self._send(
            "setDirectAcceptance", jurisdiction_bytes(where), jurisdiction_bytes(source), direct,
            sender=sender,
        )  # fmt: skip

    def accepts_directly(self, where: str, source: str) -> bool:
        return bool(
            self._call("acceptsDirectly", jurisdiction_bytes(where), jurisdiction_bytes(source))
        )

    def latest_valuation_in(self, patent_id: bytes, jurisdiction: str) -> LatestValuation | None:
        return latest_from_tuple(
            self._call("latestValuationIn", patent_id, jurisdiction_bytes(jurisdiction))
        )

    def recognition(self, report_id: bytes, jurisdiction: str) -> dict[str, object] | None:
        """The recognition of the report in `jurisdiction`, or None if never made."""
        recogniser, at, withdrawn, patent = self._call(
            "recognition", report_id, jurisdiction_bytes(jurisdiction)
        )
        if recogniser == _NONE:
            return None
        return {"recogniser": recogniser, "recognisedAt": at, "withdrawn": withdrawn,
                "patentId": bytes(patent)}  # fmt: skip

    def events_of(self, patent_id: bytes) -> list[EventData]:
        """Every recognition and withdrawal of the patent's valuations, in chain order."""
        logs = [
            *self.contract.events.ValuationRecognised.get_logs(
                from_block=self.first_block, argument_filters={"patentId": patent_id}
            ),
            *self.contract.events.RecognitionWithdrawn.get_logs(
                from_block=self.first_block, argument_filters={"patentId": patent_id}
            ),
        ]
        return sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))
