"""Test helpers for chain time and common set-up (not part of src/: tests only)."""

from __future__ import annotations

from web3 import Web3


def now(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


def set_next_time(w3: Web3, timestamp: int) -> None:
    """Mine a block at `timestamp` (anvil: evm_setNextBlockTimestamp; eth-tester: time travel)."""
    reply = w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]
    if "error" in reply:
        w3.provider.make_request("testing_timeTravel", [timestamp])  # type: ignore[arg-type]
        return
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def advance(w3: Web3, seconds: int) -> int:
    target = now(w3) + seconds
    set_next_time(w3, target)
    return target
