"""Sending one operation: budget, request, attempts with retries, credits, logging.

`Attempts` holds every decision about one call (retry or not, how long to wait, which exception, whether an
"already in that state" answer means success); `SyncTransport` and `AsyncTransport` only do the I/O around it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ._constants import LOGGER_NAME, MAX_RETRY_AFTER, RETRYABLE_STATUSES, USER_AGENT
from ._retry import backoff_delay, retry_after_seconds
from ._secrets import scrub
from ._spec import Operation
from .errors import (
    ApiConnectionError,
    ApiTimeoutError,
    CreditBudgetExceededError,
    TatumError,
    UnexpectedResponseError,
    api_error,
    excerpt,
)

logger = logging.getLogger(LOGGER_NAME)

# Failures after which the request certainly did not reach the API: a retry then is a first try.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class Settings:
    """What one Sdk (or one `with_options` copy) applies to every call."""

    base_url: str
    timeout: httpx.Timeout
    max_retries: int
    credit_budget: int | None


class CreditMeter:
    """Credits spent on one network, shared by an Sdk and its `with_options` copies.

    A call reserves its cost before it is sent, so concurrent calls cannot together pass the budget; the
    reservation becomes spent when the API answers with success and is released otherwise.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.used = 0
        self._reserved = 0

    def reserve(self, operation: str, cost: int, budget: int | None) -> None:
        with self._lock:
            if budget is not None and self.used + self._reserved + cost > budget:
                raise CreditBudgetExceededError(operation, cost, self.used + self._reserved, budget)
            self._reserved += cost

    def settle(self, cost: int, spent: bool) -> None:
        with self._lock:
            self._reserved -= cost
            if spent:
                self.used += cost


class Attempts:
    """The decisions of one call across its attempts.

    After each attempt, `answered` or `failed` returns the seconds to wait before the next one, or None when
    the call is over; then `result()` returns the final response or raises the call's exception.
    """

    def __init__(
        self,
        network: str,
        operation: Operation,
        goal_code: str | None,
        max_retries: int,
        secrets: tuple[str, ...],
    ) -> None:
        self.network = network
        self.operation = operation
        self.goal_code = goal_code
        self.max_retries = max_retries
        self.secrets = secrets
        self.number = 0
        self.outcome_unknown = False
        self._response: httpx.Response | None = None
        self._error: TatumError | None = None
        self._cause: BaseException | None = None

    def answered(self, request: httpx.Request, response: httpx.Response, elapsed: float) -> float | None:
        self.number += 1
        self._log(request, str(response.status_code), elapsed)
        status = response.status_code
        if 200 <= status < 300:
            self._response = response
            return None
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        error = api_error(response, retry_after, self.secrets)
        if self.goal_code is not None and self.outcome_unknown and error.error_code == self.goal_code:
            # An earlier attempt may have done it: "already in that state" means the goal is reached.
            self._response = response
            return None
        if status in RETRYABLE_STATUSES and self.number <= self.max_retries:
            delay = retry_after if retry_after is not None else backoff_delay(self.number)
            if delay <= MAX_RETRY_AFTER:
                self.outcome_unknown |= status != 429
                return delay
        self._error = error
        return None

    def failed(self, request: httpx.Request, error: httpx.HTTPError, elapsed: float) -> float | None:
        self.number += 1
        self._log(request, type(error).__name__, elapsed)
        retryable = isinstance(error, httpx.TransportError)
        if retryable and self.number <= self.max_retries:
            self.outcome_unknown |= not isinstance(error, _NOT_SENT)
            return backoff_delay(self.number)
        kind = ApiTimeoutError if isinstance(error, httpx.TimeoutException) else ApiConnectionError
        detail = scrub(str(error) or type(error).__name__, self.secrets)
        self._error = kind(
            f"{self.operation.name}: no answer from the API after {self.number} attempt(s): {detail}"
        )
        self._cause = error
        return None

    def result(self) -> httpx.Response:
        if self._error is not None:
            raise self._error from self._cause
        assert self._response is not None, "result() before the call is over"
        return self._response

    def _log(self, request: httpx.Request, outcome: str, elapsed: float) -> None:
        if not logger.isEnabledFor(logging.DEBUG):  # skip building the record's arguments
            return
        logger.debug(
            "%s %s %s -> %s in %.3fs (attempt %d of %d, %s)",
            self.operation.name,
            request.method,
            request.url.path,
            outcome,
            elapsed,
            self.number,
            self.max_retries + 1,
            self.network,
        )


class Transport:
    """What the sync and async transports share: settings, credentials, the credit meter, building requests."""

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
        self._secrets = (api_key,) if api_key else ()
        # The Sdk's own client carries the User-Agent already; a given client gets it on each request.
        self._headers = {} if http.headers.get("User-Agent") == USER_AGENT else {"User-Agent": USER_AGENT}
        if api_key:
            self._headers["x-api-key"] = api_key
        # Without a key the network cannot be told by the key, so testnet says so in the query (as in PHP).
        self._extra_params = {"type": "testnet"} if network == "testnet" and not api_key else {}

    def _check_open(self, http: httpx.Client | httpx.AsyncClient) -> None:
        if http.is_closed:
            raise TatumError(
                "the Sdk's HTTP client is closed (after close()/aclose() or the end of its `with` block); "
                "make a new Sdk"
            )

    def _prepare(
        self,
        http: httpx.Client | httpx.AsyncClient,
        operation: Operation,
        kwargs: dict[str, Any],
        goal_code: str | None,
    ) -> tuple[httpx.Request, Attempts]:
        params = {**kwargs.get("params", {}), **self._extra_params}
        request = http.build_request(
            kwargs["method"].upper(),
            self.settings.base_url + kwargs["url"],
            params=params or None,
            json=kwargs.get("json"),
            headers={**kwargs.get("headers", {}), **self._headers},
            timeout=self.settings.timeout,
        )
        attempts = Attempts(self.network, operation, goal_code, self.settings.max_retries, self._secrets)
        return request, attempts

    def unexpected(self, reason: str, response: httpx.Response) -> TatumError:
        """UnexpectedResponseError for a success status whose body breaks the contract."""
        body = scrub(excerpt(response.content), self._secrets)
        return UnexpectedResponseError(
            reason, response.status_code, body, scrub(dict(response.headers), self._secrets)
        )


class SyncTransport(Transport):
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

    def send(
        self, operation: Operation, kwargs: dict[str, Any], goal_code: str | None = None
    ) -> httpx.Response:
        """Send an operation (generated `_get_kwargs` output) with retries; return the success response."""
        self._check_open(self.http)
        self.meter.reserve(operation.name, operation.credits, self.settings.credit_budget)
        spent = False
        try:
            request, attempts = self._prepare(self.http, operation, kwargs, goal_code)
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
            spent = True
            return response
        finally:
            self.meter.settle(operation.credits, spent)


class AsyncTransport(Transport):
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

    async def send(
        self, operation: Operation, kwargs: dict[str, Any], goal_code: str | None = None
    ) -> httpx.Response:
        """Send an operation (generated `_get_kwargs` output) with retries; return the success response."""
        self._check_open(self.http)
        self.meter.reserve(operation.name, operation.credits, self.settings.credit_budget)
        spent = False
        try:
            request, attempts = self._prepare(self.http, operation, kwargs, goal_code)
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
            spent = True
            return response
        finally:
            self.meter.settle(operation.credits, spent)
