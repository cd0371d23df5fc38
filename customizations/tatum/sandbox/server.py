"""Serving a sandbox with uvicorn: in the foreground (the command line) or on a thread (tests, the demo).

uvicorn runs its httptools protocol (llhttp, the HTTP parser of Node.js), extended to:

- keep each connection's transport in `Sandbox.connections`, so a `drop` fault can close the connection
  without answering (by the peer address of the socket: proxy headers are never trusted);
- answer a request the parser refuses (a malformed request line or header, HTTP/0.9, an invalid chunk) with
  Tatum's JSON error shape instead of uvicorn's text page;
- refuse a request head (request line and headers) longer than `MAX_HEAD_BYTES` with a JSON 431, so a client
  cannot grow the server's memory with endless headers;
- give a client `Settings.request_timeout` seconds to send a whole request (head and body) from its first
  byte, or from the opening of the connection for the first one (the time the sandbox itself is not reading,
  behind a slow answer or a 100 Continue it holds back, does not count); past it, a JSON 408 (or, if nothing
  of a request came, no answer) and the connection closes, so a client cannot hold memory by never finishing;
- keep at most `Settings.max_connections` connections open: one more is closed as soon as it opens.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import Any

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from .app import Sandbox, Settings

_STARTUP_TIMEOUT = 10.0

MAX_HEAD_BYTES = 64 * 1024
"""The longest request head (request line and headers) the sandbox reads."""


def error_bytes(status: int, message: str, rate_limit: int | None = None) -> bytes:
    """A whole HTTP/1.1 answer with Tatum's error body, closing the connection (with `x-ratelimit-persec`
    when the server has a rate limit: the request's ledger is unknown here)."""
    body = json.dumps({"message": message, "statusCode": status}).encode()
    head = (
        b"content-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n"
        b"connection: close\r\n"
    )
    if rate_limit is not None:
        head += b"x-ratelimit-persec: " + str(rate_limit).encode() + b"\r\n"
    return STATUS_LINE[status] + head + b"\r\n" + body


def _protocol_class(sandbox: Sandbox) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol, recording open connections and answering refusals in JSON."""

    settings = sandbox.settings
    timed_out = f"The request was not received whole within {settings.request_timeout:g} seconds."

    class Protocol(HttpToolsProtocol):
        _head_open = True
        _head_bytes = 0
        _completed = False
        _receiving = False
        """Bytes of a request have come, and not all of it yet."""
        _deadline: asyncio.TimerHandle | None = None
        """When the request being received (or the connection's first one) times out."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > settings.max_connections:
                transport.close()
                return
            if self.client is not None:
                sandbox.connections[self.client] = transport
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self.client is not None and sandbox.connections.get(self.client) is self.transport:
                del sandbox.connections[self.client]
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            self._unset_keepalive_if_required()
            if self._deadline is None and (self.cycle is None or self.cycle.response_complete):
                self._arm()  # bytes after an answer: what uvicorn's keep-alive timeout no longer watches
            self._completed = False
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserUpgrade:
                # No other protocol is served: the request is answered over HTTP, then the connection closes.
                if self.cycle is None or self.cycle.response_complete:
                    self.send_400_response("Protocol upgrades are not supported.")
                else:
                    self.cycle.keep_alive = False
                return
            except httptools.HttpParserError:
                self.send_400_response("Invalid HTTP request received.")
                return
            # Bytes of a head still incomplete; a chunk that ended a message may hold a new head's start, not
            # counted (a chunk is at most one read), so a body never counts as head.
            if self._head_open and not self._completed and not self.transport.is_closing():
                self._head_bytes += len(data)
                if self._head_bytes > MAX_HEAD_BYTES:
                    self.transport.write(
                        error_bytes(431, "Request header fields too large.", sandbox.limiter.per_second)
                    )
                    self.transport.close()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._head_open, self._head_bytes, self._receiving = True, 0, True
            if self._deadline is None:
                self._arm()

        def on_headers_complete(self) -> None:
            self._head_open = False
            if self.parser.get_http_version() not in ("1.0", "1.1"):  # llhttp reads HTTP/0.9 too
                raise ValueError("only HTTP/1.0 and HTTP/1.1 are served")  # the parser turns it into a 400
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._head_open, self._head_bytes, self._completed, self._receiving = True, 0, True, False
            self._disarm()

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(settings.request_timeout, self._time_out)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _time_out(self) -> None:
            """The request did not come whole in time: a 408 unless nothing of it came or it is answered
            already (a 413 while the rest of its body is dropped), then close."""
            self._deadline = None
            if self.transport.is_closing():
                return
            if not self._head_open and self.cycle is not None and self.cycle.waiting_for_100_continue:
                self._arm()  # the client waits for the sandbox's 100 Continue (a delay fault): not its fault
                return
            if self.flow.read_paused and not self.flow.write_paused:
                # The sandbox stopped reading (an answer before this request is still on its way, or the body
                # read so far waits for the application): not the client's time. A client that stops
                # reading answers is still timed out (its connection would otherwise be held for good).
                self._arm()
                return
            answered = not self._head_open and self.cycle is not None and self.cycle.response_started
            if self._receiving and not answered:
                self.transport.write(error_bytes(408, timed_out, sandbox.limiter.per_second))
            self.transport.close()

        def send_400_response(self, msg: str) -> None:
            if not self.transport.is_closing():
                self.transport.write(error_bytes(400, msg, sandbox.limiter.per_second))
                self.transport.close()

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
    """A uvicorn server for a sandbox; `options` go to uvicorn.Config (log settings).

    Proxy headers (`X-Forwarded-For`, ...) are not trusted: a client's address is its socket's peer, which is
    how a `drop` fault finds its connection. No WebSocket or other protocol upgrade is served.
    """
    config = uvicorn.Config(
        sandbox.app,
        http=_protocol_class(sandbox),
        interface="asgi3",
        ws="none",
        proxy_headers=False,
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
