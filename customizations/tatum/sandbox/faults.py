"""Faults for the next requests to `/v3/` of a ledger: an error status, a delay, a dropped connection.

Faults are queued per ledger by `POST /_sandbox/faults` and each is used up by one request (a fault with
`count` N by the next N). They live in memory only: a restart clears them. What a fault answers is kept as
the bytes it sends, never as the JSON objects it was given (a 64 KB body of nested arrays is over 1 MB of
Python objects), and the pending faults of all ledgers together are bounded in number and in bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass

from .._validation import is_int, is_real
from .contract import json_bytes, json_object, seconds_text

_MAX_DELAY = 60.0
_MAX_COUNT = 1000
MAX_PENDING = 1000
"""The most requests a ledger's pending faults may cover, all added up."""
MAX_FAULTS = 10_000
"""The most faults pending in all ledgers together (one per `POST /_sandbox/faults`, whatever its count)."""
MAX_FAULT_BYTES = 16 * 1024 * 1024
"""The most bytes of answers (bodies and `Retry-After` values) pending faults of all ledgers may hold."""
_MAX_RETRY_AFTER = 10**9
_MAX_RETRY_AFTER_TEXT = 100
_FIELDS = {"status", "retryAfter", "body", "delay", "drop", "count"}


@dataclass(frozen=True)
class Fault:
    """What to do to one request instead of (or before) answering it."""

    status: int | None = None
    """Answer with this status instead (and `body`, and `retry_after` as a `Retry-After` header)."""
    body: bytes | None = None
    """The JSON body of a status answer, encoded; None: no body."""
    retry_after: str | None = None
    delay: float = 0.0
    """Seconds to wait first; alone, the request is then answered normally."""
    drop: bool = False
    """Close the connection without any answer."""

    @property
    def size(self) -> int:
        """The bytes of answer it holds (what the bound on pending faults counts)."""
        return len(self.body or b"") + len(self.retry_after or "")


def fault_from_json(data: object) -> tuple[Fault, int]:
    """A fault and its count from the JSON of `POST /_sandbox/faults`; ValueError if invalid.

    Fields: `status` (200..599), `body` (any JSON, with a status), `retryAfter` (seconds, 0..10**9, fractions
    allowed for fast tests though Tatum sends whole seconds, or an HTTP-date of at most 100 characters, with a
    status), `delay` (seconds, 0..60), `drop` (true: close the connection), `count` (how many requests,
    1..1000, default 1). At least one of status, delay and drop; not status and drop.
    """
    data = json_object(data, _FIELDS, "a fault")
    status = data.get("status")
    if status is not None and (not is_int(status) or not 200 <= status <= 599):
        raise ValueError("status must be an integer from 200 to 599")
    retry_after = data.get("retryAfter")
    if isinstance(retry_after, str):
        if not retry_after.isascii() or not retry_after.isprintable():
            raise ValueError("retryAfter must be printable ASCII")
        if len(retry_after) > _MAX_RETRY_AFTER_TEXT:
            raise ValueError(f"retryAfter must be at most {_MAX_RETRY_AFTER_TEXT} characters")
    elif retry_after is not None and (not is_real(retry_after) or not 0 <= retry_after <= _MAX_RETRY_AFTER):
        raise ValueError(
            f"retryAfter must be a number of seconds from 0 to {_MAX_RETRY_AFTER} (fractions allowed) "
            "or an HTTP-date string"
        )
    delay = data.get("delay", 0)
    if not is_real(delay) or not 0 <= delay <= _MAX_DELAY:
        raise ValueError(f"delay must be a number of seconds from 0 to {_MAX_DELAY:g}")
    drop = data.get("drop", False)
    if not isinstance(drop, bool):
        raise ValueError("drop must be true or false")
    count = data.get("count", 1)
    if not is_int(count) or not 1 <= count <= _MAX_COUNT:
        raise ValueError(f"count must be an integer from 1 to {_MAX_COUNT}")
    if status is None and not drop and not delay:
        raise ValueError("give at least one of status, delay and drop")
    if status is not None and drop:
        raise ValueError("a fault cannot both answer with a status and drop the connection")
    if status is None and ("body" in data or retry_after is not None):
        raise ValueError("body and retryAfter need a status")
    if status in (204, 304) and data.get("body") is not None:
        raise ValueError(f"a {status} answer has no body")
    body = data.get("body")
    if body is None and status is not None and status >= 400:
        body = {"message": "Fault injected by the Tatum sandbox.", "statusCode": status}
    answer = None if body is None else json_bytes(body)
    text = retry_after if retry_after is None or isinstance(retry_after, str) else seconds_text(retry_after)
    return Fault(status, answer, text, float(delay), drop), count


@dataclass(slots=True)
class _Pending:
    fault: Fault
    left: int
    """The requests it is still for."""


class _Queue:
    """One ledger's pending faults, oldest first."""

    def __init__(self) -> None:
        self.entries: deque[_Pending] = deque()
        self.requests = 0
        """The requests its faults cover, all added up."""
        self.bytes = 0


class Faults:
    """The queues of pending faults, one per ledger: at most `MAX_PENDING` requests' worth each, for at most
    `max_ledgers` ledgers (the least recently used ledger's queue is forgotten), and at most `max_faults`
    faults holding at most `max_bytes` bytes of answers in all."""

    def __init__(
        self, max_ledgers: int, max_faults: int = MAX_FAULTS, max_bytes: int = MAX_FAULT_BYTES
    ) -> None:
        self._lock = threading.Lock()
        self._max_ledgers = max_ledgers
        self._max_faults = max_faults
        self._max_bytes = max_bytes
        self._queues: OrderedDict[str, _Queue] = OrderedDict()
        """Least recently used first."""
        self._faults = 0
        self._bytes = 0

    def add(self, ledger: str, fault: Fault, count: int = 1) -> None:
        """Queue a fault for the ledger's next `count` requests; ValueError past `MAX_PENDING` requests for
        the ledger, or past the bounds of all ledgers' pending faults."""
        with self._lock:
            queue = self._queues.get(ledger)
            pending = queue.requests if queue else 0
            if pending + count > MAX_PENDING:
                raise ValueError(
                    f"at most {MAX_PENDING} requests' worth of faults can be pending; {pending} are"
                )
            if self._faults >= self._max_faults:
                raise ValueError(
                    f"at most {self._max_faults} faults can be pending in all ledgers together; clear some"
                )
            if self._bytes + fault.size > self._max_bytes:
                raise ValueError(
                    f"pending faults of all ledgers together hold at most {self._max_bytes} bytes of answers; "
                    f"{self._bytes} are held and this one has {fault.size}"
                )
            if queue is None:
                queue = self._queues[ledger] = _Queue()
                if len(self._queues) > self._max_ledgers:
                    self._drop(next(iter(self._queues)))
            self._queues.move_to_end(ledger)
            queue.entries.append(_Pending(fault, count))
            queue.requests += count
            queue.bytes += fault.size
            self._faults += 1
            self._bytes += fault.size

    def next(self, ledger: str) -> Fault | None:
        """The fault for the ledger's next request, used up; None when none is pending."""
        with self._lock:
            queue = self._queues.get(ledger)
            if queue is None:
                return None
            self._queues.move_to_end(ledger)
            entry = queue.entries[0]
            fault = entry.fault
            entry.left -= 1
            queue.requests -= 1
            if not entry.left:
                queue.entries.popleft()
                queue.bytes -= fault.size
                self._faults -= 1
                self._bytes -= fault.size
                if not queue.entries:
                    del self._queues[ledger]
            return fault

    def clear(self, ledger: str | None = None) -> None:
        """Drop the ledger's pending faults (every ledger's when None)."""
        with self._lock:
            if ledger is None:
                self._queues.clear()
                self._faults = self._bytes = 0
            elif ledger in self._queues:
                self._drop(ledger)

    def _drop(self, ledger: str) -> None:
        queue = self._queues.pop(ledger)
        self._faults -= len(queue.entries)
        self._bytes -= queue.bytes
