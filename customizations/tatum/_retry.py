"""The retry policy: every decision about one call across its attempts, shared by the sync and async pipelines.

Whether to retry, how long to wait, which exception ends the call, whether an "already in that state" answer
means success. No I/O here: `tatum._pipeline` sends the attempts and sleeps the delays this module decides.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from ._constants import (
    INITIAL_RETRY_DELAY,
    LOGGER_NAME,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    RETRY_JITTER,
    RETRYABLE_STATUSES,
)
from ._response import api_error
from ._secrets import scrub
from ._spec import Operation
from .errors import ApiConnectionError, ApiTimeoutError, TatumError

logger = logging.getLogger(LOGGER_NAME)

# Failures after which the request certainly did not reach the API: a retry then is a first try.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def backoff_delay(retry_number: int, rand: float | None = None) -> float:
    """Seconds before retry number `retry_number` (1 for the first): 0.5 s doubling, capped, with jitter."""
    base = min(INITIAL_RETRY_DELAY * 2.0 ** (retry_number - 1), MAX_RETRY_DELAY)
    return base * (1 - RETRY_JITTER * (random.random() if rand is None else rand))


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
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN or infinite: unreadable
        return None
    return max(seconds, 0.0)


class Attempts:
    """The decisions of one call across its attempts.

    After each attempt, `answered` or `failed` returns the seconds to wait before the next one, or None when
    the call is over; then `result()` returns the final response or raises the call's exception.
    """

    def __init__(
        self,
        network: str,
        operation: Operation,
        max_retries: int,
        secrets: tuple[str, ...],
    ) -> None:
        self.network = network
        self.operation = operation
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
        goal = self.operation.already_in_state
        if goal is not None and self.outcome_unknown and error.error_code == goal:
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
