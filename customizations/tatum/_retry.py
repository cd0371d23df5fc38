"""The retry policy: every decision about one call across its attempts, shared by the sync and async pipelines.

Whether to retry, how long to wait, which exception ends the call, whether an "already in that state" answer
means success. No I/O here: `tatum._pipeline` sends the attempts and sleeps the delays this module decides.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from ._constants import (
    INITIAL_RETRY_DELAY,
    LOGGER_NAME,
    MAX_RATE_LIMITED,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    RETRY_JITTER,
    RETRYABLE_STATUSES,
)
from ._headers import header
from ._response import api_error
from ._secrets import scrub
from ._spec import Operation
from ._validation import is_real
from .errors import ApiConnectionError, ApiError, ApiTimeoutError, TatumError, ValidationError

logger = logging.getLogger(LOGGER_NAME)

_MAX_BACKOFF = 86_400.0
"""The longest backoff delay that can be set: a day."""

# Failures after which the request certainly did not reach the API: a retry then is a first try.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class Backoff:
    """How long to wait before each retry: `initial` seconds, doubling, capped at `maximum`, each wait shortened
    by a random fraction up to `jitter` (0..1) so that clients do not retry in lockstep."""

    initial: float = INITIAL_RETRY_DELAY
    maximum: float = MAX_RETRY_DELAY
    jitter: float = RETRY_JITTER

    def __post_init__(self) -> None:
        for name in ("initial", "maximum", "jitter"):
            value = getattr(self, name)
            if not is_real(value) or not 0 <= value <= _MAX_BACKOFF:
                raise ValidationError(
                    f"backoff.{name}",
                    f"must be a number of seconds from 0 to {_MAX_BACKOFF:g}, not {value!r}",
                )
        if self.jitter > 1:
            raise ValidationError("backoff.jitter", f"must be from 0 to 1, not {self.jitter!r}")

    def delay(self, retry_number: int, rand: float | None = None) -> float:
        """Seconds before retry number `retry_number` (1 for the first)."""
        base = min(self.initial * 2.0 ** min(retry_number - 1, 64), self.maximum)
        return base * (1 - self.jitter * (random.random() if rand is None else rand))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A `Retry-After` header in seconds: either delay-seconds or an HTTP-date; None if absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - (now or datetime.now(UTC))).total_seconds()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN or infinite: unreadable
        return None
    return max(seconds, 0.0)


@dataclass(frozen=True)
class Wait:
    """What comes before the next attempt: `seconds` to wait and the `reason`, for the log.

    `rate_limited`: a 429 while the rate limiter is on; the limiter does the waiting (for every call of the key)
    and the call goes back in its line, without using up a retry. `retry_after`: the 429's Retry-After in
    seconds, None when it had none (the limiter then estimates the block itself).
    """

    seconds: float
    reason: str
    rate_limited: bool = False
    retry_after: float | None = None


def _noted(error: ApiError, why: str) -> ApiError:
    """`error`, its message saying why it was not retried."""
    error.args = (f"{error.args[0]} (not retried: {why})", *error.args[1:])
    return error


class Attempts:
    """The decisions of one call across its attempts.

    After each attempt, `answered` or `failed` returns the Wait before the next one, or None when the call is
    over; then `result()` returns the final response or raises the call's exception. `deadline_at` (on
    `clock`) bounds the whole call: a wait that would pass it ends the call instead.
    """

    def __init__(
        self,
        network: str,
        operation: Operation,
        max_retries: int,
        secrets: tuple[str, ...],
        backoff: Backoff,
        deadline_at: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        rate_limiter_on: bool = False,
    ) -> None:
        self.network = network
        self.operation = operation
        self.max_retries = max_retries
        self.secrets = secrets
        self.backoff = backoff
        self.deadline_at = deadline_at
        self.clock = clock
        self.rate_limiter_on = rate_limiter_on
        self.number = 0
        """Attempts sent so far."""
        self.retries = 0
        """Retries used so far (a 429 put back in the limiter's line uses none)."""
        self.rate_limited = 0
        self.outcome_unknown = False
        self._response: httpx.Response | None = None
        self._error: TatumError | None = None
        self._cause: BaseException | None = None

    def answered(
        self, request: httpx.Request, response: httpx.Response, elapsed: float, cut: bool = False
    ) -> Wait | None:
        """After an answer (`cut`: its body was cut at max_response_bytes)."""
        self.number += 1
        attempt = self.retries + 1
        status = response.status_code
        if 200 <= status < 300:
            self._log(request, attempt, str(status), elapsed, None)
            self._response = response
            return None
        retry_after = retry_after_seconds(header(response.headers, "Retry-After"))
        error = api_error(response, retry_after, self.secrets, cut)
        goal = self.operation.already_in_state
        if status == 403 and goal is not None and self.outcome_unknown and error.error_code == goal:
            # An earlier attempt may have done it: Tatum's "already in that state" means the goal is reached.
            self._log(request, attempt, f"{status} {goal}, the goal of an earlier attempt", elapsed, None)
            self._response = response
            return None
        wait = self._wait_after_status(status, retry_after, error)
        self._log(request, attempt, str(status), elapsed, wait)
        return wait

    def _wait_after_status(self, status: int, retry_after: float | None, error: ApiError) -> Wait | None:
        if retry_after is not None and retry_after > MAX_RETRY_AFTER and status in RETRYABLE_STATUSES:
            return self._end(
                _noted(
                    error, f"Retry-After {retry_after:g}s is longer than MAX_RETRY_AFTER {MAX_RETRY_AFTER:g}s"
                )
            )
        if status == 429 and self.rate_limiter_on:
            self.rate_limited += 1
            if self.rate_limited > MAX_RATE_LIMITED:
                return self._end(_noted(error, f"{MAX_RATE_LIMITED} answers of 429 in this call"))
            if self._passes_deadline(retry_after or 0.0):
                return self._end(_noted(error, "waiting out its Retry-After would pass the call's deadline"))
            reason = f"HTTP 429, Retry-After {retry_after:g}s" if retry_after is not None else "HTTP 429"
            return Wait(retry_after or 0.0, reason, rate_limited=True, retry_after=retry_after)
        if status not in RETRYABLE_STATUSES or self.retries >= self.max_retries:
            return self._end(error)
        delay = retry_after if retry_after is not None else self.backoff.delay(self.retries + 1)
        if self._passes_deadline(delay):
            return self._end(self._deadline_error(f"HTTP {status}"), cause=error)
        self.retries += 1
        self.outcome_unknown |= status != 429
        source = "Retry-After" if retry_after is not None else "backoff"
        return Wait(delay, f"HTTP {status} ({source})")

    def failed(self, request: httpx.Request, error: httpx.HTTPError, elapsed: float) -> Wait | None:
        self.number += 1
        attempt = self.retries + 1
        outcome = type(error).__name__
        if isinstance(error, httpx.TransportError) and self.retries < self.max_retries:
            delay = self.backoff.delay(self.retries + 1)
            if not self._passes_deadline(0.0) and not self._passes_deadline(delay):
                self.retries += 1
                self.outcome_unknown |= not isinstance(error, _NOT_SENT)
                wait = Wait(delay, outcome)
                self._log(request, attempt, outcome, elapsed, wait)
                return wait
        self._log(request, attempt, outcome, elapsed, None)
        detail = scrub(str(error) or outcome, self.secrets)
        if self._passes_deadline(0.0):
            return self._end(self._deadline_error(detail), cause=error)
        kind = ApiTimeoutError if isinstance(error, httpx.TimeoutException) else ApiConnectionError
        return self._end(
            kind(f"{self.operation.name}: no answer from the API after {self.number} attempt(s): {detail}"),
            cause=error,
        )

    def result(self) -> httpx.Response:
        if self._error is not None:
            raise self._error from self._cause
        assert self._response is not None, "result() before the call is over"
        return self._response

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never below 0), or None without one."""
        return None if self.deadline_at is None else max(self.deadline_at - self.clock(), 0.0)

    def _passes_deadline(self, wait: float) -> bool:
        return self.deadline_at is not None and self.clock() + wait >= self.deadline_at

    def _deadline_error(self, last: str) -> ApiTimeoutError:
        return ApiTimeoutError(
            f"{self.operation.name}: the call's deadline passed after {self.number} attempt(s) (last: {last})"
        )

    def _end(self, error: TatumError, cause: BaseException | None = None) -> Wait | None:
        """End the call with `error`: no wait follows."""
        self._error = error
        self._cause = cause
        return None

    def _log(
        self, request: httpx.Request, attempt: int, outcome: str, elapsed: float, wait: Wait | None
    ) -> None:
        """One record per attempt: DEBUG, or INFO when a wait follows (it says how long and why)."""
        level = logging.DEBUG if wait is None else logging.INFO
        if not logger.isEnabledFor(level):  # skip building the record's arguments
            return
        then = ""
        if wait is not None:
            what = "back in the rate limiter's line" if wait.rate_limited else "retrying"
            then = f"; {what} in {wait.seconds:.3f}s: {wait.reason}"
        logger.log(
            level,
            "%s %s %s -> %s in %.3fs (attempt %d of %d, %s)%s",
            self.operation.name,
            request.method,
            request.url.path,
            outcome,
            elapsed,
            attempt,
            self.max_retries + 1,
            self.network,
            then,
        )
