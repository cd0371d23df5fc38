"""Credit meters: what an Sdk has spent on each network, and its budget (`tatum._redis` shares one per key)."""

from __future__ import annotations

import threading
from typing import Any, Protocol

from .errors import CreditBudgetExceededError


class Meter(Protocol):
    """A credit meter: this process's (`CreditMeter`) or a fleet's in Redis (`RedisCreditMeter`)."""

    blocking_io: bool

    @property
    def used(self) -> int: ...

    def reserve(self, operation: str, cost: int, budget: int | None, ttl: float | None = None) -> Any: ...

    def settle(self, reservation: Any, cost: int, spent: bool) -> None: ...


class CreditMeter:
    """Credits spent on one network, shared by an Sdk and its `with_options` copies.

    A call reserves its cost before it is sent, so concurrent calls cannot together pass the budget; the
    reservation becomes spent when the API answers with success and is released otherwise.
    """

    blocking_io = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.used = 0
        self._reserved = 0

    def reserve(self, operation: str, cost: int, budget: int | None, ttl: float | None = None) -> None:
        """Hold `cost` credits for a call, or raise CreditBudgetExceededError if that would pass `budget`.

        Returns the reservation to settle (none is needed here; `tatum._redis.RedisCreditMeter` names one).
        """
        with self._lock:
            if budget is not None and self.used + self._reserved + cost > budget:
                raise CreditBudgetExceededError(operation, cost, self.used + self._reserved, budget)
            self._reserved += cost

    def settle(self, reservation: object, cost: int, spent: bool) -> None:
        """End a reservation: count it as spent (the API answered with success) or release it."""
        with self._lock:
            self._reserved -= cost
            if spent:
                self.used += cost
