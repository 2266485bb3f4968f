"""The ledger's contracts on one chain, as typed clients sharing one revert decoder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from web3 import Web3

from ipledger.chain.revert import RevertDecoder
from ipledger.clients import InvestorRegistryClient, PatentRegistryClient, RevenueRightsTokenClient
from ipledger.clients.base import AccessControlled, ContractClient
from ipledger.clients.erc20 import ERC20_ABI, Erc20Client, TestHkdClient
from ipledger.clients.evidence import EvidenceTrailClient
from ipledger.clients.lens import HoldingsLensClient
from ipledger.clients.loans import LoanBookClient
from ipledger.clients.policy import CollateralPolicyClient
from ipledger.clients.recognition import ValuationRecognitionClient
from ipledger.clients.valuations import ValuationRegistryClient
from ipledger.errors import IpledgerError
from ipledger.models import SuiteAddresses
from ipledger.toolchain.artifacts import Artifact

C = TypeVar("C", bound=ContractClient)


@dataclass(frozen=True)
class Ledger:
    w3: Web3
    artifacts: Mapping[str, Artifact]
    addresses: SuiteAddresses
    decoder: RevertDecoder
    patents: PatentRegistryClient
    investors: InvestorRegistryClient
    evidence: EvidenceTrailClient
    valuations: ValuationRegistryClient
    recognition: ValuationRecognitionClient
    lens: HoldingsLensClient
    loans: LoanBookClient
    policy: CollateralPolicyClient
    first_block: int = 0  # the suite's first block: event queries start there
    # A token's contract class, built once from its ABI (~3x cheaper per client after).
    _factories: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def attach(
        cls,
        *,
        w3: Web3,
        artifacts: Mapping[str, Artifact],
        addresses: SuiteAddresses,
        first_block: int = 0,
    ) -> Ledger:
        decoder = RevertDecoder(artifacts.values())

        def bind(client: type[C], contract: str) -> C:
            bound = client.of(
                artifacts[contract], w3=w3, address=addresses.of(contract), decoder=decoder
            )
            bound.first_block = first_block
            return bound

        return cls(
            w3=w3,
            artifacts=artifacts,
            addresses=addresses,
            decoder=decoder,
            patents=bind(PatentRegistryClient, "PatentRegistry"),
            investors=bind(InvestorRegistryClient, "InvestorRegistry"),
            evidence=bind(EvidenceTrailClient, "EvidenceTrail"),
            valuations=bind(ValuationRegistryClient, "ValuationRegistry"),
            recognition=bind(ValuationRecognitionClient, "ValuationRecognition"),
            lens=bind(HoldingsLensClient, "HoldingsLens"),
            loans=bind(LoanBookClient, "LoanBook"),
            policy=bind(CollateralPolicyClient, "CollateralPolicy"),
            first_block=first_block,
        )

    def token(self, address: str) -> RevenueRightsTokenClient:
        artifact = self.artifacts["RevenueRightsToken"]
        if "token" not in self._factories:
            self._factories["token"] = self.w3.eth.contract(abi=artifact.abi)
        token = RevenueRightsTokenClient(
            w3=self.w3, address=address, abi=artifact.abi, name=artifact.contract_name,
            decoder=self.decoder, factory=self._factories["token"],
        )  # fmt: skip
        token.first_block = self.first_block  # tokens are made after the suite
        return token

    def roles(self, contract: str) -> AccessControlled:
        """The suite contract named `contract`, for its roles."""
        clients: dict[str, AccessControlled] = {
            "PatentRegistry": self.patents,
            "InvestorRegistry": self.investors,
            "EvidenceTrail": self.evidence,
            "ValuationRegistry": self.valuations,
        }
        return clients[contract]

    def erc20(self, address: str) -> Erc20Client:
        """Any ERC-20 (a payment token), through the standard's ABI."""
        return Erc20Client(
            w3=self.w3, address=address, abi=ERC20_ABI, name="ERC20", decoder=self.decoder
        )

    def test_hkd(self) -> TestHkdClient:
        """The suite's test HKD; an error on a chain whose payment token is real."""
        if "TestHKD" not in self.artifacts or not self.addresses.payment_token:
            raise IpledgerError("this suite pays in a real token: there is no test HKD to mint")
        return TestHkdClient.of(
            self.artifacts["TestHKD"],
            w3=self.w3,
            address=self.addresses.payment_token,
            decoder=self.decoder,
        )

    def client(self, name: str, address: str) -> ContractClient:
        """A client of any compiled contract (payment tokens, test doubles)."""
        return ContractClient.of(
            self.artifacts[name], w3=self.w3, address=address, decoder=self.decoder
        )
