"""Test helpers for chain time and common set-up (not part of src/: tests only)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils.abi import get_abi_output_types
from web3 import Web3
from web3.contract.contract import ContractFunction

from ipledger.chain.tx import Sender
from ipledger.clients.base import ContractClient
from ipledger.clients.ledger import Ledger
from ipledger.deploy.suite import deploy_artifact


def deploy_mock(ledger: Ledger, name: str, sender: Sender) -> ContractClient:
    """A test-only contract of contracts/mocks deployed by `sender`, as a client."""
    address, _ = deploy_artifact(w3=ledger.w3, artifact=ledger.artifacts[name], sender=sender)
    return ledger.client(name, address)


def wait_until(condition: Callable[[], object], timeout: float = 20.0) -> bool:
    """Poll `condition` every 0.1 s; whether it held within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


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


class ViewBatch:
    """Many contract views read in one `eth_call` (through contracts/mocks/ViewBatch).

    Property tests check every holder after every step; one call instead of a dozen
    keeps 200 examples on both backends inside `make audit`.
    """

    def __init__(self, ledger: Ledger, sender: Sender) -> None:
        self.w3 = ledger.w3
        self.batch = deploy_mock(ledger, "ViewBatch", sender)

    def read(self, calls: Sequence[ContractFunction]) -> list[Any]:
        """Each call's decoded answer: a value for one output, else a tuple."""
        answers = self.batch.contract.functions.read(
            [call.address for call in calls], [call._encode_transaction_data() for call in calls]
        ).call()
        decoded = []
        for call, answer in zip(calls, answers, strict=True):
            values = self.w3.codec.decode(get_abi_output_types(call.abi), answer)
            decoded.append(values[0] if len(values) == 1 else values)
        return decoded


class TokenProbe:
    """Every holder's balance and claimable revenue and a token's revenue totals in one
    `eth_call` (contracts/mocks/TokenProbe): what the token state machine checks after
    each step, answered as plain words rather than ViewBatch's encoded bytes."""

    def __init__(self, ledger: Ledger, sender: Sender) -> None:
        self.probe = deploy_mock(ledger, "TokenProbe", sender)

    def read(
        self, token: str, holders: Sequence[str]
    ) -> tuple[list[int], list[int], tuple[int, int, int]]:
        """(balances, claimable, (deposited, held, deposits))."""
        balances, claimable, *totals = self.probe.contract.functions.read(
            token, list(holders)
        ).call()
        return list(balances), list(claimable), (totals[0], totals[1], totals[2])


class CheckedState:
    """What a state machine's invariant last checked and found to hold: the chain's head
    block and the model. A step that changed neither (a refused transaction mines no
    block; a read-only step) leaves the same views answering the same: the check that
    held holds, and its `eth_call` (the costliest part of a step) is not repeated."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3
        self._last: tuple[object, ...] | None = None

    def unchanged(self, model: object) -> bool:
        return self._last == self._key(model)

    def held(self, model: object) -> None:
        self._last = self._key(model)

    def _key(self, model: object) -> tuple[object, ...]:
        head = self.w3.eth.get_block("latest")
        return (head["hash"], head["timestamp"], repr(model))


@dataclass(frozen=True)
class LoanReading:
    """What `LoanProbe` read: per loan (state, principal outstanding, interest), per
    account (owed, held), the book's cash, and the block time the views answered at."""

    timestamp: int
    states: list[int]
    principal: list[int]
    interest: list[int]
    owed: list[int]
    held: list[int]
    cash: int


class LoanProbe:
    """The loan book's views the token state machine checks, in one `eth_call`
    (contracts/mocks/LoanProbe)."""

    def __init__(self, ledger: Ledger, sender: Sender) -> None:
        self.probe = deploy_mock(ledger, "LoanProbe", sender)

    def read(
        self, book: str, loan_ids: Sequence[int], accounts: Sequence[str], token: str, asset: str
    ) -> LoanReading:
        t, states, principal, interest, owed, held, cash = self.probe.contract.functions.read(
            book, list(loan_ids), list(accounts), token, asset
        ).call()
        return LoanReading(
            t, list(states), list(principal), list(interest), list(owed), list(held), cash
        )
