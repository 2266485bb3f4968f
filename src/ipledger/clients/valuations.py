"""Client of the ValuationRegistry."""

from __future__ import annotations

from web3.contract.contract import ContractFunction
from web3.exceptions import Web3Exception
from web3.types import EventData, TxReceipt

from ipledger.chain.tx import Sender
from ipledger.clients.base import AccessControlled, Eip712Signed
from ipledger.clients.lens import latest_from_tuple
from ipledger.errors import ContractRevertError
from ipledger.models import Field, LatestValuation, Valuation, jurisdiction_bytes, parse_address


class ValuationRegistryClient(AccessControlled, Eip712Signed):
    def set_valuer(
        self, valuer: str, *, name: str, jurisdiction: str, accredited_until: int, sender: Sender
    ) -> TxReceipt:
        return self._send(
            "setValuer",
            parse_address(valuer),
            name,
            jurisdiction_bytes(jurisdiction),
            accredited_until,
            sender=sender,
        )

    def remove_valuer(self, valuer: str, *, sender: Sender) -> TxReceipt:
        return self._send("removeValuer", parse_address(valuer), sender=sender)

    def attest(self, valuation: Valuation, signature: bytes, *, sender: Sender) -> TxReceipt:
        return self._send("attest", valuation.as_tuple(), valuation.label, signature, sender=sender)

    def attest_batch(
        self, items: list[tuple[Valuation, bytes]], *, sender: Sender
    ) -> tuple[TxReceipt, list[EventData]]:
        """Attest many; returns the receipt and the `AttestationSkipped` events."""
        receipt = self._send(
            "attestBatch",
            [v.as_tuple() for v, _ in items],
            [v.label for v, _ in items],
            [s for _, s in items],
            sender=sender,
        )
        return receipt, self.events(receipt, "AttestationSkipped")

    def batch_call(self, items: list[tuple[Valuation, bytes]]) -> ContractFunction:
        """`attestBatch` of `items`, unsent: for a caller that builds, signs and stores
        the transaction itself (the mirror's outbox), or replays it."""
        return self.contract.functions.attestBatch(
            [v.as_tuple() for v, _ in items], [v.label for v, _ in items], [s for _, s in items]
        )

    def challenge(
        self, patent_id: bytes, report_id: bytes, evidence_hash: bytes, *,
        loan_book: str | None = None, loan_id: int = 0, sender: Sender,
    ) -> TxReceipt:  # fmt: skip
        """Dispute a valuation, as a holder, the registrar, or the lender of `loan_id`."""
        book = parse_address(loan_book) if loan_book else "0x" + "00" * 20
        return self._send("challenge", patent_id, report_id, evidence_hash, book, loan_id,
                          sender=sender)  # fmt: skip

    def resolve_challenge(self, patent_id: bytes, report_id: bytes, *, upheld: bool,
                          decision_hash: bytes, sender: Sender) -> TxReceipt:  # fmt: skip
        return self._send("resolveChallenge", patent_id, report_id, upheld, decision_hash,
                          sender=sender)  # fmt: skip

    def challenge_of(self, report_id: bytes) -> tuple[str | None, bool]:
        """(the open challenge's challenger or None, whether a challenge was dismissed)."""
        challenger, dismissed = self._call("challengeOf", report_id)
        return (None if int(challenger, 16) == 0 else challenger), bool(dismissed)

    def set_max_age(self, field: Field, max_age: int, *, sender: Sender) -> TxReceipt:
        """The revaluation policy for `field`: seconds after the valuation date (0: none)."""
        return self._send("setMaxValuationAge", int(field), max_age, sender=sender)

    def max_age(self, field: Field) -> int:
        return int(self._call("maxValuationAge", int(field)))

    def attested_events_all(self) -> list[EventData]:
        """Every `ValuationAttested` event of the registry, in chain order (one query)."""
        logs = self.contract.events.ValuationAttested.get_logs(from_block=self.first_block)
        return sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))

    def revoke(self, report_id: bytes, reason: str, *, sender: Sender) -> TxReceipt:
        return self._send("revoke", report_id, reason, sender=sender)

    def revoke_by_sig(
        self, report_id: bytes, reason: str, signature: bytes, *, sender: Sender
    ) -> TxReceipt:
        return self._send("revokeBySig", report_id, reason, signature, sender=sender)

    def revoke_for_cause(
        self,
        patent_id: bytes,
        report_id: bytes,
        reason: str,
        evidence_hash: bytes,
        *,
        sender: Sender,
    ) -> TxReceipt:
        """The accreditor's revocation of one valuation, citing evidence."""
        return self._send(
            "revokeForCause", patent_id, report_id, reason, evidence_hash, sender=sender
        )

    def prune(self, patent_id: bytes, max_steps: int, *, sender: Sender) -> int:
        """Unlink up to `max_steps` dead entries of a patent's list (anyone may)."""
        receipt = self._send("prune", patent_id, max_steps, sender=sender)
        [event] = self.events(receipt, "ValuationsPruned")
        return int(event["args"]["removed"])

    def is_withdrawn(self, valuer: str) -> bool:
        return bool(self._call("isWithdrawn", parse_address(valuer)))

    def accredited_until(self, valuer: str) -> int:
        """When `valuer`'s accreditation ends (unix seconds); 0 for an unknown valuer."""
        try:
            return int(self._call("valuer", parse_address(valuer))[2])
        except (ContractRevertError, Web3Exception):
            return 0

    def jurisdiction_of(self, valuer: str) -> str | None:
        """The valuer's jurisdiction ("HK", "CN"); None for an unknown or withdrawn valuer."""
        try:
            code = bytes(self._call("valuer", parse_address(valuer))[1])
        except (ContractRevertError, Web3Exception):
            return None
        return code.decode("ascii")

    def attested_event(
        self, report_id: bytes, *, from_block: int | None = None
    ) -> EventData | None:
        """The `ValuationAttested` event of `report_id`, if it was attested."""
        logs = self.contract.events.ValuationAttested.get_logs(
            from_block=self.first_block if from_block is None else from_block,
            argument_filters={"reportId": report_id},
        )
        return logs[0] if logs else None

    def attested_events(
        self, patent_id: bytes, *, from_block: int | None = None
    ) -> list[EventData]:
        """Every `ValuationAttested` event of `patent_id`, in chain order."""
        logs = self.contract.events.ValuationAttested.get_logs(
            from_block=self.first_block if from_block is None else from_block,
            argument_filters={"patentId": patent_id},
        )
        return sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))

    def basis_event(self, report_id: bytes, *, from_block: int | None = None) -> EventData | None:
        """The `ValuationBasis` event of `report_id` (emitted with its attestation)."""
        logs = self.contract.events.ValuationBasis.get_logs(
            from_block=self.first_block if from_block is None else from_block,
            argument_filters={"reportId": report_id},
        )
        return logs[0] if logs else None

    def basis_events(self, patent_id: bytes, *, from_block: int | None = None) -> list[EventData]:
        """Every `ValuationBasis` event of `patent_id`, in chain order."""
        logs = self.contract.events.ValuationBasis.get_logs(
            from_block=self.first_block if from_block is None else from_block,
            argument_filters={"patentId": patent_id},
        )
        return sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))

    def is_attested(self, report_id: bytes) -> bool:
        return bool(self._call("isAttested", report_id))

    def is_revoked(self, report_id: bytes) -> bool:
        return bool(self._call("isRevoked", report_id))

    def latest_valuation(self, patent_id: bytes) -> LatestValuation | None:
        return latest_from_tuple(self._call("latestValuation", patent_id))

    def hash_valuation(self, valuation: Valuation) -> bytes:
        return bytes(self._call("hashValuation", valuation.as_tuple()))

    def subsidised_in(self, year: int) -> int:
        return int(self._call("subsidisedIn", year))
