"""Turning revert data into named domain errors, at one boundary.

Every custom error of every compiled contract (and OpenZeppelin's, which they inherit)
is looked up by its 4-byte selector; `Error(string)` and `Panic(uint256)` are decoded too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_utils.abi import function_signature_to_4byte_selector
from web3 import Web3
from web3.exceptions import ContractLogicError

from ipledger.errors import ContractRevertError
from ipledger.toolchain.artifacts import Artifact

_BUILTIN = {
    bytes.fromhex("08c379a0"): ("Error", [{"name": "message", "type": "string"}]),
    bytes.fromhex("4e487b71"): ("Panic", [{"name": "code", "type": "uint256"}]),
}


def _abi_type(item: dict[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in item["components"])
        return f"({inner}){item['type'][5:]}"
    return str(item["type"])


def _checksummed(abi_type: str, value: Any) -> Any:
    return Web3.to_checksum_address(value) if abi_type == "address" else value


class RevertDecoder:
    """Decodes revert data using the error ABIs of a set of artifacts."""

    def __init__(self, artifacts: Iterable[Artifact]) -> None:
        self._errors: dict[bytes, tuple[str, list[dict[str, Any]]]] = dict(_BUILTIN)
        for artifact in artifacts:
            for item in artifact.abi:
                if item.get("type") == "error":
                    types = ",".join(_abi_type(i) for i in item["inputs"])
                    selector = function_signature_to_4byte_selector(f"{item['name']}({types})")
                    self._errors[selector] = (item["name"], item["inputs"])

    def decode(self, data: bytes, *, context: str = "") -> ContractRevertError:
        """The named error for `data` (an unknown selector gives `UnknownError`)."""
        entry = self._errors.get(data[:4])
        if entry is None:
            return ContractRevertError.named("Unknown")("Unknown", {"data": data}, context=context)
        name, inputs = entry
        try:
            values = abi_decode([_abi_type(i) for i in inputs], data[4:])
        except Exception:  # malformed data still deserves a named error
            return ContractRevertError.named(name)(name, {"data": data[4:]}, context=context)
        arguments = {
            i["name"] or f"arg{n}": _checksummed(i["type"], v)
            for n, (i, v) in enumerate(zip(inputs, values, strict=True))
        }
        return ContractRevertError.named(name)(name, arguments, context=context)

    def from_exception(self, exc: ContractLogicError, *, context: str = "") -> ContractRevertError:
        """Decode a web3.py revert exception (whatever backend raised it)."""
        data = exc.data
        if isinstance(data, dict):
            data = data.get("data")
        if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
            return self.decode(bytes.fromhex(data[2:]), context=context)
        message = str(exc.message or exc)
        return ContractRevertError.named("Error")("Error", {"message": message}, context=context)
