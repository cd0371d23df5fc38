"""Running the `tatum` command line in tests: in this process (`Tatum`), or as the installed console script in
a subprocess or a pseudo-terminal (`TATUM`, `environment`), against the `tatum_sandbox` fixture; and
`HostileApi`, a loopback server that answers what the sandbox never would."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from tatum.cli.app import run
from tatum.testing import API_KEY_MAINNET, API_KEY_TESTNET, TatumSandbox

TATUM = str(Path(sys.executable).parent / "tatum")
"""The console script `pip install` made for the `cli` extra."""


def environment(sandbox: TatumSandbox, **extra: str) -> dict[str, str]:
    """This process's environment, less any TATUM_ variable, pointed at the sandbox with the fixture's keys,
    then `extra`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TATUM_")}
    env.update(
        TATUM_BASE_URL=sandbox.url,
        TATUM_API_KEY_MAINNET=API_KEY_MAINNET,
        TATUM_API_KEY_TESTNET=API_KEY_TESTNET,
    )
    env.update(extra)  # which may point it elsewhere (TATUM_BASE_URL)
    return env


@dataclass(frozen=True)
class Ran:
    """What one run of `tatum` did: its exit status and what it printed."""

    code: int
    out: str
    err: str

    def json(self) -> list[dict[str, Any]]:
        """Standard output as JSON lines, each parsed (a line that is not JSON fails the test)."""
        return [json.loads(line) for line in self.out.splitlines()]


def run_script(sandbox: TatumSandbox, *args: str, timeout: float = 60) -> Ran:
    """`tatum ...` as the console script in a subprocess (its own process: no lock shared with the sandbox's
    thread, as a user's run would be)."""
    result = subprocess.run(
        [TATUM, *args], env=environment(sandbox), capture_output=True, text=True, timeout=timeout
    )
    return Ran(result.returncode, result.stdout, result.stderr)


class Tatum:
    """`tatum ...` run in this process (through `tatum.cli.app.run`, as the console script runs it), with
    standard output and error captured; neither is a terminal."""

    def __init__(
        self, sandbox: TatumSandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ):
        self._monkeypatch = monkeypatch
        self._capsys = capsys
        for name, value in environment(sandbox).items():
            if name.startswith("TATUM_"):
                monkeypatch.setenv(name, value)

    def __call__(self, *args: str, stdin: str = "") -> Ran:
        self._capsys.readouterr()
        self._monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = run(list(args))
        out, err = self._capsys.readouterr()
        return Ran(code, out, err)


Answer = Callable[[str, Mapping[str, str]], tuple[int, Any]]
"""What `HostileApi` answers to a request: from its path and headers, a status and a JSON body."""

HOSTILE_REQUEST_ID = "req-0123456789"
"""The x-request-id of every answer of `HostileApi`."""


class HostileApi:
    """A loopback HTTP server answering every request with `answer(path, headers)` as JSON (and an
    x-request-id): the bodies a hostile or broken API could send that the sandbox never does, such as
    fields the spec lacks, or a client's API key echoed back. Use as a context manager; `url` is its base."""

    def __init__(self, answer: Answer) -> None:
        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                status, body = answer(self.path, {k.lower(): v for k, v in self.headers.items()})
                content = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(content)))
                self.send_header("x-request-id", HOSTILE_REQUEST_ID)
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_PUT = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> HostileApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


SECRET_MAINNET = "tatum-mainnet-secret-0123456789"
SECRET_TESTNET = "tatum-testnet-secret-9876543210"
"""API keys for `HostileApi(echoing)` runs: distinctive, so that any trace of one in an output is found."""


def echoing(path: str, headers: Mapping[str, str]) -> tuple[int, Any]:
    """An API that quotes the key it was sent back in every field it can: data, codes and messages."""
    key = headers.get("x-api-key", "")
    if path.startswith("/v3/ledger/customer?"):
        customer = {
            "id": "0123456789abcdef01234567",
            "externalId": f"ext-{key}",
            "active": True,
            "enabled": True,
        }
        return 200, [{**customer, "accountingCurrency": key, key: f"<{key}>"}]
    status = 401 if path.endswith("/enable") else 403
    return status, {"errorCode": key, "message": f"not for '{key}'", "statusCode": status, "data": [key]}
