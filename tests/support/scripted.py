"""Exact fault injection: an httpx.MockTransport that plays a script of responses and exceptions.

Used where a real server cannot be made to fail precisely (a timeout on attempt two, a truncated body);
everything else in the tests talks real HTTP on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import tatum

from .contract_server import SPEC_PATH, RecordedRequest, checker_for

KEY_MAINNET = "mainnet-secret-key-4f1d2c"
KEY_TESTNET = "testnet-secret-key-9a8b7c"
INTERNAL_ID = "5e68c66581f2ee32bc354087"
CUSTOMER: dict[str, Any] = {"id": INTERNAL_ID, "externalId": "651234", "active": True, "enabled": True}


def recorded(request: httpx.Request) -> RecordedRequest:
    """An httpx request in the contract checker's terms."""
    return RecordedRequest(
        method=request.method,
        raw_path=request.url.raw_path.decode("ascii").split("?", 1)[0],
        query=list(request.url.params.multi_items()),
        headers={name.lower(): value for name, value in request.headers.items()},
        body=request.content,
    )


Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def reply(
    status: int, body: Any = None, *, headers: dict[str, str] | None = None, raw: bytes | None = None
) -> httpx.Response:
    """A response to put in a script: JSON `body`, or `raw` bytes as they are."""
    content = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    all_headers = {"Content-Type": "application/json"} if body is not None else {}
    all_headers.update(headers or {})
    # A stream, not `content=`: httpx would read (and inflate) the body at once; the SDK must read it as it
    # reads a network stream.
    return httpx.Response(status, stream=httpx.ByteStream(content), headers=all_headers)


def error_body(status: int, code: str | None, message: str = "message") -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "statusCode": status}
    if code is not None:
        body["errorCode"] = code
    return body


class Script:
    """Plays `steps` in order, one per request; records every request; fails loudly when it runs out.

    Every request is validated against openapi/customer.yaml, as on the loopback contract server: a request
    the spec forbids raises AssertionError, which no SDK layer catches.
    """

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        problems = checker_for(SPEC_PATH).request_problems(recorded(request))
        if problems:
            raise AssertionError("\n".join(problems))
        if not self.steps:
            raise AssertionError(f"unscripted request {request.method} {request.url}")
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return step(request)

    def sleep(self, delay: float) -> None:
        """The Sdk's sleep: records each wait and moves the script's clock on by it, at once."""
        self.sleeps.append(delay)
        self.now += delay

    def clock(self) -> float:
        """The script's own time, in seconds: it moves only when the Sdk sleeps (so each script has its own
        rate limiter, and the limiter's waits are exact)."""
        return self.now

    def sdk(self, **options: Any) -> tatum.Sdk:
        """An Sdk sending through this script, recording waits in `self.sleeps` on the script's clock."""
        self.sleeps: list[float] = []
        self.now = 0.0
        options.setdefault("sleep", self.sleep)
        options.setdefault("clock", self.clock)
        return tatum.Sdk(
            KEY_MAINNET, KEY_TESTNET, http_client=httpx.Client(transport=httpx.MockTransport(self)), **options
        )

    def async_sdk(self, **options: Any) -> tatum.AsyncSdk:
        """An AsyncSdk sending through this script, recording waits in `self.sleeps` on the script's clock."""
        self.sleeps = []
        self.now = 0.0

        async def sleep(delay: float) -> None:
            self.sleep(delay)

        options.setdefault("sleep", sleep)
        options.setdefault("clock", self.clock)
        return tatum.AsyncSdk(
            KEY_MAINNET,
            KEY_TESTNET,
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(self)),
            **options,
        )
