"""Client of the CollateralPolicy: the risk officer's tables behind loans' collateral."""

from __future__ import annotations

from web3.types import TxReceipt

from ipledger.chain.tx import Sender
from ipledger.clients.base import ContractClient
from ipledger.models import parse_address


class CollateralPolicyClient(ContractClient):
    def set_collateral_factor(self, field: int, factor_bps: int, *, sender: Sender) -> TxReceipt:
        return self._send("setCollateralFactor", field, factor_bps, sender=sender)

    def set_rate(self, asset: str, currency: str, rate_wad: int, *, sender: Sender) -> TxReceipt:
        code = currency.encode("ascii")
        return self._send("setRate", parse_address(asset), code, rate_wad, sender=sender)

    def set_age_window(self, seconds: int, *, sender: Sender) -> TxReceipt:
        return self._send("setAgeWindow", seconds, sender=sender)

    def rate(self, asset: str, currency: str) -> int:
        return int(self._call("rate", parse_address(asset), currency.encode("ascii")))

    def collateral_factor(self, field: int) -> int:
        return int(self._call("collateralFactor", field))

    def age_window(self) -> int:
        return int(self._call("ageWindow"))
