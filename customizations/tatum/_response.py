"""Reading the API's answers: a success body into the spec's model, an error status into its exception.

The one place that turns an `httpx.Response` into what a method returns or raises. A success whose body breaks
the contract raises UnexpectedResponseError; an error status becomes the ApiError subclass of its status and
`errorCode`. Keys the API may echo back are scrubbed from everything an exception carries.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from ._constants import BODY_EXCERPT_LENGTH
from ._secrets import scrub, scrub_cut
from ._spec import Operation
from .errors import ApiError, RateLimitError, UnexpectedResponseError, error_class, request_id_of

if TYPE_CHECKING:
    from ._pipeline import Call

T = TypeVar("T")

# What a broken body can make the generated parsers raise (RecursionError: absurdly nested JSON).
_PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, RecursionError)


def excerpt(content: bytes, secrets: tuple[str, ...] = (), cut: bool = False) -> str:
    """The start of a response body, decoded leniently, for error messages; `secrets` scrubbed first.

    Scrubbing comes before cutting, so a key that straddles the cut cannot leave its first characters behind;
    a JSON body is quoted as decoded (so a key written with `\\u` escapes is found); `cut`: the body was cut
    at max_response_bytes, so a key's first characters at its end go too.
    """
    text = content.decode("utf-8", "replace")
    if secrets and "\\u" in text:  # JSON escapes could spell a key out: quote the JSON decoded
        with contextlib.suppress(ValueError, RecursionError):
            text = json.dumps(json.loads(text), ensure_ascii=False)
    text = scrub_cut(text, secrets) if cut else scrub(text, secrets)
    return text if len(text) <= BODY_EXCERPT_LENGTH else text[:BODY_EXCERPT_LENGTH] + "..."


def unexpected(
    reason: str, response: httpx.Response, secrets: tuple[str, ...], cut: bool = False
) -> UnexpectedResponseError:
    """UnexpectedResponseError for a success status whose body breaks the contract."""
    body = excerpt(response.content, secrets, cut)
    return UnexpectedResponseError(reason, response.status_code, body, scrub(dict(response.headers), secrets))


def parse_success(
    operation: Operation,
    what: str,
    parse: Callable[[httpx.Response], T],
    response: httpx.Response,
    secrets: tuple[str, ...],
) -> T:
    """A success answer's body, parsed by the generated `parse` (which checks it against the spec's types).

    `what` says what the body should be ("a customer"), for the error's reason. An operation that answers
    with a body must answer with its documented status; one without (204) may answer with any success.
    """
    status = response.status_code
    if status != operation.success_status and operation.success_status != 204:
        reason = f"not {what} (HTTP {status}, where the API documents {operation.success_status})"
        raise unexpected(reason, response, secrets)
    try:
        return parse(
            response
        )  # the generated parser checks each field's JSON type (templates/tatum_checks.jinja)
    except _PARSE_ERRORS as error:
        raise unexpected(f"not {what} ({type(error).__name__}: {error})", response, secrets) from error


_MAX_DATA_BYTES = 256 * 1024
"""An error body larger than this keeps no `data` (its message and code still come through): the data of a
validation error is a few items, and a hostile body's structure must not outgrow the body many times."""


def api_error(
    response: httpx.Response,
    retry_after: float | None = None,
    secrets: tuple[str, ...] = (),
    cut: bool = False,
) -> ApiError:
    """The typed exception for an error response, whatever its body (JSON, HTML, empty, truncated).

    Any of `secrets` (the API keys) that the body or headers echo is replaced by "***"; `cut`: the body was
    cut at max_response_bytes.
    """
    error_code: str | None = None
    message: str | None = None
    data: Any = None
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict):
        code = body.get("errorCode")
        error_code = scrub(code, secrets) if isinstance(code, str) else None
        text = body.get("message")
        message = text if isinstance(text, str) else None
        data = body.get("data") if len(response.content) <= _MAX_DATA_BYTES else None
    if message is None:
        message = excerpt(response.content, secrets, cut) or response.reason_phrase or "no body"
    cls = error_class(response.status_code, error_code)
    headers = scrub(dict(response.headers), secrets)
    args = (response.status_code, error_code, scrub(message, secrets), scrub(data, secrets), headers)
    if cls is RateLimitError:
        return RateLimitError(*args, retry_after=retry_after)
    return cls(*args)


class ApiResponse(Generic[T]):
    """A call's answer as it came, before parsing: what `api.with_raw_response.<method>(...)` returns.

    `parse()` gives what the plain method returns (the same model, or None for the 204 methods) and raises
    UnexpectedResponseError for a body that breaks the contract.
    """

    def __init__(
        self,
        call: Call[T],
        http_response: httpx.Response,
        *,
        attempts: int,
        elapsed: float,
        truncated: bool,
        secrets: tuple[str, ...],
    ) -> None:
        self.http_response = http_response
        """The httpx.Response of the last attempt (its body already read), as it came: the API key is not
        scrubbed from it, since it is the raw answer."""
        self.status_code = http_response.status_code
        self.elapsed = elapsed
        """Seconds the whole call took: every attempt, and every retry and rate-limit wait."""
        self.attempts = attempts
        """Attempts sent, the last one included."""
        self.credits = call.operation.credits
        """Credits this call spent (the API answered with success)."""
        self._call = call
        self._truncated = truncated
        self._secrets = secrets

    @functools.cached_property
    def headers(self) -> httpx.Headers:
        """The answer's headers (with any API key they echo replaced by "***")."""
        headers = self.http_response.headers
        if self._secrets and any(secret in value for secret in self._secrets for value in headers.values()):
            return httpx.Headers(scrub(dict(headers), self._secrets))
        return headers

    @property
    def request_id(self) -> str | None:
        """`x-request-id`, else Cloudflare's `cf-ray`, else None."""
        found: str | None = scrub(request_id_of(self.http_response.headers), self._secrets)
        return found

    def parse(self) -> T:
        """The body as the method's return value; UnexpectedResponseError if it breaks the contract."""
        call = self._call
        if self._truncated:
            reason = f"not {call.what}: the body is larger than max_response_bytes"
            raise unexpected(reason, self.http_response, self._secrets, cut=True)
        parsed = parse_success(call.operation, call.what, call.parse, self.http_response, self._secrets)
        if call.max_items is not None and isinstance(parsed, list) and len(parsed) > call.max_items:
            reason = f"a page of {len(parsed)} items, where at most {call.max_items} were asked for"
            raise self.unexpected(reason)
        return parsed

    def unexpected(self, reason: str) -> UnexpectedResponseError:
        """UnexpectedResponseError for this answer (its body breaks the contract for `reason`)."""
        return unexpected(reason, self.http_response, self._secrets)

    def __repr__(self) -> str:
        return (
            f"<ApiResponse {self._call.operation.name} HTTP {self.status_code}, request id {self.request_id}, "
            f"{self.attempts} attempt(s), {self.elapsed:.3f}s>"
        )
