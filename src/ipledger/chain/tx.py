"""The one way a transaction goes to the chain: build, sign, (persist), send, wait, and
name a revert.

A `Sender` is an account that can send: `NodeAccount` when the node holds the key (a
dev chain's funded accounts), `KeyAccount` when the key is held here (from an
eth-account keystore) and transactions are signed locally. `transact` is the whole
path for one call; the mirror, which must store a signed transaction before it is
broadcast and settle it later, uses its steps: `build`, `sign`, `broadcast`,
`replay_revert`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, cast

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.exceptions import ValidationError
from hexbytes import HexBytes
from web3 import Web3
from web3._utils.transactions import fill_transaction_defaults
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import ContractLogicError, Web3Exception
from web3.types import Nonce, TxParams, TxReceipt

from ipledger.chain.revert import RevertDecoder
from ipledger.errors import ContractRevertError, InsufficientFundsError, TransactionError

RECEIPT_TIMEOUT = 120.0
# Nodes estimate the least gas that succeeds in the state at estimation time; storage
# refunds and the SSTORE stipend check can make the real run need a little more. A
# margin is standard practice; unused gas is not charged.
GAS_MARGIN = 1.25
# What nodes answer when a raw transaction they are given is already theirs or mined.
ALREADY_SENT = (
    "already known",
    "already imported",
    "nonce too low",
    "replacement transaction underpriced",
    "replacement underpriced",
    "known transaction",
)

# What nodes answer when the sender cannot pay for gas (anvil/geth; eth-tester).
NO_GAS_MONEY = (
    "insufficient funds",
    "cannot afford",
    "not enough balance",
    "not have enough balance",
    "overdraft",
)

Call = ContractFunction | ContractConstructor


def gas_money_error(
    w3: Web3, address: str, exc: BaseException, tx: TxParams | None = None
) -> InsufficientFundsError | None:
    """`exc` as an error naming the account and the gas money it lacks, when that is what
    the node refused the transaction for; else None."""
    text = str(exc)
    if not any(phrase in text.lower() for phrase in NO_GAS_MONEY):
        return None
    balance = w3.eth.get_balance(Web3.to_checksum_address(address))
    stated = re.search(r"(?:want|gas) (\d+)", text)  # what the node says it needs
    need = int(stated.group(1)) if stated else None
    if need is None and tx is not None and "gas" in tx:
        price = tx.get("maxFeePerGas", tx.get("gasPrice", 0))
        need = int(tx["gas"]) * int(cast(int, price)) + int(tx.get("value", 0))
    wanted = f" and needs up to {ether(need)}" if need else ""
    return InsufficientFundsError(
        f"account {address} cannot pay for gas: it holds {ether(balance)}{wanted}; "
        "send it gas money (the chain's native coin) and try again"
    )


@dataclass
class _Pending:
    tx: TxParams | None = None  # what is being sent, once built


@contextmanager
def naming_gas_money(w3: Web3, address: str) -> Iterator[_Pending]:
    """Around building and sending a transaction: a refusal for want of gas money comes
    out as an `InsufficientFundsError` naming `address` and the amount; anything else
    as it was."""
    pending = _Pending()
    try:
        yield pending
    except (Web3Exception, ValueError, ValidationError) as exc:
        unfunded = gas_money_error(w3, address, exc, pending.tx)
        if unfunded is not None:
            raise unfunded from None
        raise


def ether(wei: int) -> str:
    """Wei as people read the native coin: "0.03 ETH (30000000000000000 wei)"."""
    return f"{Decimal(wei).scaleb(-18).normalize():f} ETH ({wei} wei)"


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
        signed = sign(w3, self.account, tx)
        return w3.eth.send_raw_transaction(signed.raw)


@dataclass(frozen=True)
class SignedTx:
    """A transaction signed here, not yet sent: what an outbox stores first."""

    tx_hash: str  # 0x-hex
    nonce: int
    raw: bytes


def build(
    call: Call,
    sender: str,
    *,
    decoder: RevertDecoder,
    context: str,
    gas: int | None = None,
    nonce: int | None = None,
) -> TxParams:
    """The transaction of `call` from `sender`: gas as given, else the node's estimate
    with a margin. A revert found while estimating raises the named error."""
    params: dict[str, Any] = {"from": sender}
    if gas is not None:
        params["gas"] = gas
    if nonce is not None:
        params["nonce"] = Nonce(nonce)
    try:
        tx = call.build_transaction(cast(TxParams, params))
    except ContractLogicError as exc:
        raise decoder.from_exception(exc, context=context) from None
    if gas is None:
        tx["gas"] = int(tx["gas"] * GAS_MARGIN)
    return tx


def sign(w3: Web3, account: LocalAccount, tx: TxParams) -> SignedTx:
    """`tx` signed by `account`, its nonce and chain id filled in where missing."""
    filled: dict[str, Any] = dict(tx)
    filled.setdefault("nonce", w3.eth.get_transaction_count(account.address, "pending"))
    filled.setdefault("chainId", w3.eth.chain_id)
    if "gas" not in filled or not ({"gasPrice", "maxFeePerGas"} & filled.keys()):
        # A plain value transfer: gas and fees as web3 fills them for the node's own sends.
        filled = dict(fill_transaction_defaults(w3, cast(TxParams, filled)))
    signed = account.sign_transaction(filled)
    return SignedTx(signed.hash.to_0x_hex(), int(filled["nonce"]), bytes(signed.raw_transaction))


def broadcast(w3: Web3, raw: bytes) -> None:
    """Send a signed transaction; a node that already has it (or mined it) is fine."""
    try:
        w3.eth.send_raw_transaction(raw)
    except (Web3Exception, ValueError) as exc:
        if any(phrase in str(exc).lower() for phrase in ALREADY_SENT):
            return
        raise


def replay_revert(
    call: Call, sender: str, block: int, *, decoder: RevertDecoder, context: str
) -> ContractRevertError | None:
    """Why a transaction mined in `block` failed: `call` replayed with `eth_call` on the
    state before it, decoded; None when the replay does not revert (out of gas)."""
    if not isinstance(call, ContractFunction):
        return None  # a deployment: its constructor cannot be replayed by address
    try:
        call.call({"from": cast(ChecksumAddress, sender)}, block_identifier=block - 1)
    except ContractLogicError as exc:
        return decoder.from_exception(exc, context=context)
    return None


def transact(
    *,
    w3: Web3,
    call: Call,
    sender: Sender,
    decoder: RevertDecoder,
    context: str,
) -> TxReceipt:
    """Send `call` from `sender` and wait for its receipt.

    A revert found while estimating gas raises the decoded named error and sends
    nothing. A transaction mined with status 0 is replayed on the state before its
    block to name the reason.
    """
    with naming_gas_money(w3, sender.address) as pending:
        tx = pending.tx = build(call, sender.address, decoder=decoder, context=context)
        tx_hash = sender.send(w3, tx)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT)
    if receipt["status"] == 1:
        return receipt
    where = f"{context} (tx {tx_hash.to_0x_hex()})"
    reason = replay_revert(
        call, sender.address, receipt["blockNumber"], decoder=decoder, context=where
    )
    if reason is not None:
        raise reason
    raise TransactionError(
        f"{where}: failed in block {receipt['blockNumber']} "
        f"(gas used {receipt['gasUsed']} of {tx.get('gas')})"
    )


def send_value(w3: Web3, sender: Sender, to: str, wei: int) -> TxReceipt:
    """Send `wei` of the chain's coin (gas money for a key of our own) and wait; a
    transfer that fails is an error."""
    tx = cast(TxParams, {"from": sender.address, "to": Web3.to_checksum_address(to), "value": wei})
    with naming_gas_money(w3, sender.address) as pending:
        pending.tx = tx
        tx_hash = sender.send(w3, tx)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT)
    if receipt["status"] != 1:
        raise TransactionError(f"sending {wei} wei to {to} failed (tx {tx_hash.to_0x_hex()})")
    return receipt
