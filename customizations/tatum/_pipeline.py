"""The request path every call takes: budget, request, attempts with retries, credits, the parsed answer.

A resource (`tatum.customer`) describes a call as a `Call`: the spec's operation, the request the generated
client builds for it, and the generated parser of its success body. `SyncPipeline` and `AsyncPipeline` send it;
they only do the I/O (sending, sleeping), while `tatum._retry.Attempts` decides what happens after each attempt
and `tatum._response` reads the answer. Nothing here knows which API a call belongs to.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from ._config import Settings
from ._constants import USER_AGENT
from ._credits import CreditMeter
from ._response import parse_success
from ._retry import Attempts
from ._spec import Operation
from .errors import TatumError

T = TypeVar("T")


@dataclass(frozen=True)
class Call(Generic[T]):
    """One call of a spec operation, ready to send."""

    operation: Operation
    request: dict[str, Any]
    """The generated `build_request(...)`: method, url, and params, json and headers as needed."""
    parse: Callable[[httpx.Response], T]
    """The generated `parse_success`: the success body as the spec's model."""
    what: str
    """What the success body is, for error messages ("a customer")."""


class Pipeline:
    """What the sync and async pipelines share: settings, credentials, the credit meter, building requests."""

    def __init__(
        self,
        http: httpx.Client | httpx.AsyncClient,
        settings: Settings,
        network: str,
        api_key: str | None,
        meter: CreditMeter,
    ) -> None:
        self.settings = settings
        self.network = network
        self.meter = meter
        self._http = http
        self._secrets = (api_key,) if api_key else ()
        # The Sdk's own client carries the User-Agent already; a given client gets it on each request.
        self._headers = {} if http.headers.get("User-Agent") == USER_AGENT else {"User-Agent": USER_AGENT}
        if api_key:
            self._headers["x-api-key"] = api_key
        # Without a key the network cannot be told by the key, so testnet says so in the query (as in PHP).
        self._extra_params = {"type": "testnet"} if network == "testnet" and not api_key else {}

    def _reserve(self, call: Call[Any]) -> None:
        """Check that the client is open and reserve the call's credits (CreditBudgetExceededError)."""
        if self._http.is_closed:
            raise TatumError(
                "the Sdk's HTTP client is closed (after close()/aclose() or the end of its `with` block); "
                "make a new Sdk"
            )
        self.meter.reserve(call.operation.name, call.operation.credits, self.settings.credit_budget)

    def _prepare(self, call: Call[Any]) -> tuple[httpx.Request, Attempts]:
        """The call's httpx request, and the record of its attempts."""
        kwargs = call.request
        params = {**kwargs.get("params", {}), **self._extra_params}
        request = self._http.build_request(
            kwargs["method"].upper(),
            self.settings.base_url + kwargs["url"],
            params=params or None,
            json=kwargs.get("json"),
            headers={**kwargs.get("headers", {}), **self._headers},
            timeout=self.settings.timeout,
        )
        return request, Attempts(self.network, call.operation, self.settings.max_retries, self._secrets)

    def _parse(self, call: Call[T], response: httpx.Response) -> T:
        return parse_success(call.operation, call.what, call.parse, response, self._secrets)


class SyncPipeline(Pipeline):
    """Sends calls with an httpx.Client, sleeping between attempts with `sleep`."""

    def __init__(
        self,
        http: httpx.Client,
        settings: Settings,
        network: str,
        api_key: str | None,
        meter: CreditMeter,
        sleep: Callable[[float], None],
    ) -> None:
        super().__init__(http, settings, network, api_key, meter)
        self.http = http
        self.sleep = sleep

    def send(self, call: Call[T]) -> T:
        """Send a call with retries; return its parsed success or raise its typed error."""
        self._reserve(call)
        try:
            request, attempts = self._prepare(call)
            while True:
                started = time.perf_counter()
                try:
                    response = self.http.send(request, follow_redirects=False)
                except httpx.HTTPError as error:
                    delay = attempts.failed(request, error, time.perf_counter() - started)
                else:
                    delay = attempts.answered(request, response, time.perf_counter() - started)
                if delay is None:
                    break
                self.sleep(delay)
            response = attempts.result()
        except BaseException:
            self.meter.settle(call.operation.credits, spent=False)
            raise
        # Spent once the API answered with success, even if the body then breaks the contract.
        self.meter.settle(call.operation.credits, spent=True)
        return self._parse(call, response)


class AsyncPipeline(Pipeline):
    """Sends calls with an httpx.AsyncClient, sleeping between attempts with the coroutine `sleep`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: Settings,
        network: str,
        api_key: str | None,
        meter: CreditMeter,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        super().__init__(http, settings, network, api_key, meter)
        self.http = http
        self.sleep = sleep

    async def send(self, call: Call[T]) -> T:
        """Send a call with retries; return its parsed success or raise its typed error."""
        self._reserve(call)
        try:
            request, attempts = self._prepare(call)
            while True:
                started = time.perf_counter()
                try:
                    response = await self.http.send(request, follow_redirects=False)
                except httpx.HTTPError as error:
                    delay = attempts.failed(request, error, time.perf_counter() - started)
                else:
                    delay = attempts.answered(request, response, time.perf_counter() - started)
                if delay is None:
                    break
                await self.sleep(delay)
            response = attempts.result()
        except BaseException:
            self.meter.settle(call.operation.credits, spent=False)
            raise
        # Spent once the API answered with success, even if the body then breaks the contract.
        self.meter.settle(call.operation.credits, spent=True)
        return self._parse(call, response)
