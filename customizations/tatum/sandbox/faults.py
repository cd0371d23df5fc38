"""Faults for the next requests to `/v3/` of a ledger: an error status, a delay, a dropped connection.

Faults are queued per ledger by `POST /_sandbox/faults` and each is used up by one request (a fault with
`count` N by the next N). They live in memory only: a restart clears them.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from .contract import json_object

_MAX_DELAY = 60.0
_MAX_COUNT = 1000
MAX_PENDING = 1000
"""The most requests a ledger's pending faults may cover, all added up."""
_MAX_RETRY_AFTER = 10**9
_MAX_RETRY_AFTER_TEXT = 100
_FIELDS = {"status", "retryAfter", "body", "delay", "drop", "count"}


@dataclass(frozen=True)
class Fault:
    """What to do to one request instead of (or before) answering it."""

    status: int | None = None
    """Answer with this status instead (and `body`, and `retry_after` as a `Retry-After` header)."""
    body: Any = None
    retry_after: int | str | None = None
    delay: float = 0.0
    """Seconds to wait first; alone, the request is then answered normally."""
    drop: bool = False
    """Close the connection without any answer."""

    def response_body(self) -> Any:
        """The JSON body of a status fault: the one given, else an ErrorBody for an error status."""
        if self.body is not None or self.status is None or self.status < 400:
            return self.body
        return {"message": "Fault injected by the Tatum sandbox.", "statusCode": self.status}


def fault_from_json(data: object) -> tuple[Fault, int]:
    """A fault and its count from the JSON of `POST /_sandbox/faults`; ValueError if invalid.

    Fields: `status` (200..599), `body` (any JSON, with a status), `retryAfter` (whole seconds, 0..10**9, or an
    HTTP-date of at most 100 characters, with a status), `delay` (seconds, 0..60), `drop` (true: close the connection), `count`
    (how many requests, 1..1000, default 1). At least one of status, delay and drop; not status and drop.
    """
    data = json_object(data, _FIELDS, "a fault")
    status = data.get("status")
    if status is not None and (_not_int(status) or not 200 <= status <= 599):
        raise ValueError("status must be an integer from 200 to 599")
    retry_after = data.get("retryAfter")
    if isinstance(retry_after, str):
        if not retry_after.isascii() or not retry_after.isprintable():
            raise ValueError("retryAfter must be printable ASCII")
        if len(retry_after) > _MAX_RETRY_AFTER_TEXT:
            raise ValueError(f"retryAfter must be at most {_MAX_RETRY_AFTER_TEXT} characters")
    elif retry_after is not None and (_not_int(retry_after) or not 0 <= retry_after <= _MAX_RETRY_AFTER):
        raise ValueError(
            f"retryAfter must be whole seconds (an integer from 0 to {_MAX_RETRY_AFTER}) or an HTTP-date string"
        )
    delay = data.get("delay", 0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= _MAX_DELAY:
        raise ValueError(f"delay must be a number of seconds from 0 to {_MAX_DELAY:g}")
    drop = data.get("drop", False)
    if not isinstance(drop, bool):
        raise ValueError("drop must be true or false")
    count = data.get("count", 1)
    if _not_int(count) or not 1 <= count <= _MAX_COUNT:
        raise ValueError(f"count must be an integer from 1 to {_MAX_COUNT}")
    if status is None and not drop and not delay:
        raise ValueError("give at least one of status, delay and drop")
    if status is not None and drop:
        raise ValueError("a fault cannot both answer with a status and drop the connection")
    if status is None and ("body" in data or retry_after is not None):
        raise ValueError("body and retryAfter need a status")
    if status in (204, 304) and data.get("body") is not None:
        raise ValueError(f"a {status} answer has no body")
    return Fault(status, data.get("body"), retry_after, float(delay), drop), count


def _not_int(value: object) -> bool:
    return isinstance(value, bool) or not isinstance(value, int)


class Faults:
    """The queues of pending faults, one per ledger: at most `MAX_PENDING` requests' worth each, for at most
    `max_ledgers` ledgers (the least recently used ledger's queue is forgotten)."""

    def __init__(self, max_ledgers: int) -> None:
        self._lock = threading.Lock()
        self._queues: LRUCache[str, deque[list[Any]]] = LRUCache(max_ledgers)

    def add(self, ledger: str, fault: Fault, count: int = 1) -> None:
        """Queue a fault for the ledger's next `count` requests; ValueError past `MAX_PENDING` in all."""
        with self._lock:
            queue = self._queues.get(ledger)
            pending = sum(entry[1] for entry in queue) if queue else 0
            if pending + count > MAX_PENDING:
                raise ValueError(
                    f"at most {MAX_PENDING} requests' worth of faults can be pending; {pending} are"
                )
            if queue is None:
                queue = self._queues[ledger] = deque()
            queue.append([fault, count])

    def next(self, ledger: str) -> Fault | None:
        """The fault for the ledger's next request, used up; None when none is pending."""
        with self._lock:
            queue = self._queues.get(ledger)
            if not queue:
                return None
            entry = queue[0]
            entry[1] -= 1
            if not entry[1]:
                queue.popleft()
            fault: Fault = entry[0]
            return fault

    def clear(self, ledger: str | None = None) -> None:
        """Drop the ledger's pending faults (every ledger's when None)."""
        with self._lock:
            if ledger is None:
                self._queues.clear()
            else:
                self._queues.pop(ledger, None)
