"""A live server in a thread and Debian's Chromium under Playwright, for the browser tests.

Playwright's own browser download cannot reach its host from these machines: the tests
drive the system's Chromium (`make install` installs Debian's `chromium` when missing).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI

# Flags for a machine with no network beyond loopback: without the background-networking
# ones Chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in CI's container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = os.environ.get("IPLEDGER_CHROMIUM") or shutil.which("chromium")
    if not found:
        raise RuntimeError(
            "no Chromium: `make install` installs Debian's chromium (apt-get install "
            "chromium), or set IPLEDGER_CHROMIUM to a Chromium binary"
        )
    return found


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """`app` served on a free loopback port in a thread; its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start within 10 s")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def screenshot_dir(default: Path) -> Path:
    """Where screenshots go: docs/screenshots under `make screenshots`, else the test's tmp."""
    chosen = os.environ.get("IPLEDGER_SCREENSHOTS")
    path = Path(chosen) if chosen else default
    path.mkdir(parents=True, exist_ok=True)
    return path
