"""What every contract client shares: a bound contract, sending and calling."""

from __future__ import annotations

from typing import Any, Self

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD
from web3.types import EventData, TxReceipt

from ipledger.chain.eip712 import Domain
from ipledger.chain.revert import RevertDecoder
from ipledger.chain.tx import Sender, transact
from ipledger.models import Role, parse_address
from ipledger.toolchain.artifacts import Artifact


class ContractClient:
    """The contract `name` at `address`, called through `abi`."""

    def __init__(
        self,
        *,
        w3: Web3,
        address: str,
        abi: list[dict[str, Any]],
        name: str,
        decoder: RevertDecoder,
        factory: Any = None,  # the ABI's contract class, when the caller keeps one
    ) -> None:
        self.w3 = w3
        self.name = name
        self.decoder = decoder
        # Where event queries start: the suite's first block when known (a node scans
        # every block from 0 otherwise: seconds on the embedded chain, refused by some nodes).
        self.first_block = 0
        checksum = Web3.to_checksum_address(address)
        self.contract: Contract = (
            factory(address=checksum)
            if factory is not None
            else w3.eth.contract(address=checksum, abi=abi)
        )

    @classmethod
    def of(cls, artifact: Artifact, *, w3: Web3, address: str, decoder: RevertDecoder) -> Self:
        """A client of the compiled contract `artifact` deployed at `address`."""
        return cls(
            w3=w3, address=address, abi=artifact.abi, name=artifact.contract_name, decoder=decoder
        )

    @property
    def address(self) -> ChecksumAddress:
        return self.contract.address

    def _send(self, function: str, *args: Any, sender: Sender) -> TxReceipt:
        call = self.contract.get_function_by_name(function)(*args)
        context = f"{self.name}.{function} at {self.address}"
        return transact(w3=self.w3, call=call, sender=sender, decoder=self.decoder, context=context)

    def _call(self, function: str, *args: Any) -> Any:
        try:
            return self.contract.get_function_by_name(function)(*args).call()
        except ContractLogicError as exc:
            context = f"{self.name}.{function} at {self.address}"
            raise self.decoder.from_exception(exc, context=context) from None

    def events(self, receipt: TxReceipt, event: str) -> list[EventData]:
        """The `event` logs this contract emitted in `receipt`."""
        logs = self.contract.events[event]().process_receipt(receipt, errors=DISCARD)
        return [log for log in logs if log["address"] == self.address]


class Eip712Signed(ContractClient):
    """A contract that checks EIP-712 signatures and reports its domain (ERC-5267)."""

    def domain(self) -> Domain:
        """The domain the contract reports: bound to its chain and its address."""
        _fields, name, version, chain_id, verifying, _salt, _ext = self._call("eip712Domain")
        return Domain(name=name, version=version, chain_id=chain_id, verifying_contract=verifying)


class AccessControlled(ContractClient):
    """A contract whose roles live in OpenZeppelin's AccessControl."""

    def has_role(self, role: Role, account: str) -> bool:
        return bool(self._call("hasRole", role.id, parse_address(account)))

    def grant_role(self, role: Role, account: str, *, sender: Sender) -> TxReceipt:
        return self._send("grantRole", role.id, parse_address(account), sender=sender)

    def revoke_role(self, role: Role, account: str, *, sender: Sender) -> TxReceipt:
        return self._send("revokeRole", role.id, parse_address(account), sender=sender)
