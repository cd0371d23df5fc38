"""The sandbox's ASGI application: Tatum's `/v3/ledger/customer` operations and the `/_sandbox/` controls.

A request to `/v3/` goes through, in order: the API key (401 when `--api-key` limits keys), the ledger's
counters, its next injected fault, the rate limit (429), the route (404; 405 for a method the path lacks),
the body cap (413), the spec's request checks (400), then the operation's rules (200, 204 or 403). Every
answer is JSON in Tatum's error shapes, and carries `x-ratelimit-persec` when the ledger has a rate limit;
nothing is ever a framework's default page, and nothing a client sends gets a 5xx it did not inject.

Ledgers: a request with an `x-api-key` header uses that key's ledger (keys are stored hashed); one without
uses the anonymous ledger of its network, testnet when the query has `type=testnet`, else mainnet.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from .._spec import packaged_spec
from .contract import Contract, excerpt, json_bytes, parse_json
from .faults import MAX_FAULT_BYTES, MAX_FAULTS, Fault, Faults, fault_from_json
from .limits import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_CUSTOMERS_IN_MEMORY,
    DEFAULT_MAX_CUSTOMERS_PER_LEDGER,
    DEFAULT_MAX_LEDGERS,
    DEFAULT_REQUEST_TIMEOUT,
    MAX_PER_SECOND,
)
from .ratelimit import RateLimiter, override_from_json
from .rules import OPERATIONS, Refusal, Reply
from .seed import DEMO_CUSTOMERS, MAX_ACTIVE_ACCOUNTS, customer_from_json, is_account_count, random_id
from .stats import Stats
from .store import CustomerRecord, Store, StoreFull

logger = logging.getLogger("tatum.sandbox")

MAX_MESSAGE = 500
"""The longest message of an error the sandbox itself words (not a fault's body, which the client gave)."""


@dataclass(frozen=True)
class Settings:
    """How a sandbox behaves (the command line's options)."""

    db: str = ":memory:"
    """SQLite file keeping the state across restarts; ":memory:" keeps it in memory."""
    seed: tuple[CustomerRecord, ...] = DEMO_CUSTOMERS
    """Customers every new ledger starts with."""
    api_keys: frozenset[str] = field(default_factory=frozenset)
    """The accepted API keys; empty: any key, and requests without one."""
    rate_limit: int | None = None
    """Calls per second per ledger before 429; None: no limit."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """The largest request body read; a larger one is answered 413."""
    max_ledgers: int = DEFAULT_MAX_LEDGERS
    """The most ledgers kept in memory (in-memory store; and every store's faults, limits and counters)."""
    max_customers_per_ledger: int = DEFAULT_MAX_CUSTOMERS_PER_LEDGER
    """The most customers a ledger may have; `POST /_sandbox/customers` past it is answered 409."""
    max_customers_in_memory: int = DEFAULT_MAX_CUSTOMERS_IN_MEMORY
    """The most customers an in-memory store holds in all ledgers: 409 past it (new ledgers make room for
    their seed by forgetting the least recently used ones). A `--db` file is not bounded by it."""
    max_faults: int = MAX_FAULTS
    """The most faults pending in all ledgers together; past it, `POST /_sandbox/faults` is answered 409."""
    max_fault_bytes: int = MAX_FAULT_BYTES
    """The most bytes of answers (bodies, `Retry-After`) pending faults hold in all; past it, 409."""

    max_connections: int = DEFAULT_MAX_CONNECTIONS
    """The most connections open at once; one more is closed as soon as it opens, without an answer (served
    with `tatum.sandbox.server`)."""
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    """Seconds to receive a whole request, head and body, from its first byte (a connection's first request:
    from the connection's opening); past it, a JSON 408 and the connection closes (served with
    `tatum.sandbox.server`)."""

    def __post_init__(self) -> None:
        """ValueError for a value the sandbox cannot run with (the command line's usage errors)."""
        seeded = max(1, len(self.seed))
        least = {
            "max_body_bytes": 1024,
            "max_ledgers": 1,
            "max_customers_per_ledger": seeded,
            "max_customers_in_memory": seeded,
            "max_faults": 1,
            "max_fault_bytes": 0,
            "max_connections": 1,
        }
        for name, minimum in least.items():
            if getattr(self, name) < minimum:
                reason = f" (the seed has {len(self.seed)} customers)" if minimum == seeded > 1 else ""
                raise ValueError(f"{_named(name)} must be at least {minimum}{reason}")
        if self.rate_limit is not None and not 1 <= self.rate_limit <= MAX_PER_SECOND:
            raise ValueError(f"{_named('rate_limit')} must be from 1 to {MAX_PER_SECOND}")
        if not 0 < self.request_timeout <= 3600:
            raise ValueError(f"{_named('request_timeout')} must be above 0 seconds, at most 3600")


def _named(setting: str) -> str:
    """A setting as an error names it: its field and its flag."""
    return f"{setting} (--{setting.replace('_', '-')})"


class Problem(Exception):
    """An answer that ends a request early: a status, a JSON body and headers."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON answer (ASCII-escaped, so any text can be echoed)."""
    return Response(json_bytes(body), status, headers=headers, media_type="application/json")


def _error(status: int, message: str) -> Problem:
    """A Problem with the error body of the sandbox's own answers; a message quoting what the client sent
    (a path, an id, field names) is cut to `MAX_MESSAGE` characters."""
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "\u2026"
    return Problem(status, {"message": message, "statusCode": status})


class Sandbox:
    """One sandbox: its settings, state, and the ASGI application `app` serving them."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.store = Store(
            self.settings.db,
            self.settings.seed,
            self.settings.max_ledgers,
            self.settings.max_customers_per_ledger,
            self.settings.max_customers_in_memory,
        )
        self.contract = Contract(packaged_spec())
        self.faults = Faults(
            self.settings.max_ledgers, self.settings.max_faults, self.settings.max_fault_bytes
        )
        self.limiter = RateLimiter(self.settings.rate_limit, self.settings.max_ledgers)
        self.stats = Stats(self.settings.max_ledgers)
        self.connections: dict[tuple[str, int], asyncio.BaseTransport] = {}
        """Open connections by client address, kept by `tatum.sandbox.server`, to drop them."""
        self._controls = Starlette(
            routes=[
                Route("/_sandbox/customers", self._create_customer, methods=["POST"]),
                Route("/_sandbox/customers/{id}/accounts", self._set_accounts, methods=["PUT"]),
                Route("/_sandbox/reset", self._reset, methods=["POST"]),
                Route("/_sandbox/faults", self._add_fault, methods=["POST"]),
                Route("/_sandbox/faults", self._clear_faults, methods=["DELETE"]),
                Route("/_sandbox/stats", self._stats, methods=["GET"]),
                Route("/_sandbox/rate-limit", self._set_rate_limit, methods=["PUT"]),
                Route("/_sandbox/rate-limit", self._clear_rate_limit, methods=["DELETE"]),
            ],
            exception_handlers={Problem: _problem, HTTPException: _http_error, Exception: _crash},
        )
        self._controls.router.redirect_slashes = False

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI application: `/_sandbox/` paths go to the controls, every other one to `/v3/` handling
        (without a framework's routing or middleware in between: it is the path a test suite waits on)."""
        if scope["type"] != "http":
            return
        headers = [(b"x-request-id", secrets.token_hex(12).encode())]  # as Tatum's gateway sends one
        if self.limiter.active:
            headers += self._limit_header(scope)
        send = _adding_headers(send, headers)
        if scope["path"].startswith("/_sandbox/"):
            with contextlib.suppress(ClientDisconnect):  # gone before its body came: no one to answer
                await self._controls(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self._api(request)
        except Problem as problem:
            response = json_response(problem.status, problem.body, problem.headers)
        except ClientDisconnect:
            return
        except Exception:
            logger.exception("the sandbox failed to answer %s %s", request.method, _raw_path(request))
            response = json_response(500, {"message": "Internal server error", "statusCode": 500})
        await response(scope, receive, send)

    def reset_all(self) -> None:
        """Every ledger back to its start: no pending faults, rate-limit windows and limits set at run time
        cleared, counters at zero."""
        self.store.wipe()
        self.faults.clear()
        self.limiter.clear()
        self.stats.clear()

    def close(self) -> None:
        self.store.close()

    def ledger_name(self, request: Request) -> str:
        """The ledger a request uses; Problem 401 when its key (or its lack of one) is not accepted."""
        ledger = self._ledger_of(request)
        if ledger is None:
            # The key itself is never echoed: it is a secret.
            raise Problem(
                401,
                {
                    "errorCode": "subscription.invalid",
                    "message": "Unable to find valid subscription for the given API key.",
                    "statusCode": 401,
                },
            )
        return ledger

    def _ledger_of(self, request: Request) -> str | None:
        """The ledger a request uses; None when its key (or its lack of one) is not accepted."""
        cached: str | None = request.scope.get("tatum.ledger", "")
        if cached != "":
            return cached
        key = request.headers.get("x-api-key")
        allowed = self.settings.api_keys
        ledger: str | None
        if key == "" or (allowed and key not in allowed):
            ledger = None
        elif key is not None:
            ledger = "key:" + hashlib.sha256(key.encode()).hexdigest()
        else:
            network = "testnet" if request.query_params.get("type") == "testnet" else "mainnet"
            ledger = "anonymous:" + network
        request.scope["tatum.ledger"] = ledger
        return ledger

    # /v3: Tatum's API

    async def _api(self, request: Request) -> Response:
        raw_path = _raw_path(request)
        if not raw_path.startswith("/v3/"):
            raise _not_found(request.method, raw_path)
        ledger_name = self.ledger_name(request)
        self.stats.received(ledger_name)
        fault = self.faults.next(ledger_name)
        if fault is not None:
            faulted = await self._apply(fault, request)
            if faulted is not None:
                return faulted
        retry_after = self.limiter.admit(ledger_name)
        if retry_after is not None:
            self.stats.rate_limited(ledger_name)
            body = {
                "errorCode": "rate.limit.exceeded",
                "message": f"Too many requests: at most {self.limiter.limit(ledger_name)} per second.",
                "statusCode": 429,
            }
            return json_response(429, body, {"Retry-After": retry_after})
        route = self.contract.match(raw_path)
        if route is None:
            raise _not_found(request.method, raw_path)
        operation_id = route.operations.get(request.method)
        if operation_id is None:
            message = f"Method {request.method} is not allowed on {route.template}"
            raise Problem(
                405, {"message": message, "statusCode": 405}, {"Allow": ", ".join(route.operations)}
            )
        checked = self.contract.check(
            route,
            operation_id,
            request.method,
            request.query_params,
            request.headers,
            request.headers.get("content-type", ""),
            await self._body(request),
        )
        if checked.problems:
            return json_response(
                400,
                {
                    "errorCode": "validation.failed",
                    "message": "Request validation failed. Please see data for additional information.",
                    "statusCode": 400,
                    "data": checked.problems,
                },
            )
        with self.store.ledger(ledger_name) as ledger:
            try:
                reply = OPERATIONS[operation_id](ledger, checked.parameters, checked.body)
            except Refusal as refusal:
                reply = Reply(403, refusal.body())
        if reply.body is None:
            return Response(status_code=reply.status)
        return json_response(reply.status, reply.body)

    async def _apply(self, fault: Fault, request: Request) -> Response | None:
        """Apply a fault: the answer it gives, or None to go on answering normally (after its delay)."""
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            client = request.scope.get("client")
            transport = self.connections.get(tuple(client)) if client else None
            if transport is None:
                raise _error(501, "This server cannot drop connections; serve with tatum.sandbox.server.")
            transport.close()
            await asyncio.sleep(0)  # the server sees the connection closed, and so sends nothing at all
            return Response(status_code=204)
        if fault.status is None:
            return None
        headers = {} if fault.retry_after is None else {"Retry-After": fault.retry_after}
        if fault.body is None:
            return Response(status_code=fault.status, headers=headers)
        return Response(fault.body, fault.status, headers=headers, media_type="application/json")

    def _limit_header(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        """`x-ratelimit-persec`: the limit of the request's ledger, if it has one, as Tatum sends it."""
        ledger = self._ledger_of(Request(scope))
        limit = self.limiter.limit(ledger) if ledger is not None else self.limiter.per_second
        return [] if limit is None else [(b"x-ratelimit-persec", str(limit).encode())]

    async def _body(self, request: Request) -> bytes:
        """The request's body, read up to `max_body_bytes`; Problem 413 past it (the server then reads the
        rest of the body and drops it, so the client gets the answer instead of a reset connection)."""
        limit = self.settings.max_body_bytes
        too_large = Problem(
            413,
            {
                "message": f"The request body is larger than {limit} bytes, the most this sandbox reads.",
                "statusCode": 413,
            },
        )
        with contextlib.suppress(ValueError):
            if int(request.headers.get("content-length", "0")) > limit:
                raise too_large
        chunks = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    async def _json_body(self, request: Request) -> Any:
        try:
            return parse_json(await self._body(request))
        except ValueError:
            raise _error(400, "the body must be valid JSON") from None

    # /_sandbox: the controls (not part of Tatum's API)

    async def _create_customer(self, request: Request) -> Response:
        ledger_name = self.ledger_name(request)
        try:
            customer = customer_from_json(await self._json_body(request), default_id=random_id())
        except ValueError as error:
            raise _error(400, str(error)) from None
        with self.store.ledger(ledger_name) as ledger:
            if ledger.get(customer.id) is not None:
                raise _error(409, f"A customer with id {customer.id} already exists.")
            if ledger.get_by_external_id(customer.external_id) is not None:
                raise _error(409, f"A customer with external ID {customer.external_id} already exists.")
            try:
                ledger.add(customer)
            except StoreFull as full:
                raise _error(409, str(full)) from None
        return json_response(201, customer.to_control())

    async def _set_accounts(self, request: Request) -> Response:
        ledger_name = self.ledger_name(request)
        data = await self._json_body(request)
        count = data.get("activeAccounts") if isinstance(data, dict) else None
        if not is_account_count(count) or len(data) != 1:
            raise _error(
                400, f'the body must be {{"activeAccounts": <an integer from 0 to {MAX_ACTIVE_ACCOUNTS}>}}'
            )
        id = request.path_params["id"]
        with self.store.ledger(ledger_name) as ledger:
            customer = ledger.get(id)
            if customer is None:
                raise _error(404, f"No customer with internal ID {id} in this ledger.")
            if count and not customer.active:
                raise _error(409, f"Customer {id} is inactive: it cannot have active accounts.")
            customer = replace(customer, active_accounts=count)
            ledger.save(customer)
        return json_response(200, customer.to_control())

    async def _reset(self, request: Request) -> Response:
        ledger_name = self.ledger_name(request)
        self.store.reset(ledger_name)
        self.faults.clear(ledger_name)
        self.limiter.clear(ledger_name)
        self.stats.clear(ledger_name)
        return Response(status_code=204)

    async def _stats(self, request: Request) -> Response:
        return json_response(200, self.stats.of(self.ledger_name(request)))

    async def _set_rate_limit(self, request: Request) -> Response:
        ledger_name = self.ledger_name(request)
        try:
            override = override_from_json(await self._json_body(request))
        except ValueError as error:
            raise _error(400, str(error)) from None
        self.limiter.set(ledger_name, override)
        return Response(status_code=204)

    async def _clear_rate_limit(self, request: Request) -> Response:
        self.limiter.clear(self.ledger_name(request))
        return Response(status_code=204)

    async def _add_fault(self, request: Request) -> Response:
        ledger_name = self.ledger_name(request)
        try:
            fault, count = fault_from_json(await self._json_body(request))
        except ValueError as error:
            raise _error(400, str(error)) from None
        try:
            self.faults.add(ledger_name, fault, count)
        except ValueError as error:
            raise _error(409, str(error)) from None
        return Response(status_code=204)

    async def _clear_faults(self, request: Request) -> Response:
        self.faults.clear(self.ledger_name(request))
        return Response(status_code=204)


def _adding_headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    """`send`, adding `headers` to the answer."""

    async def adding(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), *headers]}
        await send(message)

    return adding


def _raw_path(request: Request) -> str:
    """The request's path as sent, still percent-encoded."""
    raw = request.scope.get("raw_path")
    return raw.decode("utf-8", "replace") if raw else request.url.path


def _not_found(method: str, path: str) -> Problem:
    return _error(404, f"Cannot {excerpt(method)} {excerpt(path)}")


async def _problem(request: Request, error: Exception) -> Response:
    assert isinstance(error, Problem)
    return json_response(error.status, error.body, error.headers)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    body = {"message": error.detail, "statusCode": error.status_code}
    return json_response(error.status_code, body, error.headers)


async def _crash(request: Request, error: Exception) -> Response:
    return json_response(500, {"message": "Internal server error", "statusCode": 500})
