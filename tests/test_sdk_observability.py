"""Tracing (the otel extra: one span per call, retries as events, errors recorded) and TATUM_LOG."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import tatum
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from support.scripted import CUSTOMER, INTERNAL_ID, Script, error_body, reply
from tatum.testing import API_KEY_MAINNET, TatumSandbox

_EXPORTER = InMemorySpanExporter()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """The spans the SDK ends during the test (a tracer provider is set once for the process)."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        trace.set_tracer_provider(provider)
    _EXPORTER.clear()
    yield _EXPORTER
    _EXPORTER.clear()


def only(exporter: InMemorySpanExporter) -> ReadableSpan:
    (span,) = exporter.get_finished_spans()
    return span


def test_a_successful_call_is_one_span_with_its_attributes(spans: InMemorySpanExporter) -> None:
    script = Script(reply(200, CUSTOMER, headers={"x-request-id": "req-1"}))

    script.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("651234")

    span = only(spans)
    assert span.name == "tatum get_customer_by_external_or_internal_id"
    assert span.kind is trace.SpanKind.CLIENT
    assert dict(span.attributes or {}) == {
        "tatum.operation": "get_customer_by_external_or_internal_id",
        "tatum.network": "mainnet",
        "tatum.attempts": 1,
        "tatum.credits": 1,
        "http.response.status_code": 200,
        "tatum.request_id": "req-1",
    }
    assert span.status.status_code is StatusCode.UNSET


def test_each_retry_is_an_event_of_the_calls_span(spans: InMemorySpanExporter) -> None:
    script = Script(reply(503), reply(503), reply(204))

    script.sdk().testnet().api().customer().activate_customer(INTERNAL_ID)

    span = only(spans)
    assert [event.name for event in span.events] == ["tatum.retry", "tatum.retry"]
    assert span.events[0].attributes is not None
    assert span.events[0].attributes["tatum.reason"] == "HTTP 503 (backoff)"
    assert span.events[0].attributes["tatum.wait_seconds"] == script.sleeps[0]
    assert (span.attributes or {})["tatum.attempts"] == 3
    assert (span.attributes or {})["tatum.network"] == "testnet"


def test_a_failed_call_records_its_exception(spans: InMemorySpanExporter) -> None:
    script = Script(reply(403, error_body(403, "customer.not.exists"), headers={"x-request-id": "req-9"}))

    with pytest.raises(tatum.CustomerNotFoundError):
        script.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("nobody")

    span = only(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]
    assert str((span.events[0].attributes or {})["exception.type"]).endswith("CustomerNotFoundError")
    assert (span.attributes or {})["http.response.status_code"] == 403
    assert (span.attributes or {})["tatum.request_id"] == "req-9"
    assert (span.attributes or {})["tatum.credits"] == 0


async def test_async_calls_are_traced_the_same_way(spans: InMemorySpanExporter) -> None:
    script = Script(reply(500), reply(200, [CUSTOMER]))

    await script.async_sdk().mainnet().api().customer().find_all_customers(5)

    span = only(spans)
    assert span.name == "tatum find_all_customers"
    assert [event.name for event in span.events] == ["tatum.retry"]


async def test_an_async_failure_is_recorded(spans: InMemorySpanExporter) -> None:
    script = Script(reply(401, error_body(401, "subscription.invalid")))

    with pytest.raises(tatum.AuthenticationError):
        await script.async_sdk().mainnet().api().customer().find_all_customers(5)

    assert only(spans).status.status_code is StatusCode.ERROR


def test_a_validation_error_sends_nothing_and_makes_no_span(spans: InMemorySpanExporter) -> None:
    with pytest.raises(tatum.ValidationError):
        Script().sdk().mainnet().api().customer().find_all_customers(0)

    assert spans.get_finished_spans() == ()


def test_the_calls_span_is_current_while_it_runs(spans: InMemorySpanExporter) -> None:
    seen: list[str] = []

    def answer(request: object) -> object:
        seen.append((trace.get_current_span().get_span_context().span_id and "in a span") or "none")
        return reply(200, CUSTOMER)

    Script(answer).sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("651234")  # type: ignore[arg-type]

    assert seen == ["in a span"]


def test_without_a_tracer_provider_no_span_is_made() -> None:
    """In a fresh interpreter with opentelemetry-api installed but nothing configured."""
    code = (
        "from tatum import _tracing, _spec\n"
        "span = _tracing.call_span(_spec.OPERATIONS['find_all_customers'], 'mainnet')\n"
        "assert span is _tracing.NO_SPAN, span\n"
        "print('no span')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)

    assert result.stdout.strip() == "no span", result.stderr


# TATUM_LOG


def run_with_log(level: str, sandbox: TatumSandbox) -> subprocess.CompletedProcess[str]:
    code = (
        "from tatum import Sdk\n"
        "api = Sdk().mainnet().api().customer()\n"
        "api.find_all_customers(1)\n"
        "api.find_all_customers(1)\n"
    )
    env = {
        **os.environ,
        "TATUM_LOG": level,
        "TATUM_BASE_URL": sandbox.url,
        "TATUM_API_KEY_MAINNET": API_KEY_MAINNET,
    }
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def test_tatum_log_debug_prints_a_record_per_attempt_to_stderr(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.inject_fault(status=503, retry_after=0)

    result = run_with_log("debug", tatum_sandbox)

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any("INFO tatum: find_all_customers GET /v3/ledger/customer -> 503" in line for line in lines), (
        lines
    )
    assert any("retrying in 0.000s: HTTP 503 (Retry-After)" in line for line in lines), lines
    assert (
        sum("DEBUG tatum: find_all_customers GET /v3/ledger/customer -> 200" in line for line in lines) == 2
    )
    assert API_KEY_MAINNET not in result.stderr


def test_tatum_log_info_prints_only_retries_and_waits(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.inject_fault(status=503, retry_after=0)

    result = run_with_log("info", tatum_sandbox)

    assert "-> 503" in result.stderr
    assert "-> 200" not in result.stderr


def test_an_unknown_tatum_log_level_says_so_and_leaves_logging_off(tatum_sandbox: TatumSandbox) -> None:
    result = run_with_log("verbose", tatum_sandbox)

    assert result.returncode == 0
    assert result.stderr.strip() == "tatum: TATUM_LOG='verbose' is not one of debug, info; logging stays off"
