"""The SDK's exceptions. Every failure the public API raises is a TatumError.

TatumError
├── ValidationError (also ValueError)   bad input; raised before anything is sent
├── CreditBudgetExceededError           the call would pass credit_budget; nothing sent
├── UnexpectedResponseError             a success status whose body breaks the contract
├── SharedStateError                    the Redis of `redis_url` cannot be reached; nothing sent
├── ApiConnectionError                  no answer from the API, after retries
│   └── ApiTimeoutError                 (also: the call's deadline passed)
└── ApiError                            the API answered with an error status
    ├── BadRequestError        400        ├── NotFoundError   404
    ├── AuthenticationError    401        ├── RateLimitError  429
    ├── ForbiddenError         403        └── ServerError     5xx
    │   ├── CustomerNotFoundError
    │   └── CustomerStateError
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._constants import REQUEST_ID_HEADERS
from ._headers import header
from ._spec import ERROR_KINDS

__all__ = [
    "ApiConnectionError",
    "ApiError",
    "ApiTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CreditBudgetExceededError",
    "CustomerNotFoundError",
    "CustomerStateError",
    "ForbiddenError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "SharedStateError",
    "TatumError",
    "UnexpectedResponseError",
    "ValidationError",
]


class TatumError(Exception):
    """Base of every exception the SDK raises."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take their own constructor arguments; rebuild from args and attributes instead, so
        # every error survives pickling (multiprocessing, task queues).
        return (_restore, (type(self), self.args), self.__dict__)


def _restore(cls: type[TatumError], args: tuple[Any, ...]) -> TatumError:
    error = cls.__new__(cls)
    error.args = args
    return error


class ValidationError(TatumError, ValueError):
    """An argument breaks the API's constraints; raised before any request is sent.

    `parameter` names the argument (or `argument.field`), `rule` the constraint it breaks.
    """

    def __init__(self, parameter: str, rule: str) -> None:
        super().__init__(f"{parameter}: {rule}")
        self.parameter = parameter
        self.rule = rule


class CreditBudgetExceededError(TatumError):
    """The call would spend more credits than the Sdk's `credit_budget` allows; nothing was sent."""

    def __init__(self, operation: str, cost: int, used: int, budget: int) -> None:
        super().__init__(
            f"{operation} costs {cost} credit(s); {used} of the budget of {budget} are spent or reserved"
        )
        self.operation = operation
        self.cost = cost
        self.used = used
        self.budget = budget


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """A response's request id: the API's `x-request-id`, else Cloudflare's `cf-ray`, else None."""
    for name in REQUEST_ID_HEADERS:
        value = header(headers, name)
        if value:
            return value
    return None


def _with_request_id(text: str, request_id: str | None) -> str:
    return text if request_id is None else f"{text} [request id {request_id}]"


class UnexpectedResponseError(TatumError):
    """The API answered with a success status, but the body is not what the contract promises."""

    def __init__(self, reason: str, status_code: int, body: str, headers: Mapping[str, str]) -> None:
        self.headers = dict(headers)
        self.request_id = request_id_of(self.headers)
        super().__init__(_with_request_id(f"{reason} (HTTP {status_code}; body: {body!r})", self.request_id))
        self.reason = reason
        self.status_code = status_code
        self.body = body


class SharedStateError(TatumError):
    """The Redis given as `redis_url` cannot be reached: the rate limiter and credit budget it shares cannot be
    kept, so nothing was sent (the SDK never falls back to a limit of its own process)."""


class ApiConnectionError(TatumError):
    """No answer from the API (connection refused or dropped, DNS, TLS...), after every retry."""


class ApiTimeoutError(ApiConnectionError):
    """The API did not answer within the timeout, after every retry; or the call's deadline passed."""


class ApiError(TatumError):
    """The API answered with an error status. The base class also stands for statuses with no subclass."""

    def __init__(
        self,
        status_code: int,
        error_code: str | None,
        message: str,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        code = f" {error_code}" if error_code else ""
        self.headers = dict(headers or {})
        self.request_id = request_id_of(self.headers)
        """`x-request-id` of the answer, else Cloudflare's `cf-ray`, else None: quote it to Tatum's support."""
        super().__init__(_with_request_id(f"HTTP {status_code}{code}: {message}", self.request_id))
        self.status_code = status_code
        self.error_code = error_code
        self.message = message
        self.data = data


class BadRequestError(ApiError):
    """400: the API refused the request; `data` lists the validation items."""


class AuthenticationError(ApiError):
    """401: the API key is missing, invalid (`subscription.invalid`) or inactive (`subscription.not.active`)."""


class ForbiddenError(ApiError):
    """403: authenticated, but the operation is not possible."""


class CustomerNotFoundError(ForbiddenError):
    """403 `customer.not.exists` / `customer.internal.not.exists`: no such customer."""


class CustomerStateError(ForbiddenError):
    """403: the customer's state forbids the operation (`customer.active`, `.inactive`, `.enabled`, `.disabled`,
    `.deactivate.account.active`)."""


class NotFoundError(ApiError):
    """404: no such route (an id that changed the path, or a wrong base URL)."""


class RateLimitError(ApiError):
    """429: too many requests. `retry_after` is the wait the API asked for, in seconds, or None."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the API (or a gateway before it) failed."""


# The exception of each kind of 403 errorCode the spec names (`x-tatum-error-kinds`).
_FORBIDDEN_KINDS: dict[str, type[ForbiddenError]] = {
    "customer-not-found": CustomerNotFoundError,
    "customer-state": CustomerStateError,
}
_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    429: RateLimitError,
}


def error_class(status_code: int, error_code: str | None) -> type[ApiError]:
    """The exception class for an error status and its `errorCode`."""
    if status_code == 403:
        return _FORBIDDEN_KINDS.get(ERROR_KINDS.get(error_code or "", ""), ForbiddenError)
    if status_code >= 500:
        return ServerError
    return _BY_STATUS.get(status_code, ApiError)
