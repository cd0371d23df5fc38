"""pytest plugin: `tatum_sandbox`, a local Tatum sandbox for each test (needs the `sandbox` extra).

    pytest_plugins = ["tatum.testing"]          # in your conftest.py

    def test_deactivate(tatum_sandbox):
        id = tatum_sandbox.add_customer("c-1", active_accounts=1)
        with tatum_sandbox.sdk() as sdk:
            api = sdk.mainnet().api().customer()
            with pytest.raises(CustomerStateError):
                api.deactivate_customer(id)

One sandbox runs on a thread for the whole session, on a free loopback port; before each test every ledger
is emptied, and pending faults, rate limits set by a test and counters are cleared, so each test starts from
nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import count
from typing import Any, Literal, TypedDict, Unpack

import httpx
import pytest

from . import AsyncSdk, Backoff, Sdk, _ratelimit
from ._config import RateLimit
from .sandbox import SandboxServer, Settings

__all__ = [
    "API_KEY_MAINNET",
    "API_KEY_TESTNET",
    "AsyncSdkOptions",
    "SandboxControlError",
    "SandboxStats",
    "SdkOptions",
    "TatumSandbox",
]

API_KEY_MAINNET = "sandbox-test-mainnet-key"
"""The mainnet key the fixture's SDKs and controls use by default (any key works on the sandbox)."""
API_KEY_TESTNET = "sandbox-test-testnet-key"

Network = Literal["mainnet", "testnet"]


class _Options(TypedDict, total=False):
    """The keyword arguments `Sdk` and `AsyncSdk` share (a test compares them with their signatures)."""

    api_key_mainnet: str | None
    api_key_testnet: str | None
    base_url: str | None
    timeout: float | httpx.Timeout
    max_retries: int
    credit_budget: int | None
    rate_limit: RateLimit
    redis_url: str | None
    deadline: float | None
    default_headers: Mapping[str, str] | None
    backoff: Backoff | None
    max_response_bytes: int
    clock: Callable[[], float]


class SdkOptions(_Options, total=False):
    """The keyword arguments of `tatum.Sdk`, as `TatumSandbox.sdk()` takes them (type a helper's `**options`
    that passes them on with `Unpack[SdkOptions]`)."""

    http_client: httpx.Client | None
    sleep: Callable[[float], None]


class AsyncSdkOptions(_Options, total=False):
    """The keyword arguments of `tatum.AsyncSdk`, as `TatumSandbox.async_sdk()` takes them."""

    http_client: httpx.AsyncClient | None
    sleep: Callable[[float], Awaitable[None]] | None


class SandboxControlError(RuntimeError):
    """A `/_sandbox/` control call failed (the sandbox's message says why)."""


@dataclass(frozen=True)
class SandboxStats:
    """A ledger's counters on the sandbox (`GET /_sandbox/stats`), since its start or last reset."""

    requests: int
    """Calls received on `/v3/` (also those refused by the rate limit or answered by a fault)."""
    rate_limited: int
    """Calls refused with 429 by the rate limit (not injected 429 faults)."""
    peak_per_second: int
    """The most calls received in any one-second window."""


class TatumSandbox:
    """A running sandbox, as a test sees it: its URL, SDKs pointed at it, and its controls.

    The controls act on one ledger: by default the one of the fixture's key for `network`; `api_key=` picks
    another key's, and `keyless=True` the anonymous ledger of `network` (requests without a key).
    """

    def __init__(self, server: SandboxServer) -> None:
        self.url = server.url
        self.server = server
        self._control = httpx.Client(base_url=server.url)
        self._sdks: list[Sdk] = []
        self._async_clients: list[httpx.AsyncClient] = []
        self._numbers = count(1)

    def sdk(self, **options: Unpack[SdkOptions]) -> Sdk:
        """An Sdk for the sandbox, taking `tatum.Sdk`'s keyword arguments: `base_url` defaults to the
        sandbox's, the keys to the fixture's; closed at teardown."""
        merged: SdkOptions = {**self._defaults(), **options}
        sdk = Sdk(**merged)
        self._sdks.append(sdk)
        return sdk

    def async_sdk(self, **options: Unpack[AsyncSdkOptions]) -> AsyncSdk:
        """An AsyncSdk for the sandbox, like `sdk()`, taking `tatum.AsyncSdk`'s keyword arguments; closed at
        teardown.

        Unless `http_client` is given, its connections are not kept alive between requests, so none is left
        open on the test's event loop when the test ends.
        """
        if "http_client" not in options:
            client = httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0))
            self._async_clients.append(client)
            options["http_client"] = client
        merged: AsyncSdkOptions = {**self._defaults(), **options}
        return AsyncSdk(**merged)

    def _defaults(self) -> _Options:
        """What the fixture's SDKs use unless told otherwise: the sandbox's URL and the fixture's keys."""
        return {"api_key_mainnet": API_KEY_MAINNET, "api_key_testnet": API_KEY_TESTNET, "base_url": self.url}

    def add_customer(
        self,
        external_id: str | None = None,
        *,
        accounting_currency: str | None = None,
        customer_country: str | None = None,
        provider_country: str | None = None,
        active: bool = True,
        enabled: bool = True,
        active_accounts: int = 0,
        id: str | None = None,
        network: Network = "mainnet",
        api_key: str | None = None,
        keyless: bool = False,
    ) -> str:
        """Create a customer (as Tatum does when a ledger account is made for it); returns its internal id.

        `external_id` defaults to a fresh `customer-N`; `id` (24 lowercase hex) to a random one.
        """
        customer: dict[str, Any] = {
            "externalId": external_id or f"customer-{next(self._numbers)}",
            "accountingCurrency": accounting_currency,
            "customerCountry": customer_country,
            "providerCountry": provider_country,
            "active": active,
            "enabled": enabled,
            "activeAccounts": active_accounts,
        }
        if id is not None:
            customer["id"] = id
        response = self._call("POST", "/_sandbox/customers", customer, network, api_key, keyless)
        created: str = response.json()["id"]
        return created

    def set_active_accounts(
        self,
        id: str,
        active_accounts: int,
        *,
        network: Network = "mainnet",
        api_key: str | None = None,
        keyless: bool = False,
    ) -> None:
        """Set how many active accounts a customer has (deactivation needs none)."""
        body = {"activeAccounts": active_accounts}
        self._call("PUT", f"/_sandbox/customers/{id}/accounts", body, network, api_key, keyless)

    def inject_fault(
        self,
        *,
        status: int | None = None,
        retry_after: float | str | None = None,
        body: Any = None,
        delay: float = 0.0,
        drop: bool = False,
        count: int = 1,
        network: Network = "mainnet",
        api_key: str | None = None,
        keyless: bool = False,
    ) -> None:
        """Make the ledger's next `count` requests to `/v3/` fail: answer `status` (with `body` and a
        `Retry-After` header), wait `delay` seconds first, or `drop` the connection without an answer.

        `retry_after` is seconds (fractions allowed, e.g. 0.2, to keep tests fast; Tatum sends whole seconds)
        or an HTTP-date string."""
        fault: dict[str, Any] = {"delay": delay, "drop": drop, "count": count}
        if status is not None:
            fault["status"] = status
        if retry_after is not None:
            fault["retryAfter"] = retry_after
        if body is not None:
            fault["body"] = body
        self._call("POST", "/_sandbox/faults", fault, network, api_key, keyless)

    def reset(
        self, *, network: Network = "mainnet", api_key: str | None = None, keyless: bool = False
    ) -> None:
        """Start a ledger again: no customers, no pending faults, no rate limit set here, counters at zero."""
        self._call("POST", "/_sandbox/reset", None, network, api_key, keyless)

    def stats(
        self, *, network: Network = "mainnet", api_key: str | None = None, keyless: bool = False
    ) -> SandboxStats:
        """The ledger's counters: calls received, calls refused by the rate limit, peak calls per second."""
        counters = self._call("GET", "/_sandbox/stats", None, network, api_key, keyless).json()
        return SandboxStats(counters["requests"], counters["rateLimited"], counters["peakPerSecond"])

    def set_rate_limit(
        self,
        per_second: int | None,
        retry_after: float | None = None,
        *,
        network: Network = "mainnet",
        api_key: str | None = None,
        keyless: bool = False,
    ) -> None:
        """Limit the ledger to `per_second` calls in any one-second window (None: no limit), whatever the
        server's `--rate-limit`; its 429s carry `Retry-After: retry_after` (fractions allowed, e.g. 0.2)
        instead of the whole seconds until a call leaves the window. Cleared before each test."""
        body: dict[str, Any] = {"perSecond": per_second}
        if retry_after is not None:
            body["retryAfter"] = retry_after
        self._call("PUT", "/_sandbox/rate-limit", body, network, api_key, keyless)

    def clear_rate_limit(
        self, *, network: Network = "mainnet", api_key: str | None = None, keyless: bool = False
    ) -> None:
        """Give the ledger the server's `--rate-limit` again (none for the fixture's server)."""
        self._call("DELETE", "/_sandbox/rate-limit", None, network, api_key, keyless)

    def close(self) -> None:
        """Close every SDK made here and the control connection."""
        for sdk in self._sdks:
            sdk.close()
        if self._async_clients:
            # The test's event loop is gone by now; with no connection kept alive, a new loop closes them.
            loop = asyncio.new_event_loop()
            try:
                for client in self._async_clients:
                    loop.run_until_complete(client.aclose())
            finally:
                loop.close()
        self._control.close()

    def _call(
        self, method: str, path: str, body: Any, network: Network, api_key: str | None, keyless: bool
    ) -> httpx.Response:
        headers = {}
        params = {}
        if not keyless:
            headers["x-api-key"] = api_key or (API_KEY_MAINNET if network == "mainnet" else API_KEY_TESTNET)
        elif network == "testnet":
            params["type"] = "testnet"
        response = self._control.request(method, path, json=body, headers=headers, params=params)
        if response.is_error:
            raise SandboxControlError(f"{method} {path}: HTTP {response.status_code}: {response.text}")
        return response


@pytest.fixture(scope="session")
def tatum_sandbox_server() -> Iterator[SandboxServer]:
    """The session's sandbox server (new ledgers start empty). Most tests want `tatum_sandbox`."""
    with SandboxServer(Settings(seed=())) as server:
        yield server


@pytest.fixture
def tatum_sandbox(tatum_sandbox_server: SandboxServer) -> Iterator[TatumSandbox]:
    """A sandbox with every ledger empty (and no fault, rate limit or count left by another test): `.url`,
    `.sdk()`, `.async_sdk()`, `.add_customer()`, `.set_active_accounts()`, `.inject_fault()`, `.reset()`,
    `.stats()`, `.set_rate_limit()`, `.clear_rate_limit()`."""
    tatum_sandbox_server.sandbox.reset_all()
    _ratelimit.forget(tatum_sandbox_server.url)  # and what this process's rate limiters learnt of it
    sandbox = TatumSandbox(tatum_sandbox_server)
    yield sandbox
    sandbox.close()
