"""Client-side rate limiting per API key: calls wait their turn instead of failing with 429.

One `RateLimiter` per API key and base URL (and clock) per process, shared by every Sdk, AsyncSdk and
`with_options` copy that uses the key; with `redis_url`, its window lives in Redis (`tatum._redis`) and the
whole fleet shares it.

The window is a moving one, like the API's: at most `burst` calls in any `period` seconds, where `burst` is the
rate rounded down (at least 1) and `period` is `burst / rate` seconds plus a small margin (RATE_LIMIT_MARGIN).
Each call reserves the earliest slot the window allows, in arrival order, and sleeps until then; when it wakes it
confirms the slot against the window as it is then (a 429 may have blocked the key meanwhile), and once answered
it counts from the moment its answer came: the API counted it at some time before that, never after, so calls on
a slow connection (a first call, a new TLS handshake) cannot let a later one in too early. Nothing polls, and a
call that is cancelled while it waits gives its slot back. A 429 blocks the key for its `Retry-After` (every call
waiting on the key waits for it too) and, with `rate_limit="auto"`, halves the rate, which then comes back up.

No I/O here but the window's own (Redis); the pipelines do the sleeping. Decisions take the time from `clock`,
so tests drive them with a fake one.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol

from ._config import RateLimit
from ._constants import LOGGER_NAME, RATE_LIMIT_HEADER, RATE_LIMIT_MARGIN, RATE_LIMIT_RECOVERY
from ._headers import header

logger = logging.getLogger(LOGGER_NAME)

_MIN_RATE = 0.1
"""The slowest the automatic rate goes (after 429s, or as a header states it): one call in ten seconds."""
_MAX_RATE = 1e6
"""The fastest rate a header can state (a larger one is taken as this)."""
_PROBE_HOLD = 2.0
"""With "auto" and no rate known yet, the first call goes alone and the others wait for its answer (which
states the rate) at most this long."""
_PROBE_POLL = 0.02
"""How often a call held for that answer looks again (it comes within a round trip)."""
_SHARED_RATE_CHECK = 1.0
"""How often a limiter that shares its window (Redis) looks for a rate another process learnt."""


class Slot(NamedTuple):
    """A reserved turn: go after `wait` seconds; `token` gives the slot back (`Window.release`).

    `epoch` says what the limiter knew when the slot was given: a 429 for a call sent before the limiter last
    learnt or changed the rate says nothing about the rate in force now.
    """

    wait: float
    token: Any = None
    epoch: int = 0
    counted: bool = False
    """Counted already in the per-second count of "auto" with no rate (so waiting out a block and taking the
    slot again does not count the call twice)."""


class Window(Protocol):
    """Where the calls of one key are counted: this process's memory, or Redis for a fleet."""

    blocking_io: bool
    """Whether its methods do network I/O (an async caller then runs them in a thread)."""

    def reserve(self, burst: int, period: float) -> Slot: ...

    def confirm(self, slot: Slot, burst: int, period: float) -> Slot:
        """At the time of a reserved slot: the slot itself (wait 0) if the call may go now, else a later one."""
        ...

    def went(self, slot: Slot) -> None:
        """The call of `slot` was answered (or failed): count it from now on."""
        ...

    def release(self, slot: Slot) -> None: ...

    def block(self, seconds: float) -> None: ...

    def blocked_for(self) -> float: ...

    def recent(self) -> int:
        """Calls that went in the last second."""
        ...

    def shared_rate(self) -> float | None:
        """A rate another process learnt for the key (Redis), or None."""
        ...

    def share_rate(self, rate: float) -> None:
        """Tell the other processes of the fleet the rate this one learnt."""
        ...


_UNLIMITED = 1 << 30
"""The burst of a window whose rate is not known yet: calls are only counted (and wait out a block)."""


def _shape(rate: float) -> tuple[int, float]:
    """The window of `rate` calls a second: its burst (whole calls, at least one) and its period in seconds,
    the margin included."""
    burst = max(1, math.floor(rate))
    return burst, burst / rate + RATE_LIMIT_MARGIN


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

    def confirm(self, slot: Slot, burst: int, period: float) -> Slot:
        with self._lock:
            now = self._clock()
            times = self._times
            self._remove(slot.token)
            at = max(now, self._blocked_until)
            for _ in range(1000):  # the calls counted in the window ending at `at`; fewer than `burst`: go
                inside = [went for went in times if at - period < went <= at]
                if len(inside) < burst:
                    break
                at = max(inside[-burst] + period, at + 1e-6)  # later on every round
            self._insert(at)
            return Slot(at - now, at, slot.epoch)

    def went(self, slot: Slot) -> None:
        with self._lock:
            now = self._clock()
            if now > slot.token and self._remove(slot.token):
                self._insert(now)

    def release(self, slot: Slot) -> None:
        """Give back a slot not used (its call was cancelled or gave up); slots at equal times are alike."""
        with self._lock:
            self._remove(slot.token)

    def _remove(self, at: float) -> bool:
        """Remove one entry at `at`, searching from the newest (where a call's own entry usually is)."""
        times = self._times
        for index in range(len(times) - 1, -1, -1):
            if times[index] == at:
                del times[index]
                return True
            if times[index] < at:
                return False
        return False

    def _insert(self, at: float) -> None:
        """Insert `at`, keeping the entries sorted (from the newest end: entries move forward in time)."""
        times = self._times
        index = len(times)
        while index and times[index - 1] > at:
            index -= 1
        times.insert(index, at)

    def block(self, seconds: float) -> None:
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    def blocked_for(self) -> float:
        return max(self._blocked_until - self._clock(), 0.0)

    def recent(self) -> int:
        with self._lock:
            now = self._clock()
            return sum(1 for at in self._times if now - 1.0 < at <= now)

    def shared_rate(self) -> float | None:
        return None  # one process: nothing shared

    def share_rate(self, rate: float) -> None:
        return None


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
        self._ceiling: float | None = None  # what the auto rate comes back up to after a 429
        self._slowed_at = 0.0
        self._epoch = 0
        self._probe: Any = None  # the token of the call that went alone to learn the rate
        self._probe_since = -math.inf
        self._states_no_rate = False  # an answer came without the header: the API does not state rates
        self._shared_checked = -math.inf
        self._second = 0  # calls counted per whole second while nothing is known (to estimate after a 429)
        self._this_second = self._last_second = 0

    def rate(self, setting: RateLimit) -> float | None:
        """Calls per second in force under `setting` ("auto", a number, or None: no limit)."""
        if setting is None:
            return None
        if setting != "auto":
            return float(setting)
        auto = self._auto
        if auto is None:
            return self._rate_from_the_fleet() if self.window.blocking_io else None
        ceiling = self._ceiling
        if ceiling is None or auto >= ceiling:
            return auto
        with self._lock:  # slowed down by a 429: come back up, a share of the rate every second
            if self._auto is not None and self._ceiling is not None:
                now = self._clock()
                recovered = self._auto + RATE_LIMIT_RECOVERY * self._ceiling * (now - self._slowed_at)
                self._auto, self._slowed_at = min(recovered, self._ceiling), now
            return self._auto

    def _rate_from_the_fleet(self) -> float | None:
        """With a shared window, a rate another process learnt (looked up at most once a second)."""
        now = self._clock()
        if now - self._shared_checked < _SHARED_RATE_CHECK:
            return None
        self._shared_checked = now
        shared = self.window.shared_rate()
        if shared is not None:
            self._learn(shared, share=False)
        return self._auto

    def reserve(self, setting: RateLimit, counted: bool = False) -> Slot:
        """A slot for one call under `setting` (its `wait` is 0 to go at once); `counted`: the call was counted
        per second already (by the slot it is taking again)."""
        epoch = self._epoch
        rate = self.rate(setting)
        if rate is not None:
            slot = self.window.reserve(*_shape(rate))
            return Slot(slot.wait, slot.token, epoch)
        probing = setting == "auto"  # a fixed rate needs no answer to learn from
        if probing:
            if self._states_no_rate:
                return self._unlimited(epoch, counted)
            now = self._clock()
            with self._lock:
                if self._probe is not None and now - self._probe_since < _PROBE_HOLD:
                    return Slot(_PROBE_POLL, None, epoch)  # wait for the answer of the call that went first
        # Not known yet: count the call, so the window holds it once the rate is learnt.
        slot = self.window.reserve(_UNLIMITED, 1.0)
        if probing:
            with self._lock:
                self._probe, self._probe_since = slot.token, self._clock()
        return Slot(slot.wait, slot.token, epoch)

    def _unlimited(self, epoch: int, counted: bool) -> Slot:
        """With "auto", when the API states no rate and no 429 taught one: only a Retry-After holds calls back.
        The calls are counted per second (not in the window), to start from after a first 429."""
        now = self._clock()
        second = int(now)
        if second != self._second:
            self._last_second = self._this_second if second == self._second + 1 else 0
            self._second, self._this_second = second, 0
        if not counted:
            self._this_second += 1
        return Slot(self.window.blocked_for(), None, epoch, counted=True)

    def confirm(self, slot: Slot, setting: RateLimit) -> Slot:
        """At the time of `slot`: go (wait 0), or a later slot if the window or a block says so."""
        if slot.token is None:  # held while the first call learns the rate (or only blocked): take a slot now
            return self.reserve(setting, slot.counted)
        rate = self.rate(setting)
        confirmed = self.window.confirm(slot, *(_shape(rate) if rate is not None else (_UNLIMITED, 1.0)))
        return Slot(confirmed.wait, confirmed.token, slot.epoch)

    def went(self, slot: Slot) -> None:
        """The call of `slot` was answered (or failed): it counts from now on in the window."""
        if slot.token is None:
            return
        self.window.went(slot)
        if self._probe is not None and slot.token == self._probe:
            with self._lock:
                self._probe = None  # what it taught (if anything), `observe` has or will have learnt

    def release(self, slot: Slot) -> None:
        """Give back a slot that will not be used."""
        if slot.token is not None:
            self.window.release(slot)
            if slot.token == self._probe:
                with self._lock:
                    self._probe = None

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the key's rate from a response's `x-ratelimit-persec` header."""
        value = header(headers, RATE_LIMIT_HEADER)
        if value is None:
            if self.learnt is None and not self._states_no_rate:
                self._states_no_rate = True  # no need to hold calls for an answer that will not tell
            return
        try:
            stated = float(value)
        except ValueError:
            return
        if not 0 < stated < math.inf:  # 0, negative, NaN or infinite: it says nothing usable
            return
        rate = min(max(stated, _MIN_RATE), _MAX_RATE)  # a hostile header cannot stall the key, nor unleash it
        if rate != self.learnt:
            self._learn(rate, share=True)

    def _learn(self, rate: float, share: bool) -> None:
        with self._lock:
            self.learnt = self._ceiling = rate
            if self._auto is None or self._auto > rate:
                self._auto = rate
            self._epoch += 1
            self._probe = None
        if share:
            self.window.share_rate(rate)
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
        recent = max(self.window.recent(), self._this_second, self._last_second) if self._auto is None else 0
        with self._lock:
            if slot is not None and slot.epoch != self._epoch:
                return  # another 429 of the same wave slowed down first
            if self._auto is None:  # no rate known: start from what went in the last second
                self._auto = float(max(recent, 1))
            if self._ceiling is None:
                self._ceiling = self._auto  # come back up to where it was
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
