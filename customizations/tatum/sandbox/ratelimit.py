"""`--rate-limit N` and `PUT /_sandbox/rate-limit`: at most N calls in any one-second window per ledger.

A ledger's limit is the one set for it at run time (its override), else `--rate-limit`, else none. A call past
it is refused, with the seconds to send in `Retry-After`: the override's value when it set one (fractional
seconds allowed, for fast tests), else the whole seconds until the oldest call of the window leaves it.
Windows and overrides are kept for at most `max_ledgers` ledgers (the least recently used are forgotten).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import LRUCache

from .._validation import is_int, is_real
from .contract import json_object, seconds_text
from .limits import MAX_PER_SECOND

MAX_RETRY_AFTER = 3600.0


@dataclass(frozen=True)
class Override:
    """A ledger's limit set at run time: `per_second` None means no limit."""

    per_second: int | None
    retry_after: float | None = None


class RateLimiter:
    """Sliding one-second windows of admitted calls, one per ledger."""

    def __init__(
        self, per_second: int | None, max_ledgers: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = per_second
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: LRUCache[str, deque[float]] = LRUCache(max_ledgers)
        self._overrides: LRUCache[str, Override] = LRUCache(max_ledgers)

    @property
    def active(self) -> bool:
        """Whether any ledger has a limit."""
        return self.per_second is not None or bool(self._overrides)

    def limit(self, ledger: str) -> int | None:
        """The calls per second the ledger may make; None: no limit."""
        with self._lock:
            override = self._overrides.get(ledger)
        return self.per_second if override is None else override.per_second

    def admit(self, ledger: str) -> str | None:
        """None when the call is admitted (and counted); else the `Retry-After` value to refuse it with."""
        now = self._clock()
        with self._lock:
            override = self._overrides.get(ledger)
            limit = self.per_second if override is None else override.per_second
            if limit is None:
                return None
            calls = self._calls.get(ledger)
            if calls is None:
                calls = self._calls[ledger] = deque()
            while calls and calls[0] <= now - 1.0:
                calls.popleft()
            if len(calls) < limit:
                calls.append(now)
                return None
            if override is not None and override.retry_after is not None:
                return seconds_text(override.retry_after)
            return str(max(1, math.ceil(calls[len(calls) - limit] + 1.0 - now)))

    def set(self, ledger: str, override: Override) -> None:
        """Give a ledger its own limit (and Retry-After), whatever `--rate-limit` says."""
        with self._lock:
            self._overrides[ledger] = override
            self._calls.pop(ledger, None)

    def clear(self, ledger: str | None = None) -> None:
        """Forget a ledger's window and override (every ledger's when None)."""
        with self._lock:
            if ledger is None:
                self._calls.clear()
                self._overrides.clear()
            else:
                self._calls.pop(ledger, None)
                self._overrides.pop(ledger, None)


def override_from_json(data: object) -> Override:
    """An override from the JSON of `PUT /_sandbox/rate-limit`; ValueError if invalid.

    Fields: `perSecond` (an integer 1..MAX_PER_SECOND, or null for no limit; required) and `retryAfter`
    (seconds to send in `Retry-After` on its 429s, a number above 0 up to 3600, fractions allowed; default:
    the whole seconds until a call leaves the window).
    """
    data = json_object(data, {"perSecond", "retryAfter"}, "a rate limit")
    if "perSecond" not in data:
        raise ValueError("perSecond is required (an integer, or null for no limit)")
    per_second = data["perSecond"]
    if per_second is not None and (not is_int(per_second) or not 1 <= per_second <= MAX_PER_SECOND):
        raise ValueError(f"perSecond must be an integer from 1 to {MAX_PER_SECOND}, or null for no limit")
    retry_after = data.get("retryAfter")
    if retry_after is not None and (not is_real(retry_after) or not 0 < retry_after <= MAX_RETRY_AFTER):
        raise ValueError(f"retryAfter must be a number of seconds above 0, at most {MAX_RETRY_AFTER:g}")
    return Override(per_second, None if retry_after is None else float(retry_after))
