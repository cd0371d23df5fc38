"""Retries, backoff, Retry-After and the unknown-outcome rule, with exact fault injection (MockTransport).

Delays are asserted through the Sdk's injectable `sleep`, never by timing the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import tatum
from support.scripted import CUSTOMER, INTERNAL_ID, Script, error_body, reply
from tatum import _retry

LIST = [CUSTOMER]


def test_503_503_200_succeeds_on_the_third_attempt() -> None:
    script = Script(reply(503), reply(503), reply(200, LIST))
    sdk = script.sdk()

    customers = sdk.mainnet().api().customer().find_all_customers(10)

    assert [c.id for c in customers] == [INTERNAL_ID]
    assert len(script.requests) == 3
    assert len(script.sleeps) == 2
    assert sdk.mainnet().credits_used == 1


def test_backoff_doubles_from_half_a_second_with_jitter() -> None:
    script = Script(reply(500), reply(502), reply(504), reply(200, LIST))

    script.sdk(max_retries=3).mainnet().api().customer().find_all_customers(10)

    first, second, third = script.sleeps
    assert 0.375 <= first <= 0.5
    assert 0.75 <= second <= 1.0
    assert 1.5 <= third <= 2.0


def test_backoff_is_capped() -> None:
    assert _retry.Backoff().delay(10, rand=0.0) == tatum.MAX_RETRY_DELAY
    assert _retry.Backoff().delay(1, rand=1.0) == 0.375


def test_429_with_retry_after_one_second_waits_exactly_one_second() -> None:
    script = Script(
        reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "1"}), reply(200, CUSTOMER)
    )

    script.sdk(rate_limit=None).mainnet().api().customer().get_customer_by_external_or_internal_id("651234")

    assert script.sleeps == [1.0]


def test_with_the_rate_limiter_a_429s_retry_after_is_the_least_it_waits() -> None:
    script = Script(
        reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "1"}), reply(200, CUSTOMER)
    )

    script.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("651234")

    assert len(script.sleeps) == 1 and script.sleeps[0] >= 1.0


def test_retry_after_as_an_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=5)
    script = Script(
        reply(503, headers={"Retry-After": format_datetime(when, usegmt=True)}), reply(200, CUSTOMER)
    )

    script.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("651234")

    assert len(script.sleeps) == 1
    assert 3.0 <= script.sleeps[0] <= 5.0


def test_retry_after_parsing() -> None:
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert _retry.retry_after_seconds("2", now) == 2.0
    assert _retry.retry_after_seconds(" 0.5 ", now) == 0.5
    assert _retry.retry_after_seconds("Mon, 23 Nov 2026 12:00:30 GMT", now) == 30.0
    assert _retry.retry_after_seconds("Mon, 23 Nov 2026 11:00:00 GMT", now) == 0.0  # in the past: now
    assert _retry.retry_after_seconds("-3", now) == 0.0
    assert _retry.retry_after_seconds("soon", now) is None
    assert _retry.retry_after_seconds("nan", now) is None
    assert _retry.retry_after_seconds(None, now) is None


def test_retry_after_past_the_cap_raises_without_sleeping() -> None:
    script = Script(reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "3600"}))

    with pytest.raises(tatum.RateLimitError) as caught:
        script.sdk().mainnet().api().customer().find_all_customers(10)

    assert caught.value.retry_after == 3600.0
    assert script.sleeps == []
    assert len(script.requests) == 1


def test_max_retries_zero_makes_one_attempt() -> None:
    script = Script(reply(503, error_body(503, None, "Service Unavailable")))

    with pytest.raises(tatum.ServerError) as caught:
        script.sdk(max_retries=0).mainnet().api().customer().find_all_customers(10)

    assert caught.value.status_code == 503
    assert len(script.requests) == 1
    assert script.sleeps == []


def test_retries_exhausted_raise_the_last_error() -> None:
    script = Script(reply(503), reply(502), reply(500, error_body(500, None, "Internal server error")))

    with pytest.raises(tatum.ServerError) as caught:
        script.sdk().mainnet().api().customer().find_all_customers(10)

    assert caught.value.status_code == 500
    assert caught.value.message == "Internal server error"
    assert len(script.requests) == 3


def test_with_options_changes_max_retries_for_the_copy_only() -> None:
    script = Script(reply(503), reply(503), reply(503), reply(503))
    sdk = script.sdk()

    with pytest.raises(tatum.ServerError):
        sdk.with_options(max_retries=0).mainnet().api().customer().find_all_customers(10)
    assert len(script.requests) == 1
    with pytest.raises(tatum.ServerError):
        sdk.mainnet().api().customer().find_all_customers(10)
    assert len(script.requests) == 4


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(status: int) -> None:
    script = Script(reply(status, error_body(status, "some.code")))

    with pytest.raises(tatum.ApiError):
        script.sdk().mainnet().api().customer().find_all_customers(10)

    assert len(script.requests) == 1


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_each_retryable_status_is_retried(status: int) -> None:
    script = Script(reply(status), reply(200, LIST))

    script.sdk().mainnet().api().customer().find_all_customers(10)

    assert len(script.requests) == 2


def test_a_connection_error_on_every_attempt_raises_api_connection_error() -> None:
    script = Script(*(httpx.ConnectError("Connection refused") for _ in range(3)))

    with pytest.raises(tatum.ApiConnectionError) as caught:
        script.sdk().mainnet().api().customer().find_all_customers(10)

    assert not isinstance(caught.value, tatum.ApiTimeoutError)
    assert "after 3 attempt(s)" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(script.requests) == 3


def test_a_timeout_raises_api_timeout_error() -> None:
    script = Script(*(httpx.ReadTimeout("timed out") for _ in range(3)))

    with pytest.raises(tatum.ApiTimeoutError):
        script.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("651234")

    assert len(script.requests) == 3


def test_a_dropped_connection_then_success_recovers() -> None:
    script = Script(httpx.RemoteProtocolError("peer closed connection"), reply(200, CUSTOMER))

    customer = script.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("651234")

    assert customer.id == INTERNAL_ID


def test_retries_work_with_an_injected_http_client() -> None:
    script = Script(reply(503), reply(200, LIST))
    with httpx.Client(transport=httpx.MockTransport(script)) as client:
        sleeps: list[float] = []
        sdk = tatum.Sdk("key", http_client=client, sleep=sleeps.append)

        sdk.mainnet().api().customer().find_all_customers(5)

    assert len(script.requests) == 2
    assert len(sleeps) == 1


STATE_GOALS = [
    ("activate_customer", "customer.active"),
    ("deactivate_customer", "customer.inactive"),
    ("enable_customer", "customer.enabled"),
    ("disable_customer", "customer.disabled"),
]


@pytest.mark.parametrize(("name", "goal"), STATE_GOALS)
@pytest.mark.parametrize(
    "first_failure",
    [httpx.ReadTimeout("timed out"), httpx.RemoteProtocolError("dropped"), reply(502), reply(504)],
    ids=["read-timeout", "dropped", "502", "504"],
)
def test_already_in_that_state_after_an_unknown_outcome_is_success(
    name: str, goal: str, first_failure: httpx.Response | Exception
) -> None:
    script = Script(first_failure, reply(403, error_body(403, goal)))
    sdk = script.sdk()

    assert getattr(sdk.mainnet().api().customer(), name)(INTERNAL_ID) is None

    assert len(script.requests) == 2
    assert sdk.mainnet().credits_used == 2


@pytest.mark.parametrize(("name", "goal"), STATE_GOALS)
def test_already_in_that_state_on_the_first_attempt_is_an_error(name: str, goal: str) -> None:
    script = Script(reply(403, error_body(403, goal)))
    sdk = script.sdk()

    with pytest.raises(tatum.CustomerStateError) as caught:
        getattr(sdk.mainnet().api().customer(), name)(INTERNAL_ID)

    assert caught.value.error_code == goal
    assert sdk.mainnet().credits_used == 0


@pytest.mark.parametrize(
    "known_failure",
    [httpx.ConnectError("refused"), reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "0"})],
    ids=["connect-error", "429"],
)
def test_after_a_failure_that_surely_did_not_reach_the_api_the_state_error_stands(
    known_failure: httpx.Response | Exception,
) -> None:
    script = Script(known_failure, reply(403, error_body(403, "customer.active")))

    with pytest.raises(tatum.CustomerStateError):
        script.sdk().mainnet().api().customer().activate_customer(INTERNAL_ID)


def test_another_state_code_after_an_unknown_outcome_is_still_an_error() -> None:
    script = Script(httpx.ReadTimeout("timed out"), reply(403, error_body(403, "customer.inactive")))

    with pytest.raises(tatum.CustomerStateError) as caught:
        script.sdk().mainnet().api().customer().activate_customer(INTERNAL_ID)

    assert caught.value.error_code == "customer.inactive"


async def test_async_retries_and_unknown_outcome_rule() -> None:
    script = Script(
        reply(503), httpx.ReadTimeout("timed out"), reply(403, error_body(403, "customer.enabled"))
    )
    sdk = script.async_sdk()

    await sdk.mainnet().api().customer().enable_customer(INTERNAL_ID)

    assert len(script.requests) == 3
    assert len(script.sleeps) == 2
    assert sdk.mainnet().credits_used == 2


async def test_async_429_retry_after_and_connection_errors() -> None:
    script = Script(
        reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "1"}),
        httpx.ConnectError("refused"),
        httpx.ConnectError("refused"),
    )

    with pytest.raises(tatum.ApiConnectionError):  # without the rate limiter, a 429 uses up a retry
        await script.async_sdk(rate_limit=None).testnet().api().customer().find_all_customers(10)

    assert script.sleeps[0] == 1.0
    assert len(script.requests) == 3


async def test_async_timeout_raises_api_timeout_error() -> None:
    script = Script(httpx.ConnectTimeout("slow"))

    with pytest.raises(tatum.ApiTimeoutError):
        await script.async_sdk(max_retries=0).mainnet().api().customer().find_all_customers(10)
