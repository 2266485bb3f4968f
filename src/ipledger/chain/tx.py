"""Sending transactions: who signs, and how a revert becomes a named error.

A `Sender` is an account that can send: `NodeAccount` when the node holds the key (a
dev chain's funded accounts), `KeyAccount` when the key is held here (from an
eth-account keystore) and transactions are signed locally.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError
from web3.types import TxParams, TxReceipt

from ipledger.chain.revert import RevertDecoder
from ipledger.errors import TransactionError

RECEIPT_TIMEOUT = 120.0
# Nodes estimate the least gas that succeeds in the state at estimation time; storage
# refunds and the SSTORE stipend check can make the real run need a little more. A
# margin is standard practice; unused gas is not charged.
GAS_MARGIN = 1.25


class Sender(Protocol):
    @property
    def address(self) -> ChecksumAddress: ...

    def send(self, w3: Web3, tx: TxParams) -> HexBytes: ...


@dataclass(frozen=True)
class NodeAccount:
    """An account whose key the node holds (`eth_sendTransaction`)."""

    address: ChecksumAddress

    def send(self, w3: Web3, tx: TxParams) -> HexBytes:
        return w3.eth.send_transaction(tx)


@dataclass(frozen=True)
class KeyAccount:
    """An account whose key is held in this process; signs locally."""

    account: LocalAccount

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address

    def send(self, w3: Web3, tx: TxParams) -> HexBytes:
        filled: dict[str, Any] = dict(tx)
        filled.setdefault("nonce", w3.eth.get_transaction_count(self.address, "pending"))
        filled.setdefault("chainId", w3.eth.chain_id)
        signed = self.account.sign_transaction(filled)
        return w3.eth.send_raw_transaction(signed.raw_transaction)


def transact(
    *,
    w3: Web3,
    call: ContractFunction,
    sender: Sender,
    decoder: RevertDecoder,
    context: str,
) -> TxReceipt:
    """Send `call` from `sender` and wait for its receipt.

    A revert found while estimating gas raises the decoded named error and sends
    nothing. A transaction mined with status 0 is replayed with `eth_call` on the state
    before its block to name the reason.
    """
    try:
        tx = call.build_transaction({"from": sender.address})
    except ContractLogicError as exc:
        raise decoder.from_exception(exc, context=context) from None
    tx["gas"] = int(tx["gas"] * GAS_MARGIN)
    tx_hash = sender.send(w3, tx)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT)
    if receipt["status"] == 1:
        return receipt
    try:
        call.call({"from": sender.address}, block_identifier=receipt["blockNumber"] - 1)
    except ContractLogicError as exc:
        raise decoder.from_exception(exc, context=f"{context} (tx {tx_hash.hex()})") from None
    raise TransactionError(
        f"{context}: transaction {tx_hash.hex()} failed in block {receipt['blockNumber']} "
        f"(gas used {receipt['gasUsed']} of {tx.get('gas')})"
    )
