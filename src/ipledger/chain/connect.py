"""Connecting to a chain: the embedded eth-tester chain, or any EVM JSON-RPC node.

Nothing outside this module knows which backend it talks to: both answer the same
JSON-RPC calls through web3.py (including `evm_snapshot`/`evm_revert` on dev chains).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlparse

import requests
from web3 import HTTPProvider, Web3
from web3.exceptions import Web3Exception
from web3.types import RPCEndpoint, RPCResponse

from ipledger.errors import ChainConnectionError

DEFAULT_TIMEOUT = 10.0  # seconds; a dead or silent node fails fast instead of hanging


def redact_url(rpc_url: str) -> str:
    """`rpc_url` fit to print: scheme, host and port only. Providers put API keys in the
    path, the query or the user info, and errors end up in logs and terminals."""
    parsed = urlparse(rpc_url)
    host = parsed.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parsed.port}" if parsed.port else ""
    except ValueError:
        port = ""
    hidden = "/…" if (parsed.path not in ("", "/") or parsed.query or parsed.username) else ""
    return f"{parsed.scheme}://{host}{port}{hidden}"


def _why(exc: BaseException) -> str:
    """A short reason for a failed request, without the URL the exception may quote."""
    response = getattr(exc, "response", None)
    if isinstance(exc, requests.HTTPError) and response is not None:
        return f"HTTP {response.status_code} {response.reason or ''}".strip()
    text = str(exc).lower()
    for phrase in ("connection refused", "timed out", "name or service not known", "ssl"):
        if phrase in text:
            return phrase
    if "404" in text or "not found" in text:
        return "HTTP 404: not a JSON-RPC endpoint"
    return type(exc).__name__


class GuardedHTTPProvider(HTTPProvider):
    """An HTTP provider whose failures (refused, timed out, HTTP 401/429/5xx) are one
    `ChainConnectionError` naming the node by scheme, host and port: `requests` quotes
    the whole URL, API key included, in its messages."""

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        try:
            return super().make_request(method, params)
        except requests.RequestException as exc:
            where = redact_url(str(self.endpoint_uri))
            raise ChainConnectionError(f"the node at {where} failed ({_why(exc)})") from None


# What never changes for a node: asked once, not five times a transaction. Blocks are
# not cached (a dev node resets, a chain reorganises).
CACHED_ONCE = {RPCEndpoint("eth_chainId"), RPCEndpoint("net_version")}


def node_session(rpc_url: str) -> requests.Session:
    """A session that settles the environment's proxy, CA bundle and .netrc once.

    `requests` reads them on every call when `trust_env` is on: measured on anvil, a
    third of each request's time (and a `.netrc` read each time).
    """
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(rpc_url))
    session.auth = requests.utils.get_netrc_auth(rpc_url)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


def node_provider(rpc_url: str, *, timeout: float = DEFAULT_TIMEOUT) -> GuardedHTTPProvider:
    # No retries of timed-out calls: web3's default (5, with backoff) makes a silent node
    # take about a minute per call to report.
    return GuardedHTTPProvider(
        rpc_url,
        request_kwargs={"timeout": timeout},
        exception_retry_configuration=None,
        session=node_session(rpc_url),
        cache_allowed_requests=True,
        cacheable_requests=CACHED_ONCE,
        request_cache_validation_threshold=None,  # no block-age policy: no blocks cached
    )


def connect(rpc_url: str | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> Web3:
    """A `Web3` on the embedded chain when `rpc_url` is None, else on that node.

    The node must answer `eth_chainId` within `timeout` seconds; otherwise a
    :class:`ChainConnectionError` names the URL and what went wrong.
    """
    if rpc_url is None:
        # Imported here: py-evm costs a quarter second that a command on a node never needs.
        from ipledger.chain.embedded import embedded_chain

        return embedded_chain()
    parsed = urlparse(rpc_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ChainConnectionError(
            f"RPC URL {redact_url(rpc_url)!r} is not an http(s) URL "
            "(expected e.g. http://127.0.0.1:8545)"
        )
    w3 = Web3(node_provider(rpc_url, timeout=timeout))
    try:
        chain_id = w3.eth.chain_id
    except (OSError, Web3Exception, ValueError) as exc:
        raise ChainConnectionError(
            f"no Ethereum JSON-RPC node answered at {redact_url(rpc_url)}: {_why(exc)}"
        ) from None
    if not isinstance(chain_id, int) or chain_id <= 0:
        raise ChainConnectionError(
            f"node at {redact_url(rpc_url)} reported no valid chain id ({chain_id!r})"
        )
    return w3


def describe(w3: Web3) -> str:
    """A one-line description of what `w3` is connected to."""
    provider = w3.provider
    where = (
        redact_url(str(provider.endpoint_uri))
        if isinstance(provider, HTTPProvider)
        else "embedded eth-tester chain"
    )
    return f"{where} (chain id {w3.eth.chain_id}, block {w3.eth.block_number})"
