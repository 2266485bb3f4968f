"""Any ERC-20 (the token licence revenue is paid in), through the standard's own ABI:
no artifact needed for a token the suite did not deploy."""

from __future__ import annotations

from typing import Any

from web3.types import TxReceipt

from ipledger.chain.tx import Sender
from ipledger.clients.base import ContractClient
from ipledger.models import parse_address


def _fn(name: str, inputs: list[str], outputs: list[str], mutability: str) -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "inputs": [{"name": f"a{i}", "type": t} for i, t in enumerate(inputs)],
        "outputs": [{"name": "", "type": t} for t in outputs],
        "stateMutability": mutability,
    }


ERC20_ABI = [
    _fn("balanceOf", ["address"], ["uint256"], "view"),
    _fn("allowance", ["address", "address"], ["uint256"], "view"),
    _fn("decimals", [], ["uint8"], "view"),
    _fn("symbol", [], ["string"], "view"),
    _fn("approve", ["address", "uint256"], ["bool"], "nonpayable"),
    _fn("transfer", ["address", "uint256"], ["bool"], "nonpayable"),
]


class Erc20Client(ContractClient):
    def balance_of(self, account: str) -> int:
        return int(self._call("balanceOf", parse_address(account)))

    def allowance(self, owner: str, spender: str) -> int:
        return int(self._call("allowance", parse_address(owner), parse_address(spender)))

    def approve(self, spender: str, amount: int, *, sender: Sender) -> TxReceipt:
        return self._send("approve", parse_address(spender), amount, sender=sender)

    def transfer(self, to: str, amount: int, *, sender: Sender) -> TxReceipt:
        return self._send("transfer", parse_address(to), amount, sender=sender)

    def decimals(self) -> int:
        return int(self._call("decimals"))

    def symbol(self) -> str:
        return str(self._call("symbol"))


class TestHkdClient(Erc20Client):
    """The test HKD of a dev chain (mocks/TestHKD.sol): its owner mints, for tests and
    walk-throughs only."""

    __test__ = False  # not a pytest class

    def mint(self, to: str, amount: int, *, sender: Sender) -> TxReceipt:
        return self._send("mint", parse_address(to), amount, sender=sender)
