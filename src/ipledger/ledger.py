"""The ledger's contracts on one chain, as typed clients sharing one revert decoder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from web3 import Web3

from ipledger.artifacts import Artifact
from ipledger.clients import InvestorRegistryClient, PatentRegistryClient, RevenueRightsTokenClient
from ipledger.clients.base import ContractClient
from ipledger.clients.evidence import EvidenceTrailClient
from ipledger.clients.lens import HoldingsLensClient
from ipledger.clients.valuations import ValuationRegistryClient
from ipledger.deployments import SuiteAddresses
from ipledger.revert import RevertDecoder


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
    lens: HoldingsLensClient

    @classmethod
    def attach(
        cls, *, w3: Web3, artifacts: Mapping[str, Artifact], addresses: SuiteAddresses
    ) -> Ledger:
        decoder = RevertDecoder(artifacts.values())
        return cls(
            w3=w3,
            artifacts=artifacts,
            addresses=addresses,
            decoder=decoder,
            patents=PatentRegistryClient(
                w3=w3,
                address=addresses.patent_registry,
                artifact=artifacts["PatentRegistry"],
                decoder=decoder,
            ),
            investors=InvestorRegistryClient(
                w3=w3,
                address=addresses.investor_registry,
                artifact=artifacts["InvestorRegistry"],
                decoder=decoder,
            ),
            evidence=EvidenceTrailClient(
                w3=w3,
                address=addresses.evidence_trail,
                artifact=artifacts["EvidenceTrail"],
                decoder=decoder,
            ),
            valuations=ValuationRegistryClient(
                w3=w3,
                address=addresses.valuation_registry,
                artifact=artifacts["ValuationRegistry"],
                decoder=decoder,
            ),
            lens=HoldingsLensClient(
                w3=w3,
                address=addresses.holdings_lens,
                artifact=artifacts["HoldingsLens"],
                decoder=decoder,
            ),
        )

    def token(self, address: str) -> RevenueRightsTokenClient:
        return RevenueRightsTokenClient(
            w3=self.w3,
            address=address,
            artifact=self.artifacts["RevenueRightsToken"],
            decoder=self.decoder,
        )

    def client(self, name: str, address: str) -> ContractClient:
        """A client of any compiled contract (payment tokens, test doubles)."""
        return ContractClient(
            w3=self.w3, address=address, artifact=self.artifacts[name], decoder=self.decoder
        )
