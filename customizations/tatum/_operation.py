"""SDK methods made from one description of each call, in the four shapes a resource offers.

A resource module describes each operation once, as a function named after it (`find_all_customers`) that checks
its arguments and returns a `Request`: the `Call` to send and the call's options. From that one function:

    find_all_customers = sync_operation(requests.find_all_customers)           # -> list[Customer]
    find_all_customers = sync_raw_operation(requests.find_all_customers)       # -> ApiResponse[list[Customer]]
    find_all_customers = async_operation(requests.find_all_customers)          # -> Awaitable[list[Customer]]
    find_all_customers = async_raw_operation(requests.find_all_customers)      # -> Awaitable[ApiResponse[...]]

Each is a descriptor: on an instance it gives a plain function (so `inspect.signature`, `help()` and
`inspect.iscoroutinefunction` see the real thing) carrying the operation's `credits` and `operation`, and whose
docstring has the cost and a Raises section filled in from the spec.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Generic, NamedTuple, ParamSpec, Protocol, TypeVar, overload

from ._pipeline import AsyncPipeline, Call, SyncPipeline
from ._response import ApiResponse
from ._spec import OPERATIONS, Operation
from .errors import error_class

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
T = TypeVar("T")


class Request(NamedTuple, Generic[T]):
    """A call checked and built, and the options it is to be sent with."""

    call: Call[T]
    options: Mapping[str, Any]


def raised_errors(operation: Operation) -> list[str]:
    """The exceptions a method can raise, from the statuses and 403 error codes its spec operation documents."""
    names = ["ValidationError", "CreditBudgetExceededError"]
    for status, codes in sorted(operation.error_codes.items()):
        if status == 403:
            names += sorted({error_class(403, code).__name__ for code in codes} or {"ForbiddenError"})
        else:
            names.append(error_class(status, None).__name__)
    names += ["ApiConnectionError", "ApiTimeoutError"]
    if operation.success_status != 204:
        names.append("UnexpectedResponseError")
    names.append("ApiError (any other status)")
    return list(dict.fromkeys(names))


def describe(doc: str, operation: Operation) -> str:
    """A method's docstring with its credit cost filled in and its Raises section appended, both from the spec."""
    text = inspect.cleandoc(doc).replace("{credits}", str(operation.credits))
    codes = operation.error_codes.get(403)
    forbidden = f" (403 codes: {', '.join(codes)})" if codes else ""
    return f"{text}\n\nRaises: {', '.join(raised_errors(operation))}{forbidden}."


class BoundOperation(Protocol[P, R_co]):
    """What `api.<method>` is to a type checker: callable as the method, with `.credits` and `.operation`."""

    credits: int
    operation: Operation

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...


_RAW_DOC = (
    "Like `{name}`, but returns the answer as an `ApiResponse` (status, headers, request id, credits...);\n"
    "its `.parse()` gives what `{name}` returns.\n\n"
)


class _Operation(Generic[P, R]):
    """A method of a resource, made from a request function; see the module's docstring."""

    def __init__(
        self,
        build: Callable[P, Request[Any]],
        bind: Callable[[Any, Callable[P, Request[Any]]], Callable[P, R]],
        returns: str,
        raw: bool,
    ) -> None:
        self.operation = OPERATIONS[build.__name__]
        self.credits = self.operation.credits
        self.__name__ = build.__name__
        self.__wrapped__ = build
        prefix = _RAW_DOC.format(name=build.__name__) if raw else ""
        self.__doc__ = describe(prefix + inspect.cleandoc(build.__doc__ or ""), self.operation)
        self.__signature__ = inspect.signature(build).replace(return_annotation=returns)
        self._build = build
        self._bind = bind

    def __call__(self, instance: object, *args: P.args, **kwargs: P.kwargs) -> R:
        """Called on the class (`CustomerApi.activate_customer(api, id)`), as a plain function would be."""
        return self.__get__(instance, type(instance))(*args, **kwargs)

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> _Operation[P, R]: ...

    @overload
    def __get__(self, instance: object, owner: type[Any]) -> BoundOperation[P, R]: ...

    def __get__(self, instance: object | None, owner: type[Any]) -> _Operation[P, R] | BoundOperation[P, R]:
        if instance is None:
            return self
        method: Any = self._bind(instance, self._build)
        method.__name__ = method.__qualname__ = self.__name__
        method.__doc__ = self.__doc__
        method.__wrapped__ = self._build
        method.__signature__ = self.__signature__
        method.credits = self.credits
        method.operation = self.operation
        vars(instance)[self.__name__] = method  # cached: later lookups skip this descriptor
        return method  # type: ignore[no-any-return]


def _returns(build: Callable[..., Any]) -> str:
    """The type a request function's Call parses to, as written (`Request[list[Customer]]` -> `list[Customer]`)."""
    annotation = str(inspect.signature(build).return_annotation)
    return annotation.removeprefix("Request[").removesuffix("]")


def sync_operation(build: Callable[P, Request[T]]) -> _Operation[P, T]:
    """The plain method: sends the request and returns the parsed answer."""

    def bind(resource: Any, build: Callable[P, Request[T]]) -> Callable[P, T]:
        pipeline: SyncPipeline = resource._pipeline

        def method(*args: P.args, **kwargs: P.kwargs) -> T:
            request = build(*args, **kwargs)
            return pipeline.send(request.call, request.options).parse()

        return method

    return _Operation(build, bind, _returns(build), raw=False)


def sync_raw_operation(build: Callable[P, Request[T]]) -> _Operation[P, ApiResponse[T]]:
    """The `with_raw_response` method: sends the request and returns the ApiResponse."""

    def bind(resource: Any, build: Callable[P, Request[T]]) -> Callable[P, ApiResponse[T]]:
        pipeline: SyncPipeline = resource._pipeline

        def method(*args: P.args, **kwargs: P.kwargs) -> ApiResponse[T]:
            request = build(*args, **kwargs)
            return pipeline.send(request.call, request.options)

        return method

    return _Operation(build, bind, f"ApiResponse[{_returns(build)}]", raw=True)


def async_operation(build: Callable[P, Request[T]]) -> _Operation[P, Coroutine[Any, Any, T]]:
    """The plain coroutine method."""

    def bind(resource: Any, build: Callable[P, Request[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
        pipeline: AsyncPipeline = resource._pipeline

        async def method(*args: P.args, **kwargs: P.kwargs) -> T:
            request = build(*args, **kwargs)
            return (await pipeline.send(request.call, request.options)).parse()

        return method

    return _Operation(build, bind, _returns(build), raw=False)


def async_raw_operation(
    build: Callable[P, Request[T]],
) -> _Operation[P, Coroutine[Any, Any, ApiResponse[T]]]:
    """The coroutine `with_raw_response` method."""

    def bind(
        resource: Any, build: Callable[P, Request[T]]
    ) -> Callable[P, Coroutine[Any, Any, ApiResponse[T]]]:
        pipeline: AsyncPipeline = resource._pipeline

        async def method(*args: P.args, **kwargs: P.kwargs) -> ApiResponse[T]:
            request = build(*args, **kwargs)
            return await pipeline.send(request.call, request.options)

        return method

    return _Operation(build, bind, f"ApiResponse[{_returns(build)}]", raw=True)
