"""Which logs the index keeps and how they are decoded: the suite's contracts and every
revenue-rights token they create, each by its own ABI, into JSON-safe arguments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils.abi import collapse_if_tuple, event_abi_to_log_topic
from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.types import LogReceipt

from ipledger.models import SuiteAddresses
from ipledger.toolchain.artifacts import Artifact

# The contracts whose events the index keeps (the lens and the payment token emit none
# that matter); tokens are found by the registry's PatentTokenized events.
FOLLOWED = (
    "PatentRegistry",
    "InvestorRegistry",
    "EvidenceTrail",
    "ValuationRegistry",
    "ValuationRecognition",
    "CollateralPolicy",
    "LoanBook",
)
TOKEN = "RevenueRightsToken"  # noqa: S105 - a contract name


@dataclass(frozen=True)
class Decoded:
    """One kept log."""

    block_number: int
    log_index: int
    block_hash: str
    tx_hash: str
    address: str
    contract: str
    event: str
    args: dict[str, Any]
    timestamp: int | None  # when the node puts it in the log (anvil, geth), else None

    @property
    def patent_id(self) -> str | None:
        value = self.args.get("patentId")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class _EventAbi:
    name: str
    indexed: list[dict[str, Any]]  # the ABI inputs in the topics, in order
    data: list[dict[str, Any]]  # the rest, ABI-encoded in the data
    data_types: list[str]


class EventCodec:
    """Decodes the suite's logs by the emitting contract's own ABI.

    Written for throughput (web3's `get_event_data` is ~1 ms a log): one ABI decode of
    the data per log, topics read directly, and each address checksummed once per run.
    """

    def __init__(self, w3: Web3, artifacts: Mapping[str, Artifact]) -> None:
        self.codec = w3.codec
        self._abis: dict[str, dict[bytes, _EventAbi]] = {}
        for name in (*FOLLOWED, TOKEN):
            entries = [e for e in artifacts[name].abi if e.get("type") == "event"]
            self._abis[name] = {
                event_abi_to_log_topic(e): _prepared(e)  # type: ignore[arg-type]
                for e in entries
            }
        self._checksummed: dict[str, str] = {}

    def topics(self) -> list[str]:
        """Every topic0 the followed contracts emit: one `getLogs` filter for all."""
        found = {t for abis in self._abis.values() for t in abis}
        return sorted("0x" + t.hex() for t in found)

    def topic_of(self, contract: str, event: str) -> bytes:
        return next(t for t, e in self._abis[contract].items() if e.name == event)

    def decode(self, log: LogReceipt, contract: str) -> Decoded | None:
        """`log` decoded as `contract`'s event; None for one it does not declare."""
        topics = log["topics"]
        if not topics:
            return None
        abi = self._abis[contract].get(bytes(topics[0]))
        if abi is None or len(topics) != len(abi.indexed) + 1:
            return None
        args: dict[str, Any] = {}
        for spec, topic in zip(abi.indexed, topics[1:], strict=True):
            args[spec["name"]] = self._topic(spec["type"], bytes(topic))
        values = self.codec.decode(abi.data_types, bytes(log["data"]))
        for spec, value in zip(abi.data, values, strict=True):
            args[spec["name"]] = self._value(spec, value)
        stamp: Any = log.get("blockTimestamp")
        return Decoded(
            block_number=int(log["blockNumber"]),
            log_index=int(log["logIndex"]),
            block_hash=_hex(log["blockHash"]),
            tx_hash=_hex(log["transactionHash"]),
            address=self.checksum(str(log["address"])),
            contract=contract,
            event=abi.name,
            args=args,
            timestamp=int(stamp, 16) if isinstance(stamp, str) else stamp,
        )

    def checksum(self, address: str) -> str:
        key = address.lower()
        if key not in self._checksummed:
            self._checksummed[key] = to_checksum_address(key)
        return self._checksummed[key]

    def _topic(self, kind: str, topic: bytes) -> Any:
        if kind == "address":
            return self.checksum("0x" + topic[12:].hex())
        if kind == "bool":
            return topic[-1] == 1
        if kind.startswith(("uint", "int")):
            return str(self.codec.decode([kind], topic)[0])
        return "0x" + topic.hex()  # bytesN, and the hash of an indexed dynamic value

    def _value(self, spec: dict[str, Any], value: Any) -> Any:
        kind: str = spec["type"]
        if kind == "tuple":
            return {
                c["name"]: self._value(c, v) for c, v in zip(spec["components"], value, strict=True)
            }
        if kind.endswith("]"):
            inner = {**spec, "type": kind[: kind.rindex("[")]}
            return [self._value(inner, v) for v in value]
        if kind == "address":
            return self.checksum(value)
        return jsonable(value)


def _prepared(abi: dict[str, Any]) -> _EventAbi:
    inputs = abi["inputs"]
    data = [i for i in inputs if not i.get("indexed")]
    return _EventAbi(
        name=abi["name"],
        indexed=[i for i in inputs if i.get("indexed")],
        data=data,
        data_types=[collapse_if_tuple(i) for i in data],
    )


def suite_contracts(addresses: SuiteAddresses) -> dict[str, str]:
    """Checksummed address -> contract name, for the followed suite contracts."""
    return {to_checksum_address(addresses.of(name)): name for name in FOLLOWED}


def jsonable(value: Any) -> Any:
    """An event argument as JSON: integers as decimal strings, bytes as 0x-hex,
    structs as objects (web3 gives addresses checksummed)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, str):
        return value  # web3 gives addresses checksummed already
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [jsonable(v) for v in value]
    raise TypeError(f"event argument of type {type(value).__name__} has no JSON form")


def _hex(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    text = str(value)
    return text if text.startswith("0x") else "0x" + text
