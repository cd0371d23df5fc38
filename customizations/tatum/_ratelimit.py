"""Client-side rate limiting per API key: calls wait their turn instead of failing with 429.

One `RateLimiter` per API key and base URL (and clock) per process, shared by every Sdk, AsyncSdk and
`with_options` copy that uses the key; with `redis_url`, its window lives in Redis (`tatum._redis`) and the
whole fleet shares it.

The window is a moving one, like the API's: at most `burst` calls in any `period` seconds, where `burst` is the
rate rounded down (at least 1) and `period` is `burst / rate` seconds plus a small margin for jitter. Each call
reserves the earliest slot the window allows, in arrival order, and sleeps until then: nothing polls, and a call
that is cancelled while it waits gives its slot back. A 429 blocks the key for its `Retry-After` (every call
waiting on the key waits for it too) and, with `rate_limit="auto"`, halves the rate, which then comes back up.

No I/O here but the window's own (Redis); the pipelines do the sleeping. Decisions take the time from `clock`,
so tests drive them with a fake one.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ._config import RateLimit
from ._constants import LOGGER_NAME, RATE_LIMIT_HEADER, RATE_LIMIT_MARGIN, RATE_LIMIT_RECOVERY

logger = logging.getLogger(LOGGER_NAME)

_MIN_RATE = 0.1
"""The slowest a 429 can make the automatic rate: one call in ten seconds."""


@dataclass(frozen=True)
class Slot:
    """A reserved turn: go after `wait` seconds; `token` gives the slot back (`Window.release`).

    `epoch` says what the limiter knew when the slot was given: a 429 for a call sent before the limiter last
    learnt or changed the rate says nothing about the rate in force now.
    """

    wait: float
    token: Any = None
    epoch: int = 0


class Window(Protocol):
    """Where the calls of one key are counted: this process's memory, or Redis for a fleet."""

    blocking_io: bool
    """Whether its methods do network I/O (an async caller then runs them in a thread)."""

    def reserve(self, burst: int, period: float) -> Slot: ...

    def release(self, slot: Slot) -> None: ...

    def block(self, seconds: float) -> None: ...

    def blocked_for(self) -> float: ...

    def recent(self) -> int:
        """Calls that went in the last second."""
        ...


_UNLIMITED = 1 << 30
"""The burst of a window whose rate is not known yet: calls are only counted (and wait out a block)."""


class MemoryWindow:
    """The window of one key in this process: the times reserved, sorted, and a `Retry-After` block."""

    blocking_io = False

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._times: deque[float] = deque()
        self._blocked_until = -math.inf

    def reserve(self, burst: int, period: float) -> Slot:
        """The earliest slot at which one more call keeps at most `burst` calls in any `period` seconds."""
        with self._lock:
            now = self._clock()
            times = self._times
            while times and times[0] <= now - period:
                times.popleft()
            at = max(now, self._blocked_until)
            if len(times) >= burst:
                at = max(at, times[-burst] + period)
            if times:
                at = max(at, times[-1])  # in arrival order: never before a call that reserved earlier
            times.append(at)
            return Slot(at - now, at)

    def release(self, slot: Slot) -> None:
        """Give back a slot not used (its call was cancelled or gave up); slots at equal times are alike."""
        with self._lock, contextlib.suppress(ValueError):
            self._times.remove(slot.token)

    def block(self, seconds: float) -> None:
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    def blocked_for(self) -> float:
        return max(self._blocked_until - self._clock(), 0.0)

    def recent(self) -> int:
        with self._lock:
            now = self._clock()
            return sum(1 for at in self._times if now - 1.0 < at <= now)


class RateLimiter:
    """The rate of one API key: what the API told (`x-ratelimit-persec`), what 429s taught, and its window."""

    def __init__(self, window: Window, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.name = name
        """How logs name the key: its network, never the key itself."""
        self._clock = clock
        self._lock = threading.Lock()
        self.learnt: float | None = None
        """The rate the API states in `x-ratelimit-persec`, once seen."""
        self._auto: float | None = None
        self._slowed_at = 0.0
        self._epoch = 0

    def rate(self, setting: RateLimit) -> float | None:
        """Calls per second in force under `setting` ("auto", a number, or None: no limit)."""
        if setting is None:
            return None
        if setting != "auto":
            return float(setting)
        auto = self._auto
        if auto is None or self.learnt is None or auto >= self.learnt:
            return auto
        with self._lock:  # slowed down by a 429: come back up, a share of the API's rate every second
            if self._auto is not None and self.learnt is not None:
                now = self._clock()
                recovered = self._auto + RATE_LIMIT_RECOVERY * self.learnt * (now - self._slowed_at)
                self._auto, self._slowed_at = min(recovered, self.learnt), now
            return self._auto

    def reserve(self, setting: RateLimit) -> Slot:
        """A slot for one call under `setting` (its `wait` is 0 to go at once)."""
        epoch = self._epoch
        rate = self.rate(setting)
        if rate is None:  # not known yet: count the call (so the window holds it once the rate is learnt)
            slot = self.window.reserve(_UNLIMITED, 1.0)
        else:
            burst = max(1, math.floor(rate))
            slot = self.window.reserve(burst, burst / rate + RATE_LIMIT_MARGIN)
        return Slot(slot.wait, slot.token, epoch)

    def release(self, slot: Slot) -> None:
        """Give back a slot that will not be used."""
        if slot.token is not None:
            self.window.release(slot)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the key's rate from a response's `x-ratelimit-persec` header."""
        value = headers.get(RATE_LIMIT_HEADER)
        if value is None:
            return
        try:
            rate = float(value)
        except ValueError:
            return
        if not 0 < rate < math.inf or rate == self.learnt:
            return
        with self._lock:
            self.learnt = rate
            if self._auto is None or self._auto > rate:
                self._auto = rate
            self._epoch += 1
        logger.info(
            "the API's rate for the %s key is %g calls per second (%s)", self.name, rate, RATE_LIMIT_HEADER
        )

    def rate_limited(self, setting: RateLimit, retry_after: float | None, slot: Slot | None) -> None:
        """A 429 for a call sent in `slot`: block the key for `retry_after` (one period without it) and, in
        auto mode, slow down, unless the rate was learnt or changed since the call went (it was sent too fast
        under what the limiter knew then, not under what it knows now)."""
        current = self.rate(setting)
        block = retry_after if retry_after is not None else (1.0 / current if current else 1.0)
        self.window.block(block)
        if setting != "auto" or (slot is not None and slot.epoch != self._epoch):
            return
        recent = self.window.recent() if self._auto is None else 0
        with self._lock:
            if slot is not None and slot.epoch != self._epoch:
                return  # another 429 of the same wave slowed down first
            if self._auto is None:  # no rate known: start from what went in the last second
                self._auto = float(max(recent, 1))
            self._auto = max(self._auto / 2, _MIN_RATE)
            self._slowed_at = self._clock()
            self._epoch += 1
            slowed = self._auto
        logger.info("429 on the %s key: waiting %.3fs, then %g calls per second", self.name, block, slowed)


def key_identity(api_key: str | None, network: str) -> str:
    """Names an API key without revealing it (keyless calls: per network)."""
    if api_key is None:
        return f"anonymous-{network}"
    return hashlib.sha256(api_key.encode()).hexdigest()[:32]


_LIMITERS: dict[tuple[str, str, str, Callable[[], float]], RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def limiter_for(
    identity: str,
    network: str,
    base_url: str,
    clock: Callable[[], float],
    shared: str = "",
    window: Callable[[], Window] | None = None,
) -> RateLimiter:
    """The process's limiter for a key at a base URL (and clock); `shared` names its Redis, if any, and
    `window` makes its window the first time."""
    key = (identity, base_url, shared, clock)
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(key)
        if limiter is None:
            made = window() if window is not None else MemoryWindow(clock)
            limiter = _LIMITERS[key] = RateLimiter(made, network, clock)
        return limiter


def forget(base_url: str) -> None:
    """Drop this process's limiters for a base URL: what they learnt and their waits (tatum.testing resets a
    sandbox's between tests, as it resets the sandbox)."""
    with _LIMITERS_LOCK:
        for key in [key for key in _LIMITERS if key[1] == base_url]:
            del _LIMITERS[key]
