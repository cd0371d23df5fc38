"""The entry points: `Sdk` and `AsyncSdk`, and the network and api objects they hand out.

    sdk.mainnet().api().customer()   # each step built once and cached

One Sdk owns one connection pool (an httpx client) for both networks; `with_options()` copies share it and
share the credit meters, so a budget holds across copies. Each network has one pipeline (`tatum._pipeline`)
that every API resource of it sends through; the resources are the only API-specific part: another API would
be a module like `tatum.customer` and one accessor on `Api` and `AsyncApi`.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Generic, Literal, Self, TypeVar

import httpx

from . import _config
from ._config import Settings
from ._constants import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ENV_API_KEY_MAINNET,
    ENV_API_KEY_TESTNET,
    USER_AGENT,
)
from ._credits import CreditMeter
from ._pipeline import AsyncPipeline, SyncPipeline
from .customer import AsyncCustomerApi, CustomerApi
from .errors import ValidationError

__all__ = ["Api", "AsyncApi", "AsyncSdk", "Network", "Sdk"]

NetworkName = Literal["mainnet", "testnet"]


class _Unchanged:
    """The type of UNCHANGED: "leave this option as it is", where None is a value of its own."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


class Api:
    """The APIs of one network; `customer()` is the Customer API (the one this SDK covers)."""

    def __init__(self, pipeline: SyncPipeline) -> None:
        self._pipeline = pipeline
        self._customer: CustomerApi | None = None

    def customer(self) -> CustomerApi:
        if self._customer is None:
            self._customer = CustomerApi(self._pipeline)
        return self._customer

    def __repr__(self) -> str:
        return f"<Api {self._pipeline.network}>"


class AsyncApi:
    """The APIs of one network, with coroutines; `customer()` is the Customer API."""

    def __init__(self, pipeline: AsyncPipeline) -> None:
        self._pipeline = pipeline
        self._customer: AsyncCustomerApi | None = None

    def customer(self) -> AsyncCustomerApi:
        if self._customer is None:
            self._customer = AsyncCustomerApi(self._pipeline)
        return self._customer

    def __repr__(self) -> str:
        return f"<AsyncApi {self._pipeline.network}>"


A = TypeVar("A", Api, AsyncApi)


class Network(Generic[A]):
    """One network (mainnet or testnet) of an Sdk: its key, its APIs and the credits spent on it."""

    def __init__(self, name: NetworkName, api: A, meter: CreditMeter, has_key: bool) -> None:
        self.name = name
        self._api: A = api
        self._meter = meter
        self._has_key = has_key

    def api(self) -> A:
        return self._api

    @property
    def credits_used(self) -> int:
        """Credits spent so far on this network, by calls the API answered with success."""
        return self._meter.used

    def __repr__(self) -> str:
        key = "key set" if self._has_key else "no key"
        return f"<Network {self.name} ({key}), credits_used={self.credits_used}>"


class _SdkBase(Generic[A]):
    """Configuration, networks and caching shared by Sdk and AsyncSdk."""

    _owns_http: bool
    """Whether close() closes the HTTP client: not one given as `http_client`, nor from a `with_options` copy."""

    def __init__(
        self,
        api_key_mainnet: str | None,
        api_key_testnet: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        credit_budget: int | None,
    ) -> None:
        self._keys: dict[NetworkName, str | None] = {
            "mainnet": _config.api_key("api_key_mainnet", api_key_mainnet, ENV_API_KEY_MAINNET),
            "testnet": _config.api_key("api_key_testnet", api_key_testnet, ENV_API_KEY_TESTNET),
        }
        self._settings = Settings(
            base_url=_config.base_url(base_url),
            timeout=_config.timeout(timeout),
            max_retries=_config.max_retries(max_retries),
            credit_budget=_config.credit_budget(credit_budget),
        )
        self._meters: dict[NetworkName, CreditMeter] = {"mainnet": CreditMeter(), "testnet": CreditMeter()}
        self._networks: dict[NetworkName, Network[A]] = {}

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._settings.timeout

    @property
    def max_retries(self) -> int:
        return self._settings.max_retries

    @property
    def credit_budget(self) -> int | None:
        return self._settings.credit_budget

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        credit_budget: int | _Unchanged | None = UNCHANGED,
    ) -> Self:
        """A copy with some options changed, sharing this one's connection pool and credit meters.

        Options left out stay as they are (`credit_budget=None` lifts the budget). The copy counts its
        credits on the same meters and enforces its own budget against them. Closing a copy leaves the pool
        open; close the Sdk that made it.
        """
        settings = self._settings
        if not isinstance(credit_budget, _Unchanged):
            settings = replace(settings, credit_budget=_config.credit_budget(credit_budget))
        if timeout is not None:
            settings = replace(settings, timeout=_config.timeout(timeout))
        if max_retries is not None:
            settings = replace(settings, max_retries=_config.max_retries(max_retries))
        clone = copy.copy(self)
        clone._settings = settings
        clone._networks = {}
        clone._owns_http = False
        return clone

    def mainnet(self) -> Network[A]:
        """Mainnet: calls made with the mainnet key."""
        return self._network("mainnet")

    def testnet(self) -> Network[A]:
        """Testnet: calls made with the testnet key (or, without one, with `type=testnet`)."""
        return self._network("testnet")

    def _network(self, name: NetworkName) -> Network[A]:
        network = self._networks.get(name)
        if network is None:
            network = self._networks[name] = Network(
                name, self._api(name), self._meters[name], bool(self._keys[name])
            )
        return network

    def _api(self, name: NetworkName) -> A:
        """The APIs of a network, sending through a new pipeline of this Sdk's settings."""
        raise NotImplementedError

    def __repr__(self) -> str:
        keys = ", ".join(f"{name}={'key set' if key else 'no key'}" for name, key in self._keys.items())
        settings = self._settings
        return (
            f"{type(self).__name__}(base_url={settings.base_url!r}, {keys}, timeout={settings.timeout.read}, "
            f"max_retries={settings.max_retries}, credit_budget={settings.credit_budget})"
        )


class Sdk(_SdkBase[Api]):
    """The Tatum Customer SDK. `Sdk().mainnet().api().customer()` is the Customer API on mainnet.

    Args:
        api_key_mainnet: key for mainnet calls; default env TATUM_API_KEY_MAINNET. None: no `x-api-key` sent.
        api_key_testnet: key for testnet calls; default env TATUM_API_KEY_TESTNET. None: no key is sent, and
            `type=testnet` is added to the query.
        base_url: default env TATUM_BASE_URL, else https://api.tatum.io. Must be https unless on loopback.
        timeout: seconds (or an httpx.Timeout) for each attempt; default 30.
        max_retries: retries after the first attempt; default 2.
        credit_budget: refuse (CreditBudgetExceededError) any call that would bring the credits spent on a
            network past this; default None, no limit.
        http_client: an httpx.Client to send through (its pool, proxies, TLS settings). The Sdk does not
            close a client it was given. Redirects are never followed.
        sleep: called with each retry delay in seconds; default time.sleep (tests pass a recorder).
    """

    def __init__(
        self,
        api_key_mainnet: str | None = None,
        api_key_testnet: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        credit_budget: int | None = None,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(api_key_mainnet, api_key_testnet, base_url, timeout, max_retries, credit_budget)
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ValidationError("http_client", "must be an httpx.Client (AsyncSdk takes httpx.AsyncClient)")
        _config.sleep(sleep, coroutine=False)
        self._http: httpx.Client = http_client or httpx.Client(
            follow_redirects=False, headers={"User-Agent": USER_AGENT}
        )
        self._owns_http = http_client is None
        self._sleep = sleep

    def _api(self, name: NetworkName) -> Api:
        return Api(
            SyncPipeline(self._http, self._settings, name, self._keys[name], self._meters[name], self._sleep)
        )

    def close(self) -> None:
        """Close the connection pool (unless it was given as `http_client`, or this is a `with_options` copy)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncSdk(_SdkBase[AsyncApi]):
    """The Tatum Customer SDK with coroutines: `await AsyncSdk().mainnet().api().customer().activate_customer(id)`.

    Takes the arguments of `Sdk`, with `http_client` an httpx.AsyncClient and `sleep` a coroutine function
    (default: asyncio.sleep). Use `async with AsyncSdk() as sdk:` or `await sdk.aclose()`.
    """

    def __init__(
        self,
        api_key_mainnet: str | None = None,
        api_key_testnet: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        credit_budget: int | None = None,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(api_key_mainnet, api_key_testnet, base_url, timeout, max_retries, credit_budget)
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise ValidationError("http_client", "must be an httpx.AsyncClient (Sdk takes httpx.Client)")
        if sleep is None:
            import asyncio  # here, not at the top: sync users need not pay for importing asyncio

            sleep = asyncio.sleep
        _config.sleep(sleep, coroutine=True)
        self._http: httpx.AsyncClient = http_client or httpx.AsyncClient(
            follow_redirects=False, headers={"User-Agent": USER_AGENT}
        )
        self._owns_http = http_client is None
        self._sleep = sleep

    def _api(self, name: NetworkName) -> AsyncApi:
        return AsyncApi(
            AsyncPipeline(self._http, self._settings, name, self._keys[name], self._meters[name], self._sleep)
        )

    async def aclose(self) -> None:
        """Close the connection pool (unless it was given as `http_client`, or this is a `with_options` copy)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
