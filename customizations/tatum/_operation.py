"""`@operation`: makes an SDK method carry its spec operation's credit cost (`api.activate_customer.credits`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from ._spec import OPERATIONS, Operation

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

# Docstrings by method name: the async twin of a method reuses its sync docstring.
_DOCS: dict[str, str] = {}


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

    The docstring's `{credits}` is replaced by the cost from the spec's `x-tatum-credits`.
    """

    def __init__(self, func: Callable[Concatenate[T, P], R]) -> None:
        self._func = func
        self.operation = OPERATIONS[func.__name__]
        self.credits = self.operation.credits
        doc = func.__doc__ or _DOCS.get(func.__name__, "")
        _DOCS.setdefault(func.__name__, doc)
        self.__doc__ = doc.replace("{credits}", str(self.credits))
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
