"""Typed Python clients of the ledger's contracts; reverts surface as named errors."""

from ipledger.clients.base import ContractClient
from ipledger.clients.investors import InvestorRegistryClient
from ipledger.clients.patents import PatentRegistryClient
from ipledger.clients.tokens import RevenueRightsTokenClient

__all__ = [
    "ContractClient",
    "InvestorRegistryClient",
    "PatentRegistryClient",
    "RevenueRightsTokenClient",
]
