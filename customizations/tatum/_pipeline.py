"""The request path every call takes: options, budget, rate limit, attempts with retries, bounded reading.

A resource (`tatum.customer`) describes a call as a `Call`: the spec's operation, the request the generated
client builds for it, and the generated parser of its success body. `SyncPipeline` and `AsyncPipeline` send it
and return an `ApiResponse`; they only do the I/O (sending, reading, sleeping), while `tatum._retry.Attempts`
decides what follows each attempt, `tatum._ratelimit` when a call may go, and `tatum._response` reads the
answer. Nothing here knows which API a call belongs to.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypedDict, TypeVar

import httpx

from . import _body, _config, _deadline
from ._config import RateLimit, Settings
from ._constants import LOGGER_NAME, OWN_CLIENT_HEADERS
from ._credits import Meter
from ._ratelimit import RateLimiter, Slot
from ._response import ApiResponse
from ._retry import Attempts, Wait
from ._spec import Operation
from ._tracing import NO_SPAN, CallSpan, call_span
from .errors import RateLimitError, SharedStateError, TatumError, ValidationError

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")

logger = logging.getLogger(LOGGER_NAME)


class RequestOptions(TypedDict, total=False):
    """The keyword-only options every method takes, for that one call.

    - `timeout`: httpx's timeout for each step of an attempt (seconds or an httpx.Timeout); default the Sdk's.
    - `max_retries`: retries after the first attempt; default the Sdk's.
    - `deadline`: seconds for the whole call (attempts, retry waits, rate-limit waits); past it,
      ApiTimeoutError (RateLimitError when the rate limiter's wait would pass it); default the Sdk's.
    - `extra_headers`: headers sent with this call, after the Sdk's `default_headers` (never `x-api-key`, nor
      `Host`, `Content-Length`, `Transfer-Encoding`, `Connection`).
    - `extra_query`: query parameters sent with this call (never one the method sets from its arguments).
    """

    timeout: float | httpx.Timeout
    max_retries: int
    deadline: float | None
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, str]


_OPTIONS = frozenset(RequestOptions.__annotations__)


class Call(NamedTuple, Generic[T]):
    """One call of a spec operation, ready to send (a NamedTuple: made on every call, and cheap to make)."""

    operation: Operation
    request: dict[str, Any]
    """The generated `build_request(...)`: method, url, and params, json and headers as needed."""
    parse: Callable[[httpx.Response], T]
    """The generated `parse_success`: the success body as the spec's model."""
    what: str
    """What the success body is, for error messages ("a customer")."""
    max_items: int | None = None
    """For a list: the most items the answer may hold (the page size asked for)."""


@dataclass
class _Plan(Generic[T]):
    """One call being sent: its request, options and attempts."""

    call: Call[T]
    request: httpx.Request
    timeout: httpx.Timeout
    attempts: Attempts
    started: float
    span: CallSpan
    truncated: bool = False
    """Whether the last answer's body was cut at max_response_bytes."""
    slot: Slot | None = None
    """The rate limiter's slot of the last attempt."""


class Pipeline:
    """What the sync and async pipelines share: settings, credentials, meter, limiter, building requests."""

    def __init__(
        self,
        http: Any,
        settings: Settings,
        network: str,
        api_key: str | None,
        meter: Meter,
        limiter: RateLimiter,
        clock: Callable[[], float],
        sleep: Any,
    ) -> None:
        """`http` an httpx.Client and `sleep` a function (SyncPipeline), or an httpx.AsyncClient and a coroutine
        function (AsyncPipeline); the Sdk checked both."""
        self.http = http
        self.sleep = sleep
        self.settings = settings
        self.network = network
        self.meter = meter
        self.limiter = limiter
        self.clock = clock
        self._secrets = (api_key,) if api_key else ()
        # The Sdk's own client carries both already (OWN_CLIENT_HEADERS); a given client gets them on each
        # request unless it has them (httpx's default Accept-Encoding also names br and zstd when installed).
        self._headers = dict(settings.default_headers)
        for name, value in OWN_CLIENT_HEADERS.items():
            if http.headers.get(name) != value:
                self._headers[name] = value
        if api_key:
            self._headers["x-api-key"] = api_key
        self._header_cache: tuple[list[tuple[bytes, bytes]], dict[tuple[tuple[str, str], ...], httpx.Headers]]
        self._header_cache = ([], {})
        # Without a key the network cannot be told by the key, so testnet says so in the query (as in PHP).
        self._extra_params = {"type": "testnet"} if network == "testnet" and not api_key else {}

    @property
    def rate_limit(self) -> float | None:
        """Calls per second in force now on this network's key, or None (no limit known, or limiting off)."""
        return self.limiter.rate(self.settings.rate_limit)

    def _plan(self, call: Call[T], options: Mapping[str, Any]) -> _Plan[T]:
        """Check the options and the client, and build the call's request; nothing is sent yet."""
        settings = self.settings
        timeout, max_retries, deadline = settings.timeout, settings.max_retries, settings.deadline
        params = call.request.get("params")
        extra_headers: Mapping[str, str] = {}
        if options:
            unknown = sorted(set(options) - _OPTIONS)
            if unknown:
                raise ValidationError(
                    unknown[0], f"is not an option; the options are {', '.join(sorted(_OPTIONS))}"
                )
            if "timeout" in options:
                timeout = _config.timeout(options["timeout"])
            if "max_retries" in options:
                max_retries = _config.max_retries(options["max_retries"])
            if "deadline" in options:
                deadline = _config.deadline(options["deadline"])
            extra_headers = _config.headers("extra_headers", options.get("extra_headers"))
            taken = frozenset({*call.operation.parameters, *self._extra_params})
            extra_query = _config.query("extra_query", options.get("extra_query"), taken)
            params = {**(params or {}), **extra_query}
        if self.http.is_closed:
            raise TatumError(
                "the Sdk's HTTP client is closed (after close()/aclose() or the end of its `with` block); "
                "make a new Sdk"
            )
        if self._extra_params:
            params = {**(params or {}), **self._extra_params}
        try:
            request = self._request(call, params, extra_headers, timeout)
        except httpx.InvalidURL as error:  # a URL past httpx's length limits: base_url and extra_query
            raise ValidationError(
                "extra_query" if options.get("extra_query") else "base_url", str(error)
            ) from None
        now = self.clock()
        attempts = Attempts(
            self.network,
            call.operation,
            max_retries,
            self._secrets,
            settings.backoff,
            None if deadline is None else now + deadline,
            self.clock,
            rate_limiter_on=settings.rate_limit is not None,
        )
        return _Plan(call, request, timeout, attempts, now, call_span(call.operation, self.network))

    def _request(
        self,
        call: Call[Any],
        params: Mapping[str, Any] | None,
        extra_headers: Mapping[str, str],
        timeout: httpx.Timeout,
    ) -> httpx.Request:
        """The call's httpx.Request, as the client's `build_request` would make it (the client's headers, cookies
        and query parameters under the SDK's), without merging the same headers anew on every call: the client's
        and the SDK's are merged once for each operation's own headers, and again when the client's change.
        (A subclass of httpx.Client given as `http_client` is sent requests, but its `build_request` is not
        called.)"""
        http, request = self.http, call.request
        own_headers = request.get("headers")
        if extra_headers:  # merged as build_request merges them: one update, this call's headers last
            headers = httpx.Headers(http.headers)
            headers.update({**(own_headers or {}), **self._headers, **extra_headers})
        else:
            headers = self._merged_headers(own_headers)
        if http.params:
            params = http.params.merge(params)
        return httpx.Request(
            request["method"].upper(),
            self.settings.base_url + request["url"],
            params=params or None,
            json=request.get("json"),
            headers=headers,
            cookies=http.cookies or None,
            extensions={"timeout": timeout.as_dict()},
        )

    def _merged_headers(self, own_headers: Mapping[str, str] | None) -> httpx.Headers:
        """The client's headers with the SDK's and an operation's own (its Content-Type) over them, as
        `build_request` would merge them; kept per operation's headers until the client's headers change."""
        raw = self.http.headers.raw
        snapshot, merged_by_own = self._header_cache
        if raw != snapshot:
            snapshot, merged_by_own = self._header_cache = (raw, {})
        key = tuple(own_headers.items()) if own_headers else ()
        merged = merged_by_own.get(key)
        if merged is None:
            merged = httpx.Headers(snapshot)
            merged.update({**own_headers, **self._headers} if own_headers else self._headers)
            merged_by_own[key] = merged
        return merged

    def _attempt_timeout(self, plan: _Plan[Any]) -> float | None:
        """Cap each step of the next attempt at the time left before the deadline; that time, or None."""
        left = plan.attempts.remaining()
        if left is not None:
            capped = {
                step: left if limit is None else min(limit, left)
                for step, limit in plan.timeout.as_dict().items()
            }
            plan.request.extensions["timeout"] = capped
        return left

    def _log_wait(self, plan: _Plan[Any], slot: Slot) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            rate = self.rate_limit
            why = f"{rate:g} calls per second" if rate is not None else "a Retry-After"
            logger.debug(
                "%s waits %.3fs for the %s key's rate limit (%s)",
                plan.call.operation.name,
                slot.wait,
                self.network,
                why,
            )

    def _too_long(self, plan: _Plan[Any], slot: Slot) -> RateLimitError | None:
        """RateLimitError if the rate limiter's wait would pass the call's deadline or MAX_RETRY_AFTER's block."""
        left = plan.attempts.remaining()
        if left is not None and slot.wait >= left:
            return _limiter_error(plan, slot.wait, "it would pass the call's deadline")
        return None

    def _answered(
        self, plan: _Plan[T], response: httpx.Response, truncated: bool, started: float
    ) -> Wait | None:
        """What follows an attempt the API answered (`started` when the attempt began)."""
        plan.truncated = truncated
        return plan.attempts.answered(plan.request, response, self.clock() - started, truncated)

    def _after_answer(
        self, setting: RateLimit, plan: _Plan[Any], response: httpx.Response, wait: Wait | None
    ) -> None:
        """The rate limiter (on, under `setting`) learns from an answer: its stated rate, and a 429's block.
        Run through `_after_the_call`, as Redis work after a call was sent must be."""
        self.limiter.observe(response.headers)
        if wait is not None and wait.rate_limited:
            self.limiter.rate_limited(setting, wait.retry_after, plan.slot)

    def _result(self, plan: _Plan[T]) -> ApiResponse[T]:
        """The call's ApiResponse once its attempts are over, or its exception."""
        attempts = plan.attempts
        try:
            response = attempts.result()
        except BaseException as error:
            status = getattr(error, "status_code", None)
            plan.span.answered(status, attempts.number, getattr(error, "request_id", None), 0)
            raise
        result = ApiResponse(
            plan.call,
            response,
            attempts=attempts.number,
            elapsed=self.clock() - plan.started,
            truncated=plan.truncated and 200 <= response.status_code < 300,
            secrets=self._secrets,
        )
        if plan.span is not NO_SPAN:
            plan.span.answered(result.status_code, result.attempts, result.request_id, result.credits)
        return result

    def _ttl(self, plan: _Plan[Any]) -> float | None:
        """How long a shared (Redis) credit reservation is held: the call's deadline and a minute."""
        left = plan.attempts.remaining() if self.meter.blocking_io else None
        return None if left is None else left + 60.0


def _after_the_call(work: Callable[..., object], *args: Any) -> None:
    """Bookkeeping once a call was sent (its credits, its place in the window). A Redis gone meanwhile must not
    turn what the API did into an error that says nothing was done: it is logged (the next call raises it)."""
    try:
        work(*args)
    except SharedStateError as error:
        logger.warning("after %s: %s", getattr(work, "__qualname__", work), error)


def _limiter_error(plan: _Plan[Any], wait: float, why: str) -> RateLimitError:
    message = f"{plan.call.operation.name}: the rate limiter asks for a wait of {wait:.3f}s and {why}; nothing was sent"
    return RateLimitError(429, None, message, retry_after=wait)


class SyncPipeline(Pipeline):
    """Sends calls with an httpx.Client, sleeping with `sleep` (waits for the rate limiter and retries)."""

    http: httpx.Client
    sleep: Callable[[float], None]

    def send(self, call: Call[T], options: Mapping[str, Any]) -> ApiResponse[T]:
        """Send a call with retries under the rate limit; its ApiResponse, or its typed error."""
        plan = self._plan(call, options)
        operation = call.operation
        with plan.span:
            reservation = self.meter.reserve(
                operation.name, operation.credits, self.settings.credit_budget, self._ttl(plan)
            )
            spent = False
            try:
                while True:
                    self._wait_turn(plan)
                    wait = self._attempt(plan)
                    if wait is None:
                        break
                    plan.span.retry(wait.seconds, wait.reason)
                    if not wait.rate_limited:  # after a 429 the limiter's line does the waiting
                        self.sleep(wait.seconds)
                result = self._result(plan)
                spent = True
            finally:
                _after_the_call(self.meter.settle, reservation, operation.credits, spent)
            return result

    def _wait_turn(self, plan: _Plan[Any]) -> None:
        """Wait for the rate limiter's slot, confirming it when it comes (giving it back if interrupted);
        RateLimitError if the wait would pass the deadline."""
        setting = self.settings.rate_limit
        if setting is None:
            return
        limiter = self.limiter
        slot = plan.slot = limiter.reserve(setting)
        while slot.wait > 0:
            error = self._too_long(plan, slot)
            if error is not None:
                limiter.release(slot)
                raise error
            self._log_wait(plan, slot)
            try:
                self.sleep(slot.wait)
                slot = plan.slot = limiter.confirm(slot, setting)
            except BaseException:
                limiter.release(slot)
                raise

    def _attempt(self, plan: _Plan[T]) -> Wait | None:
        left = self._attempt_timeout(plan)
        cap, deadline_at = self.settings.max_response_bytes, plan.attempts.deadline_at
        started = self.clock()
        try:
            if left is None:  # the common path: no context variable to set and reset
                response = self.http.send(plan.request, stream=True, follow_redirects=False)
                truncated = _body.read(response, cap, deadline_at, self.clock)
            else:
                with _deadline.until(left):
                    response = self.http.send(plan.request, stream=True, follow_redirects=False)
                    truncated = _body.read(response, cap, deadline_at, self.clock)
        except httpx.HTTPError as error:
            self._went(plan)
            return plan.attempts.failed(plan.request, error, self.clock() - started)
        self._went(plan)
        wait = self._answered(plan, response, truncated, started)
        setting = self.settings.rate_limit
        if setting is not None:
            _after_the_call(self._after_answer, setting, plan, response, wait)
        return wait

    def _went(self, plan: _Plan[Any]) -> None:
        if plan.slot is not None and plan.slot.token is not None:  # a slot without a token counts nothing
            _after_the_call(self.limiter.went, plan.slot)


class AsyncPipeline(Pipeline):
    """Sends calls with an httpx.AsyncClient, sleeping with the coroutine `sleep`."""

    http: httpx.AsyncClient
    sleep: Callable[[float], Awaitable[None]]
    _loop: asyncio.AbstractEventLoop | None = None

    async def send(self, call: Call[T], options: Mapping[str, Any]) -> ApiResponse[T]:
        """Send a call with retries under the rate limit; its ApiResponse, or its typed error."""
        self._check_loop()
        plan = self._plan(call, options)
        operation = call.operation
        with plan.span:
            reservation = await self._io(
                self.meter.blocking_io,
                self.meter.reserve,
                operation.name,
                operation.credits,
                self.settings.credit_budget,
                self._ttl(plan),
            )
            spent = False
            try:
                while True:
                    await self._wait_turn(plan)
                    wait = await self._attempt(plan)
                    if wait is None:
                        break
                    plan.span.retry(wait.seconds, wait.reason)
                    if not wait.rate_limited:
                        await self.sleep(wait.seconds)
                result = self._result(plan)
                spent = True
            finally:
                await self._io(
                    self.meter.blocking_io,
                    _after_the_call,
                    self.meter.settle,
                    reservation,
                    operation.credits,
                    spent,
                )
            return result

    def _check_loop(self) -> None:
        """An AsyncSdk belongs to the event loop of its first call, as its httpx.AsyncClient does."""
        import asyncio  # here, not at the top: sync users need not pay for importing asyncio

        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise TatumError(
                "this AsyncSdk was first used on another event loop, and its connections belong to that loop; "
                "make one AsyncSdk per event loop (per asyncio.run())"
            )

    async def _io(self, blocking: bool, work: Callable[..., T], *args: Any) -> T:
        """Run a limiter or meter step: in a thread when it does network I/O (Redis), else inline."""
        if blocking:
            import asyncio

            return await asyncio.to_thread(work, *args)
        return work(*args)

    async def _wait_turn(self, plan: _Plan[Any]) -> None:
        setting = self.settings.rate_limit
        if setting is None:
            return
        limiter = self.limiter
        blocking = limiter.window.blocking_io
        slot = plan.slot = await self._io(blocking, limiter.reserve, setting)
        while slot.wait > 0:
            error = self._too_long(plan, slot)
            if error is not None:
                await self._io(blocking, limiter.release, slot)
                raise error
            self._log_wait(plan, slot)
            try:
                await self.sleep(slot.wait)
                slot = plan.slot = await self._io(blocking, limiter.confirm, slot, setting)
            except BaseException:
                import asyncio

                await asyncio.shield(self._io(blocking, limiter.release, slot))
                raise

    async def _attempt(self, plan: _Plan[T]) -> Wait | None:
        import asyncio

        left = self._attempt_timeout(plan)
        cap, deadline_at = self.settings.max_response_bytes, plan.attempts.deadline_at
        started = self.clock()
        try:
            async with asyncio.timeout(left):
                response = await self.http.send(plan.request, stream=True, follow_redirects=False)
                truncated = await _body.aread(response, cap, deadline_at, self.clock)
        except (httpx.HTTPError, TimeoutError) as error:
            await self._went(plan)
            if isinstance(error, TimeoutError):
                error = httpx.ReadTimeout(
                    "the call's deadline passed during the attempt", request=plan.request
                )
            return plan.attempts.failed(plan.request, error, self.clock() - started)
        except RuntimeError as error:  # httpx/anyio on a closed or foreign event loop
            raise TatumError(
                f"{plan.call.operation.name}: the HTTP client cannot be used here ({error}); "
                "make one AsyncSdk per event loop"
            ) from error
        await self._went(plan)
        wait = self._answered(plan, response, truncated, started)
        setting = self.settings.rate_limit
        if setting is not None:  # (no thread for Redis work there is none of)
            blocking = self.limiter.window.blocking_io
            await self._io(blocking, _after_the_call, self._after_answer, setting, plan, response, wait)
        return wait

    async def _went(self, plan: _Plan[Any]) -> None:
        if plan.slot is not None and plan.slot.token is not None:  # a slot without a token counts nothing
            await self._io(self.limiter.window.blocking_io, _after_the_call, self.limiter.went, plan.slot)
