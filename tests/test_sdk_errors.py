"""Every error status and error code becomes its typed exception; broken bodies never leak raw errors."""

from __future__ import annotations

import pickle
from typing import Any

import httpx
import pytest
import tatum
import tatum_client.types
from support.scripted import CUSTOMER, INTERNAL_ID, Script, error_body, reply
from tatum import errors

VALIDATION_400 = {
    "errorCode": "validation.failed",
    "message": "Request validation failed. Please see data for additional information.",
    "statusCode": 400,
    "data": [
        {"target": {"externalId": ""}, "property": "externalId", "constraints": {"minLength": "too short"}}
    ],
}


@pytest.mark.parametrize(
    ("status", "code", "exception"),
    [
        (400, "validation.failed", tatum.BadRequestError),
        (401, "subscription.invalid", tatum.AuthenticationError),
        (401, "subscription.not.active", tatum.AuthenticationError),
        (403, "customer.not.exists", tatum.CustomerNotFoundError),
        (403, "customer.internal.not.exists", tatum.CustomerNotFoundError),
        (403, "customer.active", tatum.CustomerStateError),
        (403, "customer.inactive", tatum.CustomerStateError),
        (403, "customer.enabled", tatum.CustomerStateError),
        (403, "customer.disabled", tatum.CustomerStateError),
        (403, "customer.deactivate.account.active", tatum.CustomerStateError),
        (403, "some.future.code", tatum.ForbiddenError),
        (404, None, tatum.NotFoundError),
        (409, "conflict", tatum.ApiError),
        (429, "rate.limit.exceeded", tatum.RateLimitError),
        (500, None, tatum.ServerError),
        (502, None, tatum.ServerError),
        (503, None, tatum.ServerError),
        (504, None, tatum.ServerError),
    ],
)
def test_status_and_error_code_map_to_the_exception(
    status: int, code: str | None, exception: type[tatum.ApiError]
) -> None:
    body = VALIDATION_400 if status == 400 else error_body(status, code, "what went wrong")
    script = Script(reply(status, body, headers={"X-Request-Id": "req-1"}))

    with pytest.raises(tatum.ApiError) as caught:  # (without the limiter, a 429 too is raised at once)
        script.sdk(max_retries=0, rate_limit=None).mainnet().api().customer().activate_customer(INTERNAL_ID)

    error = caught.value
    assert type(error) is exception
    assert (error.status_code, error.error_code) == (status, code)
    assert error.message == body["message"]
    assert error.headers["x-request-id"] == "req-1"
    assert str(status) in str(error)
    if status == 400:
        assert error.data == VALIDATION_400["data"]
    else:
        assert error.data is None


def test_hierarchy_lets_callers_catch_broadly() -> None:
    assert issubclass(tatum.CustomerNotFoundError, tatum.ForbiddenError)
    assert issubclass(tatum.CustomerStateError, tatum.ForbiddenError)
    assert issubclass(tatum.ForbiddenError, tatum.ApiError)
    assert issubclass(tatum.ApiTimeoutError, tatum.ApiConnectionError)
    assert issubclass(tatum.ValidationError, ValueError)
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), tatum.TatumError)
        assert getattr(tatum, name) is getattr(errors, name)


def test_rate_limit_error_carries_retry_after() -> None:
    script = Script(reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "2"}))

    with pytest.raises(tatum.RateLimitError) as caught:  # no limiter: the 429 is a retry, and none is left
        script.sdk(max_retries=0, rate_limit=None).mainnet().api().customer().find_all_customers(10)

    assert caught.value.retry_after == 2.0


def test_an_html_502_page_becomes_a_server_error_with_an_excerpt() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>" + b"x" * 5000 + b"</body></html>"
    script = Script(reply(502, raw=page, headers={"Content-Type": "text/html"}))

    with pytest.raises(tatum.ServerError) as caught:
        script.sdk(max_retries=0).mainnet().api().customer().find_all_customers(10)

    assert caught.value.error_code is None
    assert caught.value.message.startswith("<html><head><title>502 Bad Gateway")
    assert len(caught.value.message) <= 210


def test_an_empty_error_body_uses_the_reason_phrase() -> None:
    script = Script(reply(500))

    with pytest.raises(tatum.ServerError) as caught:
        script.sdk(max_retries=0).mainnet().api().customer().find_all_customers(10)

    assert caught.value.message == "Internal Server Error"


@pytest.mark.parametrize(
    ("name", "args", "response", "reason"),
    [
        ("get_customer_by_external_or_internal_id", ("x",), reply(200, raw=b'{"id": "5e68c6658'), "not a customer"),
        ("get_customer_by_external_or_internal_id", ("x",), reply(200, {"id": INTERNAL_ID, "externalId": "x", "active": True}), "enabled"),
        ("get_customer_by_external_or_internal_id", ("x",), reply(200, [CUSTOMER]), "not a customer"),
        ("get_customer_by_external_or_internal_id", ("x",), reply(200, raw=b"<html>OK</html>"), "not a customer"),
        ("get_customer_by_external_or_internal_id", ("x",), reply(201, CUSTOMER), "not a customer"),
        ("find_all_customers", (10,), reply(200, CUSTOMER), "not a list of customers"),
        ("find_all_customers", (10,), reply(200, ["a", "b"]), "not a list of customers"),
        ("find_all_customers", (10,), reply(200, [{"id": INTERNAL_ID}]), "externalId"),
        ("find_all_customers", (10,), reply(200, None), "not a list of customers"),
        ("update_customer", (INTERNAL_ID, {"externalId": "x"}), reply(200, raw=b""), "not a customer"),
        ("find_all_customers", (10,), reply(200, [{"id": 1, "externalId": "x", "active": True, "enabled": True}]), "id is a int, not a str"),
        ("find_all_customers", (10,), reply(200, [{**CUSTOMER, "active": "yes"}]), "active is a str, not a bool"),
        ("get_customer_by_external_or_internal_id", ("x",), reply(200, {**CUSTOMER, "enabled": None}), "enabled is null"),
        ("get_customer_by_external_or_internal_id", ("x",), reply(200, {**CUSTOMER, "accountingCurrency": 978}), "accountingCurrency is a int"),
        ("find_all_customers", (10,), reply(200, raw=b"[" * 100000 + b"]" * 100000), "RecursionError"),
    ],
)  # fmt: skip
def test_a_success_status_with_a_contract_breaking_body_raises_unexpected_response(
    name: str, args: tuple[Any, ...], response: httpx.Response, reason: str
) -> None:
    script = Script(response)
    sdk = script.sdk()

    with pytest.raises(tatum.UnexpectedResponseError) as caught:
        getattr(sdk.mainnet().api().customer(), name)(*args)

    assert reason in str(caught.value)
    assert caught.value.status_code == response.status_code
    text = response.content.decode()
    assert caught.value.body == (text if len(text) <= 200 else text[:200] + "...")
    assert sdk.mainnet().credits_used == tatum.CREDIT_COSTS[name]  # the API answered with success: it charged


def test_truncated_json_in_an_error_body_still_gives_the_typed_error() -> None:
    script = Script(
        reply(403, raw=b'{"errorCode": "customer.not.exi', headers={"Content-Type": "application/json"})
    )

    with pytest.raises(tatum.ForbiddenError) as caught:
        script.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("x")

    assert caught.value.error_code is None
    assert caught.value.message == '{"errorCode": "customer.not.exi'


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_not_followed(status: int) -> None:
    script = Script(reply(status, headers={"Location": "https://evil.example/steal"}))

    with pytest.raises(tatum.ApiError) as caught:
        script.sdk().mainnet().api().customer().find_all_customers(10)

    assert caught.value.status_code == status
    assert len(script.requests) == 1


def test_error_bodies_that_are_json_but_not_objects() -> None:
    script = Script(reply(400, ["not", "an", "object"]))

    with pytest.raises(tatum.BadRequestError) as caught:
        script.sdk().mainnet().api().customer().find_all_customers(10)

    assert caught.value.error_code is None
    assert caught.value.message == '["not", "an", "object"]'


def test_absurdly_nested_error_bodies_still_give_the_typed_error() -> None:
    script = Script(reply(500, raw=b"[" * 100000 + b"]" * 100000))

    with pytest.raises(tatum.ServerError):
        script.sdk(max_retries=0).mainnet().api().customer().find_all_customers(10)


def test_optional_customer_fields_may_be_null_or_absent() -> None:
    body = {**CUSTOMER, "accountingCurrency": None}
    script = Script(reply(200, body))

    customer = script.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("x")

    assert customer.accounting_currency is None
    assert customer.customer_country is tatum_client.types.UNSET


@pytest.mark.parametrize(
    "error",
    [
        tatum.ApiError(409, "conflict", "m", [1], {"a": "b"}),
        tatum.CustomerStateError(403, "customer.active", "already", None, {}),
        tatum.RateLimitError(429, "rate", "slow down", retry_after=2.0),
        tatum.ValidationError("page_size", "must be <= 50"),
        tatum.CreditBudgetExceededError("find_all_customers", 1, 5, 5),
        tatum.UnexpectedResponseError("not a customer", 200, "{}", {"h": "v"}),
        tatum.ApiTimeoutError("no answer"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_every_error_survives_pickling(error: tatum.TatumError) -> None:
    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)
