"""A call's deadline down to each socket read, for the sync Sdk's own httpx.Client.

httpx's timeouts apply to each read; a server that sends its answer one byte a second never trips them. The
async pipeline bounds each attempt with `asyncio.timeout`; a thread cannot be interrupted that way, so the
Sdk's own sync client gets an httpcore network backend whose reads, writes and connects wait no longer than
the time left before the deadline of the call in progress on that thread (a context variable the pipeline
sets around each attempt). A client given as `http_client` keeps its own backend: there the deadline is
checked between body chunks and before each attempt and wait, and caps each step's timeout.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

_DEADLINE: ContextVar[float | None] = ContextVar("tatum_deadline", default=None)
"""When the call in progress must end, on time.monotonic(); None: no deadline."""


@contextlib.contextmanager
def until(seconds_left: float | None) -> Iterator[None]:
    """Within the block, socket operations of the Sdk's own client end `seconds_left` from now."""
    token = _DEADLINE.set(None if seconds_left is None else time.monotonic() + seconds_left)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout`, shortened to the time left before the deadline; `error` once it has passed."""
    at = _DEADLINE.get()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise error("the call's deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _Stream:
        return _Stream(
            self._stream.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def client(**options: Any) -> httpx.Client:
    """An httpx.Client (with `options`) whose connections keep to the deadline of the call in progress.

    httpx offers no way to choose the network backend, so it is set on the transport's connection pool; if a
    future httpx moves it, the client simply keeps httpx's own (the deadline then holds as for a given client).
    """
    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = _Backend(backend)  # type: ignore[union-attr]
    return httpx.Client(transport=transport, **options)
