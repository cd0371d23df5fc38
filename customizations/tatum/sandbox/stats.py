"""Each ledger's counters, for `GET /_sandbox/stats`: calls received on `/v3/`, calls refused by the rate
limit, and the most calls received in any one-second window (so a test can prove a client never went past
a limit). Counters are kept for at most `max_ledgers` ledgers (the least recently used are forgotten); a
ledger's window holds the arrival times of its last second of calls, at most `MAX_WINDOW` of them."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from cachetools import LRUCache

MAX_WINDOW = 100_000


@dataclass
class _Counters:
    requests: int = 0
    rate_limited: int = 0
    peak_per_second: int = 0
    window: deque[float] = field(default_factory=lambda: deque(maxlen=MAX_WINDOW))


class Stats:
    """The counters of every ledger."""

    def __init__(self, max_ledgers: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._ledgers: LRUCache[str, _Counters] = LRUCache(max_ledgers)

    def _counters(self, ledger: str) -> _Counters:
        counters = self._ledgers.get(ledger)
        if counters is None:
            counters = self._ledgers[ledger] = _Counters()
        return counters

    def received(self, ledger: str) -> None:
        """Count a call to `/v3/`."""
        now = self._clock()
        with self._lock:
            counters = self._counters(ledger)
            counters.requests += 1
            window = counters.window
            window.append(now)
            while window[0] <= now - 1.0:
                window.popleft()
            counters.peak_per_second = max(counters.peak_per_second, len(window))

    def rate_limited(self, ledger: str) -> None:
        """Count a call refused by the rate limit."""
        with self._lock:
            self._counters(ledger).rate_limited += 1

    def of(self, ledger: str) -> dict[str, int]:
        """The ledger's counters, as `GET /_sandbox/stats` answers them."""
        with self._lock:
            counters = self._ledgers.get(ledger) or _Counters()
            return {
                "requests": counters.requests,
                "rateLimited": counters.rate_limited,
                "peakPerSecond": counters.peak_per_second,
            }

    def clear(self, ledger: str | None = None) -> None:
        """Forget a ledger's counters (every ledger's when None)."""
        with self._lock:
            if ledger is None:
                self._ledgers.clear()
            else:
                self._ledgers.pop(ledger, None)
