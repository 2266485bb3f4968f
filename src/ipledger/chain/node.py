"""A local anvil node, started from `node_modules` and always stopped.

npm's `.bin/anvil` is a Node wrapper that spawns the platform binary; killing the
wrapper orphans the binary. So we run the platform binary itself, ask the kernel to
send it SIGTERM if we die (Linux `PR_SET_PDEATHSIG`), and stop it with SIGTERM, which
also lets anvil write its `--state` file.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from ipledger.errors import NodeStartError

HARDFORK = "prague"  # the same fork as eth-tester, so gas and opcodes agree
START_TIMEOUT = 30.0
_PLATFORMS = {
    ("Linux", "x86_64"): "linux-amd64",
    ("Linux", "aarch64"): "linux-arm64",
    ("Darwin", "x86_64"): "darwin-amd64",
    ("Darwin", "arm64"): "darwin-arm64",
    ("Windows", "AMD64"): "win32-amd64",
}


def anvil_binary(node_modules: Path) -> Path:
    """The platform's anvil binary inside the npm package `@foundry-rs/anvil`."""
    key = (platform.system(), platform.machine())
    suffix = _PLATFORMS.get(key)
    if suffix is None:
        raise NodeStartError(f"@foundry-rs/anvil ships no binary for {key[0]} {key[1]}")
    exe = "anvil.exe" if key[0] == "Windows" else "anvil"
    binary = node_modules / "@foundry-rs" / f"anvil-{suffix}" / "bin" / exe
    if not binary.is_file():
        raise NodeStartError(
            f"anvil is not installed at {binary}: run `npm ci` (or `make install`)"
        )
    return binary


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _rpc_chain_id(url: str, timeout: float) -> int | None:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    request = urllib.request.Request(  # noqa: S310 - the URL is our own loopback node
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(json.loads(response.read())["result"], 16)
    except (OSError, urllib.error.URLError, ValueError, KeyError):
        return None


@dataclass
class AnvilNode:
    """A running anvil; use as a context manager or call :meth:`stop`."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    state: Path | None = None
    chain_id: int = 0
    _log: object = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (anvil dumps `--state` on it), then SIGKILL if it will not go. The log
        is removed, unless anvil had already failed on its own (then `log_tail` reads it)."""
        failed_alone = self.process.poll() not in (None, 0)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        close = getattr(self._log, "close", None)
        if close is not None:
            close()
        if not failed_alone:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> AnvilNode:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def start_anvil(
    *,
    node_modules: Path,
    port: int | None = None,
    state: Path | None = None,
    chain_id: int | None = None,
    timeout: float = START_TIMEOUT,
    extra_args: tuple[str, ...] = (),
) -> AnvilNode:
    """Start anvil on 127.0.0.1 and wait until it answers `eth_chainId`."""
    binary = anvil_binary(node_modules)
    if port is not None and port_in_use(port):
        # Checked first: another node there would answer in its place and be taken for it.
        raise NodeStartError(
            f"port {port} on 127.0.0.1 is in use (another node?): stop it, or pick a free "
            "port with --port"
        )
    port = port or free_port()
    args = [str(binary), "--host", "127.0.0.1", "--port", str(port), "--hardfork", HARDFORK]
    if state is not None:
        state.parent.mkdir(parents=True, exist_ok=True)
        args += ["--state", str(state)]
    if chain_id is not None:
        args += ["--chain-id", str(chain_id)]
    # anvil moves older block states to ~/.foundry/anvil/tmp and leaves them there when
    # it stops (measured: 76 GB after a day of test runs filled the disk). Keep them in
    # memory only: receipts, logs and blocks stay; state older than anvil's in-memory
    # window (the last ~500 blocks, measured) cannot be read.
    # `--prune-history` keeps no old states at all (nothing reaches the disk either), and
    # anvil refuses it beside --max-persisted-states.
    if not any(arg.startswith("--prune-history") for arg in extra_args):
        args += ["--max-persisted-states", "0"]
    args += list(extra_args)
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by AnvilNode.stop
        prefix=f"anvil-{port}-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        args,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    node = AnvilNode(process=process, port=port, log_path=Path(log_file.name), state=state)
    node._log = log_file
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            node.stop()
            raise NodeStartError(
                f"anvil exited with code {process.returncode} on port {port}:\n{node.log_tail()}"
            )
        found = _rpc_chain_id(node.url, timeout=1.0)
        if found is not None:
            node.chain_id = found
            return node
        time.sleep(0.05)
    node.stop()
    raise NodeStartError(f"anvil did not answer on {node.url} within {timeout:.0f}s")
