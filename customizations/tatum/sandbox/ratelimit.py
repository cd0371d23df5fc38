"""`--rate-limit N`: at most N calls per second per ledger (API key), like Tatum's plans."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class RateLimiter:
    """A sliding one-second window of calls per ledger."""

    def __init__(self, per_second: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: defaultdict[str, deque[float]] = defaultdict(deque)

    def wait(self, ledger: str) -> int:
        """0 and the call is counted, or the whole seconds to wait before the ledger may call again."""
        now = self._clock()
        with self._lock:
            calls = self._calls[ledger]
            while calls and calls[0] <= now - 1.0:
                calls.popleft()
            if len(calls) < self.per_second:
                calls.append(now)
                return 0
            return max(1, math.ceil(calls[0] + 1.0 - now))

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
