"""A loopback server that answers slowly on purpose: one byte at a time, `interval` seconds apart.

It answers every request with the same Customer, dripping either the whole answer (status line and headers
included) or only its body, and records how many bytes it managed to send before the client hung up, so a
test can prove the client gave up early without timing anything.
"""

from __future__ import annotations

import json
import socket
import threading
from typing import Any, Literal

from .scripted import CUSTOMER


class DripServer:
    """`with DripServer(part="headers") as server:` then call `server.url`; `server.sent` after the call."""

    def __init__(self, part: Literal["headers", "body"], interval: float = 0.05) -> None:
        body = json.dumps(CUSTOMER).encode()
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.answer = head + body
        self.part = part
        self.interval = interval
        self.sent: list[int] = []
        """Bytes sent on each connection before the client went away (or the answer ended)."""
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._answering: list[threading.Thread] = []

    def _serve(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            answering = threading.Thread(target=self._answer, args=(conn,), daemon=True)
            self._answering.append(answering)
            answering.start()

    def _answer(self, conn: socket.socket) -> None:
        sent = 0
        with conn:
            try:
                conn.recv(65536)
                if self.part == "body":
                    head_length = self.answer.index(b"\r\n\r\n") + 4
                    conn.sendall(self.answer[:head_length])
                    sent = head_length
                while sent < len(self.answer) and not self._stop.wait(self.interval):
                    conn.sendall(self.answer[sent : sent + 1])
                    sent += 1
            except OSError:
                pass
        self.sent.append(sent)

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._stop.set()
        self._thread.join()
        for answering in self._answering:
            answering.join()
        self._listener.close()
