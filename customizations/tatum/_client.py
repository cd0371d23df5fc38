"""The entry points: `Sdk` and `AsyncSdk`, and the network and api objects they hand out.

    sdk.mainnet().api().customer()   # each step built once and cached

One Sdk owns one connection pool (an httpx client) for both networks; `with_options()` copies share it and
share the credit meters, so a budget holds across copies; every Sdk of the process that uses an API key shares
its rate limiter (`tatum._ratelimit`), and with `redis_url` the whole fleet shares the limiter and the credit
meters (`tatum._redis`). Each network has one pipeline (`tatum._pipeline`)
that every API resource of it sends through; the resources are the only API-specific part: another API would
be a module like `tatum.customer` and one accessor on `Api` and `AsyncApi`.
"""

from __future__ import annotations

import copy
import functools
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Generic, Literal, Self, TypeVar

import httpx

from . import _config, _deadline, _redis
from ._config import RateLimit, Settings
from ._constants import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_RATE_LIMIT,
    DEFAULT_TIMEOUT,
    ENV_API_KEY_MAINNET,
    ENV_API_KEY_TESTNET,
    OWN_CLIENT_HEADERS,
)
from ._credits import CreditMeter, Meter
from ._pipeline import AsyncPipeline, Pipeline, SyncPipeline
from ._ratelimit import RateLimiter, key_identity, limiter_for
from ._retry import Backoff
from .customer import AsyncCustomerApi, CustomerApi
from .errors import TatumError, ValidationError

__all__ = ["Api", "AsyncApi", "AsyncSdk", "Network", "Sdk"]

NetworkName = Literal["mainnet", "testnet"]
_NETWORKS: tuple[NetworkName, ...] = ("mainnet", "testnet")


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
    """One network (mainnet or testnet) of an Sdk: its key, its APIs, its rate limit and the credits spent on it."""

    def __init__(self, name: NetworkName, api: A, pipeline: Pipeline, has_key: bool) -> None:
        self.name = name
        self._api: A = api
        self._pipeline = pipeline
        self._has_key = has_key

    def api(self) -> A:
        return self._api

    @property
    def credits_used(self) -> int:
        """Credits spent so far on this network, by calls the API answered with success: by this Sdk and its
        copies, or, with `redis_url`, by every process using the key."""
        return self._pipeline.meter.used

    @property
    def rate_limit(self) -> float | None:
        """Calls per second in force now on this network's key: the fixed `rate_limit`, or with "auto" what the
        API stated (lower for a while after a 429); None before anything is known, or with `rate_limit=None`."""
        return self._pipeline.rate_limit

    def __repr__(self) -> str:
        key = "key set" if self._has_key else "no key"
        return (
            f"<Network {self.name} ({key}), credits_used={self.credits_used}, rate_limit={self.rate_limit}>"
        )


class _SdkBase(Generic[A]):
    """Configuration, networks and caching shared by Sdk and AsyncSdk."""

    _owns_http: bool
    """Whether close() closes the HTTP client: not one given as `http_client`, nor from a `with_options` copy."""

    def __init__(
        self,
        api_key_mainnet: str | None,
        api_key_testnet: str | None,
        *,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        credit_budget: int | None,
        rate_limit: RateLimit,
        redis_url: str | None,
        deadline: float | None,
        default_headers: Mapping[str, str] | None,
        backoff: Backoff | None,
        max_response_bytes: int,
        clock: Callable[[], float],
    ) -> None:
        self._keys: dict[NetworkName, str | None] = {
            "mainnet": _config.api_key("api_key_mainnet", api_key_mainnet, ENV_API_KEY_MAINNET),
            "testnet": _config.api_key("api_key_testnet", api_key_testnet, ENV_API_KEY_TESTNET),
        }
        if backoff is not None and not isinstance(backoff, Backoff):
            raise ValidationError("backoff", f"must be a tatum.Backoff, not {type(backoff).__name__}")
        if not callable(clock):
            raise ValidationError("clock", "must be a function returning seconds (like time.monotonic)")
        self._settings = Settings(
            base_url=_config.base_url(base_url),
            timeout=_config.timeout(timeout),
            max_retries=_config.max_retries(max_retries),
            credit_budget=_config.credit_budget(credit_budget),
            deadline=_config.deadline(deadline),
            default_headers=_config.headers("default_headers", default_headers),
            backoff=backoff or Backoff(),
            max_response_bytes=_config.max_response_bytes(max_response_bytes),
            rate_limit=_config.rate_limit(rate_limit),
        )
        self._clock = clock
        url = _config.redis_url(redis_url)
        self._shared = None if url is None else _redis.SharedState(url)
        self._meters: dict[NetworkName, Meter] = {}
        self._limiters: dict[NetworkName, RateLimiter] = {}
        for name in _NETWORKS:
            self._meters[name], self._limiters[name] = self._meter_and_limiter(name)
        self._networks: dict[NetworkName, Network[A]] = {}

    def _meter_and_limiter(self, name: NetworkName) -> tuple[Meter, RateLimiter]:
        """A network's credit meter (this Sdk's, or the key's in Redis) and its key's rate limiter."""
        identity = key_identity(self._keys[name], name)
        base, shared = self._settings.base_url, self._shared
        if shared is None:
            return CreditMeter(), limiter_for(identity, name, base, self._clock)
        prefix = _redis.key_prefix(identity, base)
        window = functools.partial(_redis.RedisWindow, shared, prefix)
        limiter = limiter_for(identity, name, base, self._clock, shared.url, window)
        return _redis.RedisCreditMeter(shared, prefix), limiter

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

    @property
    def deadline(self) -> float | None:
        return self._settings.deadline

    @property
    def rate_limit(self) -> RateLimit:
        """The `rate_limit` setting ("auto", calls per second, or None); `sdk.mainnet().rate_limit` is the rate
        in force on that network's key."""
        return self._settings.rate_limit

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        credit_budget: int | _Unchanged | None = UNCHANGED,
        deadline: float | _Unchanged | None = UNCHANGED,
        default_headers: Mapping[str, str] | None = None,
        backoff: Backoff | None = None,
        max_response_bytes: int | None = None,
        rate_limit: RateLimit | _Unchanged = UNCHANGED,
    ) -> Self:
        """A copy with some options changed, sharing this one's connection pool, credit meters and limiters.

        Options left out stay as they are (`credit_budget=None` lifts the budget, `deadline=None` the
        deadline; `default_headers` are added to this one's). The copy counts its credits on the same meters
        and enforces its own budget against them. Closing a copy leaves the pool open; close the Sdk that
        made it.
        """
        settings = self._settings
        changes: dict[str, object] = {}
        if not isinstance(credit_budget, _Unchanged):
            changes["credit_budget"] = _config.credit_budget(credit_budget)
        if not isinstance(deadline, _Unchanged):
            changes["deadline"] = _config.deadline(deadline)
        if not isinstance(rate_limit, _Unchanged):
            changes["rate_limit"] = _config.rate_limit(rate_limit)
        if timeout is not None:
            changes["timeout"] = _config.timeout(timeout)
        if max_retries is not None:
            changes["max_retries"] = _config.max_retries(max_retries)
        if default_headers is not None:
            extra = _config.headers("default_headers", default_headers)
            changes["default_headers"] = {**settings.default_headers, **extra}
        if backoff is not None:
            if not isinstance(backoff, Backoff):
                raise ValidationError("backoff", f"must be a tatum.Backoff, not {type(backoff).__name__}")
            changes["backoff"] = backoff
        if max_response_bytes is not None:
            changes["max_response_bytes"] = _config.max_response_bytes(max_response_bytes)
        clone = copy.copy(self)
        clone._settings = replace(settings, **changes)  # type: ignore[arg-type]
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
            api, pipeline = self._api(name)
            network = self._networks[name] = Network(name, api, pipeline, bool(self._keys[name]))
        return network

    def _api(self, name: NetworkName) -> tuple[A, Pipeline]:
        """The APIs of a network and the pipeline they send through, with this Sdk's settings."""
        raise NotImplementedError

    def __repr__(self) -> str:
        keys = ", ".join(f"{name}={'key set' if key else 'no key'}" for name, key in self._keys.items())
        settings = self._settings
        shared = "" if self._shared is None else ", redis_url=set"
        return (
            f"{type(self).__name__}(base_url={settings.base_url!r}, {keys}, timeout={settings.timeout.read}, "
            f"max_retries={settings.max_retries}, credit_budget={settings.credit_budget}, "
            f"deadline={settings.deadline}, rate_limit={settings.rate_limit!r}{shared})"
        )


_ARGS_DOC = """
    Args:
        api_key_mainnet: key for mainnet calls; default env TATUM_API_KEY_MAINNET. None: no `x-api-key` sent.
        api_key_testnet: key for testnet calls; default env TATUM_API_KEY_TESTNET. None: no key is sent, and
            `type=testnet` is added to the query.
        base_url: default env TATUM_BASE_URL, else https://api.tatum.io. Must be https unless on loopback.
        timeout: seconds (or an httpx.Timeout) for each step of an attempt; default 30.
        max_retries: retries after the first attempt; default 2.
        credit_budget: refuse (CreditBudgetExceededError) any call that would bring the credits spent on a
            network past this; default None, no limit.
        rate_limit: "auto" (default: learn each key's rate from the API, wait instead of failing), a fixed
            number of calls per second per key, or None (no client-side limit; 429s are still retried).
        redis_url: default env TATUM_REDIS_URL; keep the rate limiter and the credit meters in this Redis,
            shared by every process and machine using the key (needs the `redis` extra).
        deadline: seconds a whole call may take (attempts, retry and rate-limit waits); default None.
        default_headers: headers sent with every call (never `x-api-key`).
        backoff: a tatum.Backoff (initial delay, cap, jitter) for retries; default 0.5 s doubling to 8 s.
        max_response_bytes: the largest body read (after decompression); default 4 MiB.
        http_client: an httpx client to send through (its pool, proxies, TLS settings). The Sdk does not
            close a client it was given. Redirects are never followed.
        sleep: called with each wait in seconds (retries, the rate limiter); tests pass a recorder.
        clock: seconds, monotonic; default time.monotonic (tests pass a fake one, advanced by their sleep).
"""


class Sdk(_SdkBase[Api]):
    __doc__ = (
        "The Tatum Customer SDK. `Sdk().mainnet().api().customer()` is the Customer API on mainnet.\n"
        + _ARGS_DOC
    )

    def __init__(
        self,
        api_key_mainnet: str | None = None,
        api_key_testnet: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        credit_budget: int | None = None,
        rate_limit: RateLimit = DEFAULT_RATE_LIMIT,
        redis_url: str | None = None,
        deadline: float | None = None,
        default_headers: Mapping[str, str] | None = None,
        backoff: Backoff | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ValidationError("http_client", "must be an httpx.Client (AsyncSdk takes httpx.AsyncClient)")
        _config.sleep(sleep, coroutine=False)
        super().__init__(
            api_key_mainnet,
            api_key_testnet,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            credit_budget=credit_budget,
            rate_limit=rate_limit,
            redis_url=redis_url,
            deadline=deadline,
            default_headers=default_headers,
            backoff=backoff,
            max_response_bytes=max_response_bytes,
            clock=clock,
        )
        self._http: httpx.Client = http_client or _deadline.client(
            follow_redirects=False, headers=OWN_CLIENT_HEADERS
        )
        self._owns_http = http_client is None
        self._sleep = sleep

    def _api(self, name: NetworkName) -> tuple[Api, Pipeline]:
        pipeline = SyncPipeline(
            self._http,
            self._settings,
            name,
            self._keys[name],
            self._meters[name],
            self._limiters[name],
            self._clock,
            self._sleep,
        )
        return Api(pipeline), pipeline

    def close(self) -> None:
        """Close the connection pool (unless it was given as `http_client`, or this is a `with_options` copy)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncSdk(_SdkBase[AsyncApi]):
    __doc__ = (
        "The Tatum Customer SDK with coroutines: `await AsyncSdk().mainnet().api().customer().activate_customer(id)`.\n\n"
        "    Takes the arguments of `Sdk`, with `http_client` an httpx.AsyncClient and `sleep` a coroutine function\n"
        "    (default: asyncio.sleep). Use `async with AsyncSdk() as sdk:` or `await sdk.aclose()`.\n"
        + _ARGS_DOC
    )

    def __init__(
        self,
        api_key_mainnet: str | None = None,
        api_key_testnet: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        credit_budget: int | None = None,
        rate_limit: RateLimit = DEFAULT_RATE_LIMIT,
        redis_url: str | None = None,
        deadline: float | None = None,
        default_headers: Mapping[str, str] | None = None,
        backoff: Backoff | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise ValidationError("http_client", "must be an httpx.AsyncClient (Sdk takes httpx.Client)")
        if sleep is None:
            import asyncio  # here, not at the top: sync users need not pay for importing asyncio

            sleep = asyncio.sleep
        _config.sleep(sleep, coroutine=True)
        super().__init__(
            api_key_mainnet,
            api_key_testnet,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            credit_budget=credit_budget,
            rate_limit=rate_limit,
            redis_url=redis_url,
            deadline=deadline,
            default_headers=default_headers,
            backoff=backoff,
            max_response_bytes=max_response_bytes,
            clock=clock,
        )
        self._http: httpx.AsyncClient = http_client or httpx.AsyncClient(
            follow_redirects=False, headers=OWN_CLIENT_HEADERS
        )
        self._owns_http = http_client is None
        self._sleep = sleep

    def _api(self, name: NetworkName) -> tuple[AsyncApi, Pipeline]:
        pipeline = AsyncPipeline(
            self._http,
            self._settings,
            name,
            self._keys[name],
            self._meters[name],
            self._limiters[name],
            self._clock,
            self._sleep,
        )
        return AsyncApi(pipeline), pipeline

    async def aclose(self) -> None:
        """Close the connection pool (unless it was given as `http_client`, or this is a `with_options` copy).

        Like its calls, on the event loop it was used on: from another one, TatumError.
        """
        if self._owns_http:
            try:
                await self._http.aclose()
            except RuntimeError as error:  # anyio/httpcore: connections of a closed or foreign event loop
                raise TatumError(
                    f"cannot close this AsyncSdk here ({error}): close it on the event loop it was used on, "
                    "in the same asyncio.run(), for example with `async with AsyncSdk() as sdk:`"
                ) from error

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
