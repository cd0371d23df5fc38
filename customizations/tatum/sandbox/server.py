"""Serving a sandbox with uvicorn: in the foreground (the command line) or on a thread (tests, the demo).

uvicorn runs the h11 protocol, extended to keep each connection's transport in `Sandbox.connections`, so a
`drop` fault can close the connection without answering.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import Sandbox, Settings

_STARTUP_TIMEOUT = 10.0


def _protocol_class(sandbox: Sandbox) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, recording each open connection in `sandbox.connections`."""

    class Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if self.client is not None:
                sandbox.connections[self.client] = transport

        def connection_lost(self, exc: Exception | None) -> None:
            if self.client is not None:
                sandbox.connections.pop(self.client, None)
            super().connection_lost(exc)

    return Protocol


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0: a free port, chosen by the system)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto given explicitly: asyncio turns Nagle's algorithm off only on sockets that say they are TCP, and
    # with it on, every answer waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    """The http URL a listening socket serves."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def uvicorn_server(sandbox: Sandbox, **options: Any) -> uvicorn.Server:
    """A uvicorn server for a sandbox; `options` go to uvicorn.Config (log settings)."""
    config = uvicorn.Config(
        sandbox.app,
        http=_protocol_class(sandbox),
        lifespan="off",
        timeout_graceful_shutdown=2,
        **options,
    )
    return uvicorn.Server(config)


class SandboxServer:
    """A sandbox served on a thread of this process; a context manager.

        with SandboxServer(Settings(seed=())) as server:
            Sdk(base_url=server.url) ...

    `sandbox` is the Sandbox itself (its store, faults, `reset_all()`).
    """

    def __init__(self, settings: Settings | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = Sandbox(settings)
        self._socket = listen(host, port)
        self.url = url_of(self._socket)
        self._server = uvicorn_server(self.sandbox, log_config=None, log_level="warning", access_log=False)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="tatum-sandbox", daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the Tatum sandbox did not start")
            time.sleep(0.005)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join()
        self._socket.close()
        self.sandbox.close()

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
