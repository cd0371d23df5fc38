"""`@operation`: makes an SDK method carry its spec operation's credit cost (`api.activate_customer.credits`).

`api.activate_customer` is a plain bound method (so `inspect.signature`, `inspect.iscoroutinefunction` and
`help()` see the real method); the cost and the operation are attributes of its function, which a bound
method exposes too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import MethodType
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, cast, overload

from ._spec import OPERATIONS, Operation
from .errors import error_class

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
T = TypeVar("T")


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


class operation(Generic[T, P, R]):
    """Decorator for the methods that call one spec operation, named by the method (`activate_customer`).

    The docstring (`doc`, else the method's own) gets its `{credits}` replaced by the cost from the spec's
    `x-tatum-credits`, and a Raises section derived from the operation's statuses and error codes.
    """

    def __init__(self, func: Callable[Concatenate[T, P], R], doc: str | None = None) -> None:
        self.operation = OPERATIONS[func.__name__]
        self.credits = self.operation.credits
        self.source_doc = doc if doc is not None else (func.__doc__ or "")
        func.__doc__ = describe(self.source_doc, self.operation)
        vars(func).update(credits=self.credits, operation=self.operation)
        self._func = func
        self.__wrapped__ = func  # for inspect.signature and documentation tools
        self.__doc__ = func.__doc__
        self.__name__ = func.__name__

    def __call__(self, instance: T, *args: P.args, **kwargs: P.kwargs) -> R:
        """Called on the class (`CustomerApi.activate_customer(api, id)`), as a plain function would be."""
        return self._func(instance, *args, **kwargs)

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> operation[T, P, R]: ...

    @overload
    def __get__(self, instance: T, owner: type[Any]) -> BoundOperation[P, R]: ...

    def __get__(self, instance: T | None, owner: type[Any]) -> operation[T, P, R] | BoundOperation[P, R]:
        if instance is None:
            return self
        method = MethodType(self._func, instance)
        vars(instance)[self.__name__] = method  # cached: later lookups skip this descriptor
        return cast(BoundOperation[P, R], method)


def twin(
    sync: operation[Any, Any, Any],
) -> Callable[[Callable[Concatenate[T, P], R]], operation[T, P, R]]:
    """Decorator for the async twin of a sync operation method: the same operation, the same docstring."""

    def decorate(func: Callable[Concatenate[T, P], R]) -> operation[T, P, R]:
        return operation(func, doc=sync.source_doc)

    return decorate
