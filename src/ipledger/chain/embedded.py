"""The embedded chain: eth-tester on py-evm, in this process, answering as a JSON-RPC
node does (reverts with their raw data; a gas estimate in two executions)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, cast

from eth.abc import ComputationAPI, SignedTransactionAPI, StateAPI
from eth.vm.spoof import SpoofTransaction
from eth_tester.exceptions import TransactionFailed
from web3 import EthereumTesterProvider, Web3
from web3.exceptions import ContractLogicError
from web3.providers.eth_tester.defaults import API_ENDPOINTS


def _revert_as_node_does(delegate: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an eth-tester endpoint so a revert surfaces as web3.py's ContractLogicError
    carrying the raw revert data, as it does from a JSON-RPC node (eth-tester's own
    provider flattens custom-error data into a message string)."""

    def endpoint(tester: Any, params: Any) -> Any:
        try:
            return delegate(tester, params)
        except TransactionFailed as exc:
            raw = exc.args[0] if exc.args else b""
            if isinstance(raw, Exception) and raw.args:
                raw = raw.args[0]
            if isinstance(raw, str) and raw.startswith(("b'", 'b"')):
                raw = ast.literal_eval(raw)  # eth_call reports the revert bytes as their repr
            data = "0x" + raw.hex() if isinstance(raw, bytes) else None
            raise ContractLogicError(f"execution reverted: {raw!r}", data=data) from None

    return endpoint


def _trial(state: StateAPI, transaction: SignedTransactionAPI, gas: int) -> ComputationAPI:
    """Run `transaction` with `gas` on a snapshot of `state`: its computation, undone."""
    snapshot = state.snapshot()
    try:
        spoof = cast(SignedTransactionAPI, SpoofTransaction(transaction, gas=gas, gas_price=0))
        return state.apply_transaction(spoof)
    finally:
        state.revert(snapshot)


def _call_depth(computation: ComputationAPI) -> int:
    """How many calls deep `computation` went below its own frame."""
    children = cast(list[ComputationAPI], getattr(computation, "children", []))
    return max((1 + _call_depth(child) for child in children), default=0)


def estimate_gas(state: StateAPI, transaction: SignedTransactionAPI) -> int:
    """Gas for `transaction` from one execution, where py-evm bisects in ~17.

    Run it with the block's gas limit and take the gas it consumed before refunds, C.
    Under EIP-150 a call passes on at most 63/64 of what is left, so a frame `d` calls
    deep is sure of what it needs when the transaction has C x (64/63)^d; 2,300 more per
    level covers the stipend checks (SSTORE's sentry, a value call's stipend). The bound
    is proved level by level, so no second run confirms it (that run was a third of
    every transaction's cost on the embedded chain).
    """
    limit = state.gas_limit
    ceiling = _trial(state, transaction, limit)
    if ceiling.is_error:
        raise ceiling.error
    offer = limit - ceiling.get_gas_remaining()
    depth = _call_depth(ceiling)
    for _ in range(depth):
        offer = -(-offer * 64 // 63)  # rounded up
    return min(limit, offer + 2300 * (depth + 1))


def embedded_chain() -> Web3:
    """A fresh in-process chain (eth-tester on py-evm, Prague) with funded accounts."""
    endpoints = {namespace: dict(calls) for namespace, calls in API_ENDPOINTS.items()}
    for name in ("call", "estimateGas", "sendTransaction", "sendRawTransaction"):
        endpoints["eth"][name] = _revert_as_node_does(endpoints["eth"][name])
    provider = EthereumTesterProvider(api_endpoints=endpoints)
    # The chain class is made per tester, so this touches no other chain; the running
    # chain copied the class default when built, and a reverted one is built anew.
    chain = cast(Any, provider).ethereum_tester.backend.chain
    type(chain).gas_estimator = staticmethod(estimate_gas)
    chain.gas_estimator = estimate_gas
    w3 = Web3(provider)
    # eth-tester fills a call's missing `from` by listing every account, three times a
    # call (a third of a view's cost); name the same account once instead.
    w3.eth.default_account = w3.eth.accounts[0]
    return w3
