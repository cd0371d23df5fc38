"""A loopback HTTP server for tests that holds both sides of the wire to the spec.

It answers each request with the next scripted reply, records every request exactly as it arrived (the raw,
still percent-encoded path included), and validates each request, and each reply it sends, against
openapi/customer.yaml with openapi-core. Any violation is kept in `violations`, and the `contract_server`
fixture fails the test at teardown if there is one, so no test can pass on a request the spec forbids.
Extra specs (such as Tatum's published contract, via `pytest --published-contract PATH`) validate requests too.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from tatum.sandbox.contract import match_path

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "customer.yaml"
SPEC_HOST = "https://api.tatum.io"


def load_spec(path: Path) -> dict[str, Any]:
    """A spec file (YAML or JSON) as a dict."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@dataclass
class RecordedRequest:
    """One request as the server received it."""

    method: str
    raw_path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return unquote(self.raw_path)

    @property
    def segments(self) -> list[str]:
        """The path's segments, each percent-decoded on its own."""
        return [unquote(part) for part in self.raw_path.split("/")[1:]]

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    """A scripted answer. `conforms=False` marks a deliberately off-contract reply (not validated)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    conforms: bool = True
    delay: float = 0.0


class SpecChecker:
    """Validates requests (and optionally replies) against one spec with openapi-core."""

    def __init__(self, spec: dict[str, Any], name: str, *, whole_document: bool = True) -> None:
        self.name = name
        self.templates = list(spec["paths"])
        # Cut-outs of a larger document (Tatum's published contract) are not valid documents on their own
        # (no info.title); their operations and schemas still validate requests.
        config = Config() if whole_document else Config(spec_validator_cls=None)
        self.api = OpenAPI.from_dict(spec, config=config)

    def to_openapi_request(self, request: RecordedRequest) -> MockRequest | None:
        found = match_path(self.templates, request.raw_path)
        if found is None:
            return None
        template, params = found
        return MockRequest(
            SPEC_HOST,
            request.method,
            request.raw_path,
            path_pattern=template,
            args=dict(request.query),
            view_args=params,
            headers=request.headers,
            data=request.body or None,
            content_type=request.headers.get("content-type", "application/json"),
        )

    def request_problems(self, request: RecordedRequest) -> list[str]:
        where = f"{request.method} {request.raw_path}"
        if len({name for name, _ in request.query}) != len(request.query):
            return [f"{self.name}: {where} repeats a query parameter"]
        openapi_request = self.to_openapi_request(request)
        if openapi_request is None:
            return [f"{self.name}: {where} matches no path of the spec"]
        try:
            self.api.validate_request(openapi_request)
        except Exception as error:  # openapi-core raises a family of errors; all mean "invalid"
            return [f"{self.name}: request {where} is invalid: {_describe(error)}"]
        return []

    def reply_problems(self, request: RecordedRequest, reply: Reply) -> list[str]:
        openapi_request = self.to_openapi_request(request)
        if openapi_request is None:
            return []
        content_type = reply.headers.get("Content-Type", "application/json")
        response = MockResponse(reply.body or b"", reply.status, reply.headers, content_type)
        try:
            self.api.validate_response(openapi_request, response)
        except Exception as error:
            return [
                f"{self.name}: reply {reply.status} to {request.method} {request.raw_path}: {_describe(error)}"
            ]
        return []


def _describe(error: BaseException) -> str:
    causes = [str(error)]
    inner = getattr(error, "schema_errors", None) or getattr(error.__cause__, "schema_errors", None) or []
    causes.extend(str(getattr(item, "message", item)) for item in inner)
    if error.__cause__ is not None:
        causes.append(str(error.__cause__))
    return "; ".join(dict.fromkeys(causes))


@functools.cache
def checker_for(path: Path) -> SpecChecker:
    """One checker per spec file for the whole run: building openapi-core's validators is slow."""
    return SpecChecker(load_spec(path), path.name, whole_document=path == SPEC_PATH)


class ContractServer:
    """See the module docstring. Use as a context manager, or through the `contract_server` fixture."""

    def __init__(self, extra_request_specs: Iterable[Path] = ()) -> None:
        self.checker = checker_for(SPEC_PATH)
        self.request_checkers = [self.checker] + [checker_for(path.resolve()) for path in extra_request_specs]
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.connections = 0
        """TCP connections accepted so far (keep-alive reuse keeps it low)."""
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def reply(
        self,
        status: int,
        json_body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        conforms: bool = True,
        delay: float = 0.0,
    ) -> None:
        """Queue the answer to the next request, sent after `delay` seconds."""
        body = b"" if json_body is None else json.dumps(json_body).encode()
        all_headers = {"Content-Type": "application/json"} if body else {}
        all_headers.update(headers or {})
        self._replies.append(Reply(status, body, all_headers, conforms, delay))

    @property
    def last(self) -> RecordedRequest:
        return self.requests[-1]

    def __enter__(self) -> ContractServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            for checker in self.request_checkers:
                self.violations.extend(checker.request_problems(request))
            reply = self._replies.popleft() if self._replies else Reply(599, b"no reply scripted")
            if reply.status == 599:
                self.violations.append(f"unexpected request {request.method} {request.raw_path}")
            elif reply.conforms:
                self.violations.extend(self.checker.reply_problems(request, reply))
        return reply

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server.connections += 1

            def _handle(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                recorded = RecordedRequest(
                    method=self.command,
                    raw_path=split.path,
                    query=parse_qsl(split.query, keep_blank_values=True),
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                reply = server._answer(recorded)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
