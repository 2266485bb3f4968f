"""What people call things: a patent by its reference ("HK 30012345"), a payment token
by its symbol and decimals. Asked once per query, not once per row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from web3.exceptions import Web3Exception

from ipledger.clients.ledger import Ledger
from ipledger.read.recognition import code

if TYPE_CHECKING:  # SQLAlchemy loads only when an index is read
    from ipledger.read.indexed import IndexReader

T = TypeVar("T")


@dataclass
class Labels:
    ledger: Ledger
    _references: dict[bytes, str] | None = None
    _units: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)

    def reference(self, patent_id: bytes) -> str | None:
        """One patent's reference, from every patent's, read in one query on first use (a
        node filters logs by patent no faster than it returns them all)."""
        return self.all_references().get(bytes(patent_id))

    def all_references(self) -> dict[bytes, str]:
        """Every registered patent's reference, in one query (once per Labels)."""
        if self._references is None:
            self._references = self.ledger.patents.references()
        return self._references

    @classmethod
    def from_index(cls, ledger: Ledger, reader: IndexReader) -> Labels:
        """Labels whose references come from the index's registrations (one query), not
        from the node's logs (a getLogs per patent)."""
        found = {
            bytes.fromhex(e.args["patentId"][2:]): f"{code(e.args['jurisdiction'])} "
            f"{e.args['publicationNumber']}"
            for e in reader.events("PatentRegistered")
        }
        return cls(ledger, found)

    def units(self, token: str) -> tuple[str | None, int | None]:
        """An ERC-20's symbol and decimals; None for what it does not answer (both are
        optional in the standard)."""
        if token not in self._units:
            erc20 = self.ledger.erc20(token)
            self._units[token] = (_ask(erc20.symbol), _ask(erc20.decimals))
        return self._units[token]


def _ask(view: Callable[[], T]) -> T | None:
    try:
        return view()
    except (Web3Exception, ValueError, OverflowError):
        return None
