"""`@operation`: makes an SDK method carry its spec operation's credit cost (`api.activate_customer.credits`)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from ._spec import OPERATIONS, Operation
from .errors import error_class

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

# Docstrings by method name: the async twin of a method reuses its sync docstring.
_DOCS: dict[str, str] = {}


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
    return list(dict.fromkeys(names))


def describe(doc: str, operation: Operation) -> str:
    """A method's docstring with its credit cost filled in and its Raises section appended, both from the spec."""
    text = inspect.cleandoc(doc).replace("{credits}", str(operation.credits))
    codes = operation.error_codes.get(403)
    forbidden = f" (403 codes: {', '.join(codes)})" if codes else ""
    return f"{text}\n\nRaises: {', '.join(raised_errors(operation))}{forbidden}."


class BoundOperation(Generic[P, R]):
    """An SDK method bound to its API object. Call it as the method; `.credits` is its cost per call."""

    def __init__(self, func: Callable[P, R], operation: Operation, doc: str) -> None:
        self._func = func
        self.operation = operation
        self.credits = operation.credits
        self.__name__ = operation.name
        self.__doc__ = doc

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<operation {self.operation.name} ({self.operation.method} {self.operation.path}, {self.credits} credits)>"


class operation(Generic[T, P, R]):
    """Decorator for the methods that call one spec operation, named by the method (`activate_customer`).

    The docstring's `{credits}` is replaced by the cost from the spec's `x-tatum-credits`, and a Raises section
    derived from the operation's documented statuses and error codes is appended.
    """

    def __init__(self, func: Callable[Concatenate[T, P], R]) -> None:
        self._func = func
        self.__wrapped__ = func  # for inspect.signature and documentation tools
        self.operation = OPERATIONS[func.__name__]
        self.credits = self.operation.credits
        doc = func.__doc__ or _DOCS.get(func.__name__, "")
        _DOCS.setdefault(func.__name__, doc)
        self.__doc__ = describe(doc, self.operation)
        self._name = func.__name__

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> operation[T, P, R]: ...

    @overload
    def __get__(self, instance: T, owner: type[Any]) -> BoundOperation[P, R]: ...

    def __get__(self, instance: T | None, owner: type[Any]) -> operation[T, P, R] | BoundOperation[P, R]:
        if instance is None:
            return self
        func = self._func

        def bound(*args: P.args, **kwargs: P.kwargs) -> R:
            return func(instance, *args, **kwargs)

        method = BoundOperation(bound, self.operation, self.__doc__ or "")
        instance.__dict__[self._name] = method  # cached: later lookups skip this descriptor
        return method
