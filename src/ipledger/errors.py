"""One exception tree for ipledger.

Every error a user can cause or meet derives from :class:`IpledgerError`, and its
message names the offending value and where it came from. Errors that are also a
standard kind of Python error (a bad value, a missing file) inherit from that too, so
callers may catch either.
"""

from __future__ import annotations

from pathlib import Path


class IpledgerError(Exception):
    """Base of every error ipledger raises on purpose."""


# --- build pipeline ----------------------------------------------------------------


class ProjectNotFoundError(IpledgerError, FileNotFoundError):
    """No ipledger project (a folder with `contracts/` and `package.json`) was found."""


class CompilerNotFoundError(IpledgerError, FileNotFoundError):
    """No solc of the pinned version could be found or run."""


class CompilerVersionError(IpledgerError, ValueError):
    """A configured solc is not the pinned version."""

    def __init__(self, binary: Path, found: str, pinned: str) -> None:
        super().__init__(f"solc at {binary} is version {found}, but ipledger pins {pinned}")
        self.binary = binary
        self.found = found
        self.pinned = pinned


class CompileDiagnostic:
    """One error reported by solc, located in a source file."""

    __slots__ = ("column", "file", "kind", "line", "message", "snippet")

    def __init__(
        self, *, file: str, line: int, column: int, kind: str, message: str, snippet: str = ""
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.kind = kind
        self.message = message
        self.snippet = snippet  # the offending source line, stripped

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        shown = f"\n      {self.snippet}" if self.snippet else ""
        return f"{where}: {self.kind}: {self.message}{shown}"


class CompilationError(IpledgerError):
    """solc rejected the sources; `diagnostics` holds each error with file and line."""

    def __init__(self, diagnostics: list[CompileDiagnostic]) -> None:
        self.diagnostics = diagnostics
        lines = "\n".join(f"  {d}" for d in diagnostics)
        super().__init__(f"compilation failed with {len(diagnostics)} error(s):\n{lines}")


class ArtifactNotFoundError(IpledgerError, FileNotFoundError):
    """A contract's build artifact is missing: compile first."""


# --- chains ------------------------------------------------------------------------


class ChainConnectionError(IpledgerError, ConnectionError):
    """A JSON-RPC node could not be reached or did not answer as a node should."""


class NodeStartError(IpledgerError, RuntimeError):
    """A local anvil node could not be started."""


# --- contracts ---------------------------------------------------------------------


class ContractRevertError(IpledgerError):
    """A contract call or transaction reverted; `error` and `arguments` say why.

    `ContractRevertError.named("PatentAlreadyRegistered")` is the subclass raised for
    that custom error, so callers can catch one error by name.
    """

    _named: dict[str, type[ContractRevertError]] = {}  # noqa: RUF012 - a class-level cache

    def __init__(self, error: str, arguments: dict[str, object], *, context: str = "") -> None:
        self.error = error
        self.arguments = arguments
        self.context = context
        shown = ", ".join(f"{k}={_show(v)}" for k, v in arguments.items())
        where = f"{context}: " if context else ""
        super().__init__(f"{where}reverted with {error}({shown})")

    @classmethod
    def named(cls, error: str) -> type[ContractRevertError]:
        if error not in cls._named:
            cls._named[error] = type(f"{error}Error", (cls,), {"__module__": __name__})
        return cls._named[error]


class TransactionError(IpledgerError):
    """A transaction could not be sent, or was mined but failed without a decodable reason."""


class InsufficientFundsError(TransactionError):
    """The sending account cannot pay for gas: the node refused the transaction."""


def _show(value: object) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)
