"""A fleet's shared state in Redis (`redis_url`, the `redis` extra): each key's rate-limit window and credits.

Every process and machine that uses an API key with the same Redis shares one window (so together they keep to
the key's rate) and one credit meter (so together they keep to `credit_budget`). Each change is one Lua script,
atomic in Redis, timed by Redis's own clock so that machines' clocks need not agree. Keys are named by a hash of
the API key, never the key itself. If Redis cannot be reached, the call fails with SharedStateError: it never
falls back to a limit of its own process.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from ._ratelimit import Slot
from .errors import CreditBudgetExceededError, SharedStateError, ValidationError

T = TypeVar("T")

_PREFIX = "tatum-sdk"
_SHARED_RATE_TTL = 3600
"""Seconds a rate one process learnt stays in Redis for the others (each answer that states it renews it
only when it changes; an hour-old rate is learnt again from the next answer)."""
_CREDIT_RESERVATION_TTL = 900.0
"""Seconds a credit reservation of a call with no deadline is held before Redis forgets it (a crashed
process's reservation must not hold the budget forever)."""

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
"""
"""The start of every script that needs the time: `now`, in seconds, on Redis's clock (one clock for the fleet)."""

_NOT_BEFORE_THE_BLOCK = """local at = now
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > at then at = blocked end
"""
"""`at`: now, or the end of the key's Retry-After block (KEYS[2]) if later."""

_TAKE_AT = """redis.call('ZADD', KEYS[1], at, member)
redis.call('PEXPIRE', KEYS[1], math.ceil((at - now + period) * 1000) + 1000)
return tostring(at - now)
"""
"""`member` takes the slot at `at` in the window (KEYS[1]); the script returns the seconds to wait."""

# A slot in the window: the same rule as tatum._ratelimit.MemoryWindow.reserve, on Redis's clock.
# KEYS: the window (sorted set: reserved times), the block (Retry-After). ARGV: burst, period, member.
_RESERVE = (
    _NOW
    + """local burst, period, member = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
"""
    + _NOT_BEFORE_THE_BLOCK
    + """local n = redis.call('ZCARD', KEYS[1])
if n >= burst then
  local e = redis.call('ZRANGE', KEYS[1], n - burst, n - burst, 'WITHSCORES')
  at = math.max(at, tonumber(e[2]) + period)
end
if n > 0 then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  at = math.max(at, tonumber(last[2]))
end
"""
    + _TAKE_AT
)

# A reserved slot confirmed at its time (the same rule as tatum._ratelimit.MemoryWindow.confirm).
# KEYS: the window, the block. ARGV: member, burst, period. Returns the seconds to wait (0: go now).
_CONFIRM = (
    _NOW
    + """local member, burst, period = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREM', KEYS[1], member)
"""
    + _NOT_BEFORE_THE_BLOCK
    + """for _ = 1, 1000 do  -- `at` moves later on every round; bounded all the same
  local low = string.format('(%.6f', at - period)
  local inside = redis.call('ZRANGEBYSCORE', KEYS[1], low, string.format('%.6f', at), 'WITHSCORES')
  local n = #inside / 2
  if n < burst then break end
  at = math.max(tonumber(inside[2 * (n - burst + 1)]) + period, at + 0.000001)
end
"""
    + _TAKE_AT
)

# KEYS: the window. ARGV: member. The call was answered: it counts from now (only ever later).
_WENT = (
    _NOW
    + """redis.call('ZADD', KEYS[1], 'XX', 'GT', now, ARGV[1])
return 1
"""
)

# KEYS: the block. ARGV: seconds. Blocks until now + seconds, unless already blocked longer.
_BLOCK = (
    _NOW
    + """local until_ = now + tonumber(ARGV[1])
local blocked = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > blocked then
  redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return 1
"""
)

_BLOCKED_FOR = (
    _NOW
    + """local blocked = tonumber(redis.call('GET', KEYS[1]) or '0')
return tostring(math.max(blocked - now, 0))
"""
)

# KEYS: the window. Calls that went in the last second.
_RECENT = (
    _NOW
    + """return redis.call('ZCOUNT', KEYS[1], now - 1, now)
"""
)

# KEYS: credits spent (integer), reservations (sorted set: member "id:cost", score: expiry on Redis's clock).
# ARGV: cost, budget (-1: none), member, ttl. Returns {1, held} when reserved, {0, held} when over budget,
# where held = spent + reserved before this call.
_RESERVE_CREDITS = (
    _NOW
    + """redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  held = held + tonumber(string.match(member, ':(%d+)$'))
end
local cost, budget = tonumber(ARGV[1]), tonumber(ARGV[2])
if budget >= 0 and held + cost > budget then return {0, held} end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[3])
return {1, held}
"""
)

# KEYS: credits spent, reservations. ARGV: member, cost, spent (1 or 0).
_SETTLE_CREDITS = """
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[3] == '1' then redis.call('INCRBY', KEYS[1], ARGV[2]) end
return 1
"""


class SharedState:
    """One Redis, as the limiter windows and credit meters of the Sdks given its URL use it."""

    def __init__(self, url: str) -> None:
        try:
            import redis
        except ImportError:
            raise ValidationError(
                "redis_url",
                'sharing limits through Redis needs the redis extra: pip install "tatum-sdk[redis]"',
            ) from None
        self.url = url
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        try:
            self.client: Any = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        except ValueError as error:
            raise ValidationError("redis_url", f"is not a Redis URL: {error}") from None
        self._scripts = {
            name: self.client.register_script(source)
            for name, source in {
                "reserve": _RESERVE,
                "confirm": _CONFIRM,
                "went": _WENT,
                "block": _BLOCK,
                "blocked_for": _BLOCKED_FOR,
                "recent": _RECENT,
                "reserve_credits": _RESERVE_CREDITS,
                "settle_credits": _SETTLE_CREDITS,
            }.items()
        }

    def run(self, script: str, keys: list[str], args: list[Any]) -> Any:
        """Run one of the scripts; SharedStateError if Redis cannot be reached."""
        return self.call(lambda: self._scripts[script](keys=keys, args=args))

    def get(self, key: str) -> Any:
        return self.call(lambda: self.client.get(key))

    def call(self, work: Callable[[], T]) -> T:
        """`work()`, a Redis command of the caller's (SharedStateError if Redis cannot be reached)."""
        try:
            return work()
        except self._errors as error:
            raise SharedStateError(
                f"Redis at {_safe(self.url)} cannot be reached ({type(error).__name__}: {_safe(str(error))}); "
                "the rate limiter and credit budget are shared through it, so the SDK sends no call it "
                "cannot count there"
            ) from None


def _safe(text: str) -> str:
    """A Redis URL (or a message quoting one) with its credentials and query (a `?password=`) hidden."""
    return _CREDENTIALS.sub(r"\1***@", _QUERY.sub("?***", text))


_CREDENTIALS = re.compile(r"([a-z]+://)[^/@\s]*@")
_QUERY = re.compile(r"\?\S*")


def key_prefix(identity: str, base_url: str) -> str:
    """The Redis key prefix of one API key (`tatum._ratelimit.key_identity`) at one base URL."""
    return f"{_PREFIX}:{identity}:{hashlib.sha256(base_url.encode()).hexdigest()[:12]}"


class RedisWindow:
    """A key's rate-limit window in Redis, shared by the fleet (see tatum._ratelimit.MemoryWindow)."""

    blocking_io = True

    def __init__(self, shared: SharedState, prefix: str) -> None:
        self._shared = shared
        self._window = f"{prefix}:window"
        self._block = f"{prefix}:blocked"
        self._rate = f"{prefix}:rate"

    def reserve(self, burst: int, period: float) -> Slot:
        member = uuid.uuid4().hex
        wait = float(self._shared.run("reserve", [self._window, self._block], [burst, repr(period), member]))
        return Slot(wait, member)

    def confirm(self, slot: Slot, burst: int, period: float) -> Slot:
        wait = float(
            self._shared.run("confirm", [self._window, self._block], [slot.token, burst, repr(period)])
        )
        return Slot(wait, slot.token, slot.epoch)

    def went(self, slot: Slot) -> None:
        self._shared.run("went", [self._window], [slot.token])

    def release(self, slot: Slot) -> None:
        self._shared.call(lambda: self._shared.client.zrem(self._window, slot.token))

    def block(self, seconds: float) -> None:
        self._shared.run("block", [self._block], [repr(seconds)])

    def blocked_for(self) -> float:
        return float(self._shared.run("blocked_for", [self._block], []))

    def recent(self) -> int:
        return int(self._shared.run("recent", [self._window], []))

    def shared_rate(self) -> float | None:
        value = self._shared.get(self._rate)
        try:
            return None if value is None else float(value)
        except ValueError:
            return None

    def share_rate(self, rate: float) -> None:
        self._shared.call(lambda: self._shared.client.set(self._rate, repr(rate), ex=_SHARED_RATE_TTL))


class RedisCreditMeter:
    """A key's credits in Redis, shared by the fleet: the same interface as tatum._credits.CreditMeter."""

    blocking_io = True

    def __init__(self, shared: SharedState, prefix: str) -> None:
        self._shared = shared
        self._keys = [f"{prefix}:credits:spent", f"{prefix}:credits:reserved"]

    @property
    def used(self) -> int:
        """Credits spent with this key by the whole fleet."""
        return int(self._shared.get(self._keys[0]) or 0)

    def reserve(self, operation: str, cost: int, budget: int | None, ttl: float | None = None) -> str:
        """Hold `cost` credits for a call, or raise CreditBudgetExceededError; returns the reservation."""
        member = f"{uuid.uuid4().hex}:{cost}"
        hold = repr(ttl if ttl is not None and math.isfinite(ttl) else _CREDIT_RESERVATION_TTL)
        args = [cost, -1 if budget is None else budget, member, hold]
        reserved, held = self._shared.run("reserve_credits", self._keys, args)
        if not reserved:
            assert budget is not None
            raise CreditBudgetExceededError(operation, cost, int(held), budget)
        return member

    def settle(self, reservation: str, cost: int, spent: bool) -> None:
        """End a reservation: count it as spent (the API answered with success) or release it."""
        self._shared.run("settle_credits", self._keys, [reservation, cost, 1 if spent else 0])
