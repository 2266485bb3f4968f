"""The Ethereum Attestation Service as a peer: the same valuation, attested by delegation.

EAS (npm `@ethereum-attestation-service/eas-contracts`, pinned in bench/peers) is
compiled with its own pinned solc-js and deployed beside ipledger on the same chain. Its
schema carries the same valuation fields as ipledger's `Valuation`; the valuer signs
EAS's EIP-712 `Attest` request and anyone relays it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi.abi import encode
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from bench.common import peer_artifacts
from ipledger.chain.tx import Sender
from ipledger.deploy.suite import deploy_artifact
from ipledger.models import Valuation
from ipledger.models.ledger import model_word
from ipledger.project import Project
from ipledger.toolchain.artifacts import Artifact, CompilerInfo
from ipledger.toolchain.compiler import compiler_settings, run_solc
from ipledger.toolchain.solc import solcjs

EAS_SOLC = "0.8.29"  # the version EAS 1.9.0 pins
PACKAGE = "node_modules/@ethereum-attestation-service/eas-contracts/contracts"
SCHEMA = (
    "bytes32 reportId,bytes32 patentId,uint128 value,bytes3 currency,uint64 valuationDate,"
    "uint64 validUntil,uint8 method,uint8 purpose,string standard,uint8 legalValue,"
    "uint8 technicalValue,uint8 economicValue,uint8 citationNetwork,"
    "uint8 commercialApplication,uint8 technologyMaturity,uint8 marketPotential,"
    "bytes32 scoringModel,bytes32 scoringInput,bytes32 reportHash,bool subsidised"
)
SCHEMA_TYPES = [part.split(" ")[0] for part in SCHEMA.split(",")]
ATTEST_TYPES = [
    {"name": "attester", "type": "address"},
    {"name": "schema", "type": "bytes32"},
    {"name": "recipient", "type": "address"},
    {"name": "expirationTime", "type": "uint64"},
    {"name": "revocable", "type": "bool"},
    {"name": "refUID", "type": "bytes32"},
    {"name": "data", "type": "bytes"},
    {"name": "value", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint64"},
]
DOMAIN_TYPES = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def compile_eas(root: Path) -> dict[str, Artifact]:
    """EAS and its SchemaRegistry, compiled from bench/peers with solc-js 0.8.29."""
    peers = Project(root=root)
    solc = solcjs(node_modules=peers.node_modules, version=EAS_SOLC)
    units = [f"{PACKAGE}/EAS.sol", f"{PACKAGE}/SchemaRegistry.sol"]
    settings = compiler_settings()
    settings["evmVersion"] = "prague"
    compiler_input = {
        "language": "Solidity",
        "sources": {u: {"content": (root / u).read_text()} for u in units},
        "settings": settings,
    }
    output = run_solc(peers, solc, compiler_input)
    info = CompilerInfo(version=solc.version, kind=solc.kind)
    contracts = {"EAS": units[0], "SchemaRegistry": units[1]}
    return peer_artifacts(output, contracts, info=info, settings=settings)


@dataclass(frozen=True)
class Eas:
    w3: Web3
    eas: Contract
    schema: bytes

    @classmethod
    def deploy(cls, *, w3: Web3, artifacts: dict[str, Artifact], sender: Sender) -> Eas:
        registry, _ = deploy_artifact(w3=w3, artifact=artifacts["SchemaRegistry"], sender=sender)
        eas, _ = deploy_artifact(w3=w3, artifact=artifacts["EAS"], sender=sender, args=(registry,))
        schemas = w3.eth.contract(address=registry, abi=artifacts["SchemaRegistry"].abi)
        zero = "0x" + "00" * 20
        tx = schemas.functions.register(SCHEMA, zero, True).transact({"from": sender.address})
        w3.eth.wait_for_transaction_receipt(tx)
        # EAS's schema UID: keccak256(abi.encodePacked(schema, resolver, revocable)).
        uid = Web3.solidity_keccak(["string", "address", "bool"], [SCHEMA, zero, True])
        return cls(w3=w3, eas=w3.eth.contract(address=eas, abi=artifacts["EAS"].abi), schema=uid)

    def _data(self, v: Valuation) -> dict[str, Any]:
        payload = encode(
            SCHEMA_TYPES,
            [
                v.report_id,
                v.patent_id,
                v.value,
                v.currency.encode(),
                v.valuation_date,
                v.valid_until,
                int(v.method),
                int(v.purpose),
                v.standard,
                v.legal_value,
                v.technical_value,
                v.economic_value,
                v.citation_network,
                v.commercial_application,
                v.technology_maturity,
                v.market_potential,
                model_word(v.scoring_model),
                v.scoring_input,
                v.report_hash,
                v.subsidised,
            ],
        )
        return {
            "recipient": "0x" + "00" * 20,
            "expirationTime": v.valid_until,
            "revocable": True,
            "refUID": b"\0" * 32,
            "data": payload,
            "value": 0,
        }

    def _sign(
        self, valuer: LocalAccount, data: dict[str, Any], nonce: int
    ) -> tuple[int, bytes, bytes]:
        domain = {
            "name": "EAS",
            "version": self.eas.functions.version().call(),
            "chainId": self.w3.eth.chain_id,
            "verifyingContract": self.eas.address,
        }
        message = {
            "attester": valuer.address,
            "schema": self.schema,
            **data,
            "nonce": nonce,
            "deadline": 0,
        }
        typed = encode_typed_data(
            full_message={
                "types": {"EIP712Domain": DOMAIN_TYPES, "Attest": ATTEST_TYPES},
                "primaryType": "Attest",
                "domain": domain,
                "message": message,
            }
        )
        signed = valuer.sign_message(typed)
        return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")

    def _tuple(self, data: dict[str, Any]) -> tuple[Any, ...]:
        return (
            data["recipient"],
            data["expirationTime"],
            data["revocable"],
            data["refUID"],
            data["data"],
            data["value"],
        )

    def attest_by_delegation(self, valuer: LocalAccount, v: Valuation, sender: Sender) -> int:
        data = self._data(v)
        nonce = self.eas.functions.getNonce(valuer.address).call()
        signature = self._sign(valuer, data, nonce)
        request = (self.schema, self._tuple(data), signature, valuer.address, 0)
        tx = self.eas.functions.attestByDelegation(request).transact({"from": sender.address})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        assert receipt["status"] == 1
        return int(receipt["gasUsed"])

    def multi_attest_by_delegation(
        self, valuer: LocalAccount, vs: list[Valuation], sender: Sender
    ) -> int:
        nonce = self.eas.functions.getNonce(valuer.address).call()
        datas = [self._data(v) for v in vs]
        signatures = [self._sign(valuer, d, nonce + i) for i, d in enumerate(datas)]
        request = (self.schema, [self._tuple(d) for d in datas], signatures, valuer.address, 0)
        tx = self.eas.functions.multiAttestByDelegation([request]).transact(
            {"from": sender.address}
        )
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        assert receipt["status"] == 1
        return int(receipt["gasUsed"])
