"""A call's deadline down to each socket read, for the sync Sdk's own httpx.Client.

httpx's timeouts apply to each read; a server that sends its answer one byte a second never trips them. The
async pipeline bounds each attempt with `asyncio.timeout`; a thread cannot be interrupted that way, so the
Sdk's own sync client gets an httpcore network backend whose reads, writes and connects wait no longer than
the time left before the deadline of the call in progress on that thread (a context variable the pipeline
sets around each attempt; the backend is `tatum._deadline_backend`, imported with the first Sdk, as httpx
imports httpcore with its first client). A client given as `http_client` keeps its own backend: there the
deadline is checked between body chunks and before each attempt and wait, and caps each step's timeout.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import httpx

DEADLINE: ContextVar[float | None] = ContextVar("tatum_deadline", default=None)
"""When the call in progress must end, on time.monotonic(); None: no deadline."""


@contextlib.contextmanager
def until(seconds_left: float | None) -> Iterator[None]:
    """Within the block, socket operations of the Sdk's own client end `seconds_left` from now."""
    token = DEADLINE.set(None if seconds_left is None else time.monotonic() + seconds_left)
    try:
        yield
    finally:
        DEADLINE.reset(token)


def client(**options: Any) -> httpx.Client:
    """An httpx.Client (with `options`) whose connections keep to the deadline of the call in progress.

    httpx offers no way to choose the network backend, so it is set on the transport's connection pool; if a
    future httpx moves it, the client simply keeps httpx's own (the deadline then holds as for a given client).
    """
    import httpcore

    from ._deadline_backend import Backend

    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = Backend(backend)  # type: ignore[union-attr]
    return httpx.Client(transport=transport, **options)
