"""EIP-712 typed data of the valuation registry, built from the domain the contract
reports (ERC-5267 `eip712Domain()`), so any EIP-712 wallet signs the same bytes."""

from __future__ import annotations

from typing import Any

from eth_account.messages import SignableMessage, encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from pydantic import BaseModel, ConfigDict

from ipledger.models import Valuation

VALUATION_FIELDS: list[dict[str, str]] = [
    {"name": "reportId", "type": "bytes32"},
    {"name": "patentId", "type": "bytes32"},
    {"name": "valuer", "type": "address"},
    {"name": "value", "type": "uint128"},
    {"name": "currency", "type": "bytes3"},
    {"name": "valuationDate", "type": "uint64"},
    {"name": "validUntil", "type": "uint64"},
    {"name": "method", "type": "uint8"},
    {"name": "purpose", "type": "uint8"},
    {"name": "standard", "type": "string"},
    {"name": "legalValue", "type": "uint8"},
    {"name": "technicalValue", "type": "uint8"},
    {"name": "economicValue", "type": "uint8"},
    {"name": "citationNetwork", "type": "uint8"},
    {"name": "commercialApplication", "type": "uint8"},
    {"name": "technologyMaturity", "type": "uint8"},
    {"name": "marketPotential", "type": "uint8"},
    {"name": "scoringModel", "type": "bytes32"},
    {"name": "scoringInput", "type": "bytes32"},
    {"name": "reportHash", "type": "bytes32"},
    {"name": "subsidised", "type": "bool"},
]
REVOCATION_FIELDS = [{"name": "reportId", "type": "bytes32"}, {"name": "reason", "type": "string"}]
_DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


class Domain(BaseModel):
    """An EIP-712 domain bound to one chain and one contract."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    chain_id: int
    verifying_contract: ChecksumAddress

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }


def _message(
    domain: Domain, primary: str, fields: list[dict[str, str]], data: dict[str, Any]
) -> SignableMessage:
    return encode_typed_data(
        full_message={
            "types": {"EIP712Domain": _DOMAIN_FIELDS, primary: fields},
            "primaryType": primary,
            "domain": domain.as_dict(),
            "message": data,
        }
    )


def valuation_message(domain: Domain, valuation: Valuation) -> SignableMessage:
    return _message(domain, "Valuation", VALUATION_FIELDS, valuation.typed_message())


def sign_valuation(account: LocalAccount, domain: Domain, valuation: Valuation) -> bytes:
    """The valuer's signature over `valuation` in `domain` (65 bytes, r || s || v)."""
    return bytes(account.sign_message(valuation_message(domain, valuation)).signature)


def sign_revocation(account: LocalAccount, domain: Domain, report_id: bytes, reason: str) -> bytes:
    message = _message(
        domain, "Revocation", REVOCATION_FIELDS, {"reportId": report_id, "reason": reason}
    )
    return bytes(account.sign_message(message).signature)


RECOGNITION_FIELDS = [
    {"name": "reportId", "type": "bytes32"},
    {"name": "patentId", "type": "bytes32"},
    {"name": "jurisdiction", "type": "bytes2"},
    {"name": "recogniser", "type": "address"},
    {"name": "reviewHash", "type": "bytes32"},
]


def recognition_message(
    domain: Domain,
    *,
    report_id: bytes,
    patent_id: bytes,
    jurisdiction: str,
    recogniser: str,
    review_hash: bytes,
) -> SignableMessage:
    """What a valuer accredited in `jurisdiction` signs to make a report count there."""
    data = {
        "reportId": report_id,
        "patentId": patent_id,
        "jurisdiction": jurisdiction.encode("ascii"),
        "recogniser": recogniser,
        "reviewHash": review_hash,
    }
    return _message(domain, "Recognition", RECOGNITION_FIELDS, data)
