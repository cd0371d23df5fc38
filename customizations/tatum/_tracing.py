"""OpenTelemetry spans (the `otel` extra): one span per call, each retry an event, a failure recorded.

The span is `tatum <operation>` with the attributes `tatum.operation`, `tatum.network`, `tatum.credits`,
`tatum.attempts`, `http.response.status_code` and `tatum.request_id`. Without opentelemetry-api installed, or
with no tracer provider configured, a call costs one check and makes no span.
"""

from __future__ import annotations

import importlib.util
from types import TracebackType
from typing import Any

from ._spec import Operation
from ._version import __version__

_AVAILABLE = importlib.util.find_spec("opentelemetry") is not None
_trace: Any = None  # opentelemetry.trace, imported at the first call that could trace


class CallSpan:
    """The span of one call, or nothing (`NO_SPAN`) when tracing is off."""

    def __init__(self, span: Any = None, scope: Any = None) -> None:
        self._span = span
        self._scope = scope

    def __enter__(self) -> CallSpan:
        if self._scope is not None:
            self._scope.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._scope is not None:
            self._scope.__exit__(kind, error, traceback)  # records the exception, sets the status, ends

    def retry(self, seconds: float, reason: str) -> None:
        """A retry (or a wait in the rate limiter's line after a 429) follows."""
        if self._span is not None:
            self._span.add_event("tatum.retry", {"tatum.wait_seconds": seconds, "tatum.reason": reason})

    def answered(self, status_code: int | None, attempts: int, request_id: str | None, credits: int) -> None:
        """What the call came to; `status_code` None when the API never answered."""
        span = self._span
        if span is None:
            return
        span.set_attribute("tatum.attempts", attempts)
        span.set_attribute("tatum.credits", credits)
        if status_code is not None:
            span.set_attribute("http.response.status_code", status_code)
        if request_id is not None:
            span.set_attribute("tatum.request_id", request_id)


NO_SPAN = CallSpan()


def call_span(operation: Operation, network: str) -> CallSpan:
    """The span of a call of `operation`, current while the call runs; NO_SPAN when tracing is off."""
    global _trace
    if not _AVAILABLE:
        return NO_SPAN
    if _trace is None:
        import opentelemetry.trace

        _trace = opentelemetry.trace
    if isinstance(_trace.get_tracer_provider(), _trace.ProxyTracerProvider):  # none configured
        return NO_SPAN
    tracer = _trace.get_tracer("tatum", __version__)
    span = tracer.start_span(
        f"tatum {operation.name}",
        kind=_trace.SpanKind.CLIENT,
        attributes={"tatum.operation": operation.name, "tatum.network": network},
    )
    return CallSpan(span, _trace.use_span(span, end_on_exit=True, record_exception=True))
