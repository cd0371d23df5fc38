"""Credit meters: what an Sdk has spent on each network, and its budget."""

from __future__ import annotations

import threading

from .errors import CreditBudgetExceededError


class CreditMeter:
    """Credits spent on one network, shared by an Sdk and its `with_options` copies.

    A call reserves its cost before it is sent, so concurrent calls cannot together pass the budget; the
    reservation becomes spent when the API answers with success and is released otherwise.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.used = 0
        self._reserved = 0

    def reserve(self, operation: str, cost: int, budget: int | None) -> None:
        """Hold `cost` credits for a call, or raise CreditBudgetExceededError if that would pass `budget`."""
        with self._lock:
            if budget is not None and self.used + self._reserved + cost > budget:
                raise CreditBudgetExceededError(operation, cost, self.used + self._reserved, budget)
            self._reserved += cost

    def settle(self, cost: int, spent: bool) -> None:
        """End a reservation: count it as spent (the API answered with success) or release it."""
        with self._lock:
            self._reserved -= cost
            if spent:
                self.used += cost
