"""Per-call options, the deadline, with_options, backoff settings, raw responses, request ids and pages."""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx
import pytest
import tatum
from support.contract_server import ContractServer
from support.drip import DripServer
from support.scripted import CUSTOMER, INTERNAL_ID, KEY_MAINNET, Script, error_body, reply

# Per-call options reach the request, and are checked like the Sdk's own.


def test_extra_headers_and_query_are_sent_with_that_call_only() -> None:
    script = Script(reply(200, [CUSTOMER]), reply(200, [CUSTOMER]))
    api = script.sdk().mainnet().api().customer()

    api.find_all_customers(10, extra_headers={"X-Trace": "t-1"}, extra_query={"x": "1"})
    api.find_all_customers(10)

    first, second = script.requests
    assert (first.headers["x-trace"], first.url.params["x"], first.url.params["pageSize"]) == (
        "t-1",
        "1",
        "10",
    )
    assert "x-trace" not in second.headers and "x" not in second.url.params
    assert first.headers["x-api-key"] == KEY_MAINNET


@pytest.mark.parametrize(
    "name", ["x-api-key", "X-API-KEY", "X-Api-Key", "Host", "content-length", "Transfer-Encoding"]
)
def test_extra_headers_cannot_set_the_key_or_the_framing(name: str) -> None:
    script = Script()

    with pytest.raises(tatum.ValidationError, match="cannot be set per call"):
        script.sdk().mainnet().api().customer().find_all_customers(10, extra_headers={name: "other-key"})

    assert script.requests == []


@pytest.mark.parametrize(
    "headers",
    [
        {"X-A": "v\r\nx-api-key: second"},
        {"X-A\r\nx-api-key": "v"},
        {"X A": "v"},
        {"X-A": 1},
        {"": "v"},
        ["X-A"],
    ],
)
def test_extra_headers_cannot_smuggle_a_second_header(headers: Any) -> None:
    script = Script()

    with pytest.raises(tatum.ValidationError) as caught:
        script.sdk().mainnet().api().customer().find_all_customers(10, extra_headers=headers)

    assert caught.value.parameter == "extra_headers"
    assert script.requests == []


@pytest.mark.parametrize(
    "query", [{"pageSize": "50"}, {"offset": "0"}, {"type": "mainnet"}, {"x": 1}, {"": "v"}]
)
def test_extra_query_cannot_override_what_the_method_or_the_network_sets(query: Any) -> None:
    script = Script()
    keyless = tatum.Sdk(
        http_client=httpx.Client(transport=httpx.MockTransport(script))
    )  # testnet: type=testnet

    with pytest.raises(tatum.ValidationError) as caught:
        keyless.testnet().api().customer().find_all_customers(10, extra_query=query)

    assert caught.value.parameter == "extra_query"
    assert script.requests == []


def test_an_unknown_option_is_a_validation_error_naming_it() -> None:
    with pytest.raises(tatum.ValidationError, match="timeoutt: is not an option"):
        Script().sdk().mainnet().api().customer().find_all_customers(10, timeoutt=1)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("option", "value"), [("timeout", 0), ("max_retries", -1), ("deadline", 0), ("deadline", "5")]
)
def test_bad_option_values_are_validation_errors(option: str, value: Any) -> None:
    with pytest.raises(tatum.ValidationError) as caught:
        Script().sdk().mainnet().api().customer().find_all_customers(10, **{option: value})

    assert caught.value.parameter == option


def test_max_retries_per_call_overrides_the_sdks() -> None:
    script = Script(reply(503), reply(503), reply(503))
    api = script.sdk(max_retries=5).mainnet().api().customer()

    with pytest.raises(tatum.ServerError):
        api.find_all_customers(10, max_retries=1)

    assert len(script.requests) == 2


def test_timeout_per_call_reaches_the_request() -> None:
    script = Script(reply(200, [CUSTOMER]))

    script.sdk().mainnet().api().customer().find_all_customers(10, timeout=httpx.Timeout(3.0, connect=1.0))

    assert script.requests[0].extensions["timeout"] == {
        "connect": 1.0,
        "read": 3.0,
        "write": 3.0,
        "pool": 3.0,
    }


def test_a_slow_server_times_out_with_the_calls_timeout(contract_server: ContractServer) -> None:
    contract_server.reply(200, [CUSTOMER], delay=1.0)
    sdk = tatum.Sdk(KEY_MAINNET, base_url=contract_server.url, max_retries=0)  # its timeout: 30 s
    with sdk, pytest.raises(tatum.ApiTimeoutError):
        sdk.mainnet().api().customer().find_all_customers(1, timeout=0.1)


# The deadline bounds the whole call.


def test_a_retry_wait_that_would_pass_the_deadline_ends_the_call_at_once() -> None:
    script = Script(reply(503, headers={"Retry-After": "5"}), reply(200, [CUSTOMER]))

    with pytest.raises(tatum.ApiTimeoutError, match="deadline passed after 1 attempt") as caught:
        script.sdk().mainnet().api().customer().find_all_customers(10, deadline=3)

    assert script.sleeps == []  # it did not wait 5 s to find out
    assert isinstance(caught.value.__cause__, tatum.ServerError)


def test_retries_within_the_deadline_go_on() -> None:
    script = Script(reply(503, headers={"Retry-After": "1"}), reply(200, [CUSTOMER]))

    assert len(script.sdk().mainnet().api().customer().find_all_customers(10, deadline=3)) == 1
    assert script.sleeps == [1.0]


def test_with_options_deadline_and_default_headers() -> None:
    script = Script(reply(200, CUSTOMER), reply(503, headers={"Retry-After": "9"}))
    sdk = script.sdk().with_options(deadline=5, default_headers={"X-Team": "payments"})
    api = sdk.mainnet().api().customer()

    api.get_customer_by_external_or_internal_id("651234", extra_headers={"X-Trace": "t"})
    with pytest.raises(tatum.ApiTimeoutError):
        api.get_customer_by_external_or_internal_id("651234")

    assert script.requests[0].headers["x-team"] == "payments"
    assert script.requests[0].headers["x-trace"] == "t"
    assert sdk.deadline == 5.0
    assert sdk.with_options(deadline=None).deadline is None


def test_default_headers_cannot_set_the_key() -> None:
    with pytest.raises(tatum.ValidationError, match="default_headers"):
        tatum.Sdk(default_headers={"x-api-key": "other"})


def test_backoff_is_set_per_sdk() -> None:
    script = Script(reply(503), reply(503), reply(503), reply(200, [CUSTOMER]))
    backoff = tatum.Backoff(initial=1.0, maximum=3.0, jitter=0.0)

    script.sdk(max_retries=3, backoff=backoff).mainnet().api().customer().find_all_customers(10)

    assert script.sleeps == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(("field", "value"), [("initial", -1), ("maximum", float("inf")), ("jitter", 1.5)])
def test_backoff_values_are_checked(field: str, value: float) -> None:
    with pytest.raises(tatum.ValidationError, match=f"backoff.{field}"):
        tatum.Backoff(**{field: value})


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_dripping_server_cannot_hold_a_sync_call_past_its_deadline(
    part: Literal["headers", "body"],
) -> None:
    with DripServer(part) as server:
        sdk = tatum.Sdk(KEY_MAINNET, base_url=server.url, rate_limit=None)
        with sdk, pytest.raises(tatum.ApiTimeoutError, match="deadline"):
            sdk.mainnet().api().customer().get_customer_by_external_or_internal_id(
                "c-1", timeout=2, deadline=0.5
            )

    assert len(server.sent) == 1  # no retry once the deadline passed
    assert server.sent[0] < len(server.answer)  # the client hung up before the answer was through


@pytest.mark.parametrize("part", ["headers", "body"])
async def test_a_dripping_server_cannot_hold_an_async_call_past_its_deadline(
    part: Literal["headers", "body"],
) -> None:
    with DripServer(part) as server:
        async with tatum.AsyncSdk(KEY_MAINNET, base_url=server.url, rate_limit=None) as sdk:
            with pytest.raises(tatum.ApiTimeoutError):
                await (
                    sdk.mainnet()
                    .api()
                    .customer()
                    .get_customer_by_external_or_internal_id("c-1", timeout=2, deadline=0.5)
                )

    assert server.sent[0] < len(server.answer)


def test_a_given_sync_client_still_keeps_the_deadline_between_body_chunks() -> None:
    with DripServer("body") as server, httpx.Client() as client:
        sdk = tatum.Sdk(KEY_MAINNET, base_url=server.url, http_client=client, rate_limit=None)
        with pytest.raises(tatum.ApiTimeoutError):
            sdk.mainnet().api().customer().get_customer_by_external_or_internal_id("c-1", deadline=0.5)

    assert server.sent[0] < len(server.answer)


# Raw responses and request ids.


def test_with_raw_response_gives_the_answer_and_parse_gives_the_model() -> None:
    headers = {"X-Request-Id": "req-42", "x-ratelimit-persec": "5"}
    script = Script(reply(503), reply(200, CUSTOMER, headers=headers))
    api = script.sdk().mainnet().api().customer()

    raw = api.with_raw_response.get_customer_by_external_or_internal_id("651234")

    assert (raw.status_code, raw.request_id, raw.attempts, raw.credits) == (200, "req-42", 2, 1)
    assert raw.headers["x-ratelimit-persec"] == "5"
    assert raw.elapsed == script.sleeps[0]  # on the script's clock: only the retry's wait took time
    assert isinstance(raw.http_response, httpx.Response)
    assert raw.parse().id == INTERNAL_ID
    assert "req-42" in repr(raw)


def test_a_raw_204_parses_to_none_and_a_broken_body_raises_on_parse() -> None:
    script = Script(reply(204), reply(200, {"id": 1}))
    raw = script.sdk().mainnet().api().customer().with_raw_response

    assert raw.activate_customer(INTERNAL_ID).parse() is None
    broken = raw.get_customer_by_external_or_internal_id("651234")  # no exception yet: the API answered 200
    assert broken.status_code == 200
    with pytest.raises(tatum.UnexpectedResponseError):
        broken.parse()


async def test_async_raw_response() -> None:
    script = Script(reply(200, [CUSTOMER], headers={"cf-ray": "8a1b2c3d4e-AMS"}))
    raw = await script.async_sdk().testnet().api().customer().with_raw_response.find_all_customers(5)

    assert raw.request_id == "8a1b2c3d4e-AMS"  # no x-request-id: Cloudflare's ray id
    assert [c.id for c in raw.parse()] == [INTERNAL_ID]


def test_every_api_error_carries_its_request_id_in_the_attribute_and_the_message() -> None:
    script = Script(reply(403, error_body(403, "customer.not.exists"), headers={"x-request-id": "req-7"}))

    with pytest.raises(tatum.CustomerNotFoundError) as caught:
        script.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("nobody")

    assert caught.value.request_id == "req-7"
    assert "req-7" in str(caught.value)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("X-Request-Id", "req-1"), ("CF-Ray", "ray-1")], "req-1"),  # any case; x-request-id first
        ([("cf-ray", "ray-2")], "ray-2"),
        ([("x-request-id", "a"), ("X-REQUEST-ID", "b")], "a, b"),  # repeated: joined, as httpx joins them
        ([("x-request-id", ""), ("cf-ray", "ray-3")], "ray-3"),  # empty says nothing
        ([("content-type", "application/json")], None),
    ],
)
def test_request_ids_are_read_from_any_spelling_of_their_headers(
    headers: list[tuple[str, str]], expected: str | None
) -> None:
    answer = httpx.Response(200, json=[CUSTOMER], headers=headers)  # a list: repeated headers stay repeated
    raw = Script(answer).sdk().mainnet().api().customer().with_raw_response.find_all_customers(5)

    assert raw.request_id == expected


def test_raw_methods_carry_credits_and_docs() -> None:
    raw = tatum.Sdk().mainnet().api().customer().with_raw_response

    assert raw.activate_customer.credits == 2
    assert raw.update_customer.__doc__ is not None and "ApiResponse" in raw.update_customer.__doc__


# Pages.


def _customers(total: int) -> list[dict[str, Any]]:
    return [{**CUSTOMER, "id": f"{n:024x}", "externalId": f"c-{n}"} for n in range(total)]


def paged(total: int) -> Any:
    everyone = _customers(total)

    def answer(request: httpx.Request) -> httpx.Response:
        size, offset = int(request.url.params["pageSize"]), int(request.url.params.get("offset", "0"))
        return reply(200, everyone[offset : offset + size])

    return answer


def test_pages_yield_page_objects_and_resume_from_start_offset() -> None:
    script = Script(*[paged(25)] * 6)
    api = script.sdk().mainnet().api().customer()

    pages = list(api.pages(page_size=10))
    resumed = list(api.pages(page_size=10, start_offset=pages[0].next_offset))

    assert [(p.offset, len(p.items), p.next_offset, p.has_next_page()) for p in pages] == [
        (0, 10, 10, True),
        (10, 10, 20, True),
        (20, 5, 25, False),
    ]
    assert [p.offset for p in resumed] == [10, 20]
    assert [c.external_id for c in api.iter_customers(page_size=10, start_offset=22)] == [
        "c-22",
        "c-23",
        "c-24",
    ]


async def test_apages_and_aiter_customers_resume_too() -> None:
    script = Script(*[paged(12)] * 4)
    api = script.async_sdk().mainnet().api().customer()

    offsets = [page.offset async for page in api.apages(page_size=5, start_offset=2)]
    rest = [c.external_id async for c in api.aiter_customers(page_size=50, start_offset=10)]

    assert (offsets, rest) == (
        [2, 7, 12],
        ["c-10", "c-11"],
    )  # 10 customers fill pages 2 and 7: then an empty one


def test_pages_pass_per_call_options_to_every_page() -> None:
    script = Script(*[paged(3)] * 2)
    list(script.sdk().mainnet().api().customer().pages(page_size=2, extra_headers={"X-Job": "export-1"}))

    assert [r.headers["x-job"] for r in script.requests] == ["export-1", "export-1"]


@pytest.mark.parametrize(("page_size", "start_offset"), [(0, 0), (51, 0), (10, -1), (10, 1.5)])
def test_pages_check_their_arguments_before_anything_is_sent(page_size: int, start_offset: Any) -> None:
    script = Script()

    with pytest.raises(tatum.ValidationError):
        script.sdk().mainnet().api().customer().pages(page_size, start_offset)
    with pytest.raises(tatum.ValidationError):
        script.sdk().mainnet().api().customer().iter_customers(page_size, start_offset)


def test_the_last_page_of_a_walk_always_says_there_is_no_next_page() -> None:
    """When the customers fill the last page exactly, the empty page after it is yielded: a job waiting for
    `not page.has_next_page()` sees it."""
    script = Script(*[paged(20)] * 3)

    pages = list(script.sdk().mainnet().api().customer().pages(page_size=10))

    assert [(len(p.items), p.has_next_page()) for p in pages] == [(10, True), (10, True), (0, False)]


def test_a_server_cycling_through_pages_is_refused() -> None:
    a = [{**CUSTOMER, "id": f"{n:024x}", "externalId": f"a-{n}"} for n in range(2)]
    b = [{**CUSTOMER, "id": f"{n + 2:024x}", "externalId": f"b-{n}"} for n in range(2)]
    script = Script(reply(200, a), reply(200, b), reply(200, a), reply(200, b))

    with pytest.raises(tatum.UnexpectedResponseError, match="repeats an earlier page"):
        list(script.sdk().mainnet().api().customer().iter_customers(page_size=2))

    assert len(script.requests) == 3


def test_page_is_exported_with_its_fields() -> None:
    page = tatum.Page(items=[1, 2], offset=4, page_size=2)

    assert (page.next_offset, page.has_next_page()) == (6, True)
    assert json.dumps({"next": page.next_offset}) == '{"next": 6}'
