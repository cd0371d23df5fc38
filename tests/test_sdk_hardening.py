"""Hostile input and hostile servers (issue 8, the SDK's items): each test failed before its fix.

Lone surrogates are ValidationErrors before sending; keys never leak into exception text, even partly;
base URLs that would drop the path are refused; bodies are read up to a cap with memory bounded; only Tatum's
403 means "already in that state"; paging refuses a server that ignores `offset`; an AsyncSdk on a second
event loop says what to do. A fuzz test keeps every public method honest: only TatumError escapes.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import tracemalloc
import zlib
from typing import Any

import httpx
import pytest
import tatum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.scripted import CUSTOMER, INTERNAL_ID, KEY_MAINNET, Script, error_body, reply

SURROGATE = "abcdefghij\udfff"
ID_METHODS = [
    "get_customer_by_external_or_internal_id",
    "activate_customer",
    "deactivate_customer",
    "enable_customer",
    "disable_customer",
    "update_customer",
]


def call(api: Any, name: str, id: str) -> Any:
    if name == "update_customer":
        return getattr(api, name)(id, {"externalId": "x"})
    return getattr(api, name)(id)


# 1. Every exception is a TatumError: text that UTF-8 cannot encode is refused before sending.


@pytest.mark.parametrize("name", ID_METHODS)
def test_an_id_with_a_lone_surrogate_is_a_validation_error(name: str) -> None:
    script = Script()  # any request would fail the test: nothing may be sent

    with pytest.raises(tatum.ValidationError, match="lone surrogate") as caught:
        call(script.sdk().mainnet().api().customer(), name, SURROGATE)

    assert caught.value.parameter == "id"
    assert script.requests == []


@pytest.mark.parametrize("name", ID_METHODS)
async def test_an_id_with_a_lone_surrogate_is_a_validation_error_async(name: str) -> None:
    script = Script()

    with pytest.raises(tatum.ValidationError, match="lone surrogate"):
        await call(script.async_sdk().mainnet().api().customer(), name, SURROGATE)

    assert script.requests == []


@pytest.mark.parametrize(
    "update",
    [
        tatum.CustomerUpdate(external_id=SURROGATE),
        {"externalId": SURROGATE},
        {"externalId": "ok-id", "\udcff": "USD"},
    ],
)
def test_update_bodies_with_a_lone_surrogate_are_validation_errors(update: Any) -> None:
    script = Script()

    with pytest.raises(tatum.ValidationError, match="lone surrogate"):
        script.sdk().mainnet().api().customer().update_customer(INTERNAL_ID, update)

    assert script.requests == []


def test_surrogates_in_extra_headers_and_query_are_validation_errors() -> None:
    api = Script().sdk().mainnet().api().customer()

    with pytest.raises(tatum.ValidationError):
        api.find_all_customers(10, extra_query={"x": "\udfff"})
    with pytest.raises(tatum.ValidationError):
        api.find_all_customers(10, extra_headers={"X-Trace": "\udfff"})


def _answer_anything(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/v3/ledger/customer":
        return reply(200, [CUSTOMER])
    if request.method == "GET" or request.url.path.count("/") == 4:
        return reply(200, CUSTOMER)
    return reply(204)


values = st.one_of(
    st.text(max_size=120),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=12), st.one_of(st.text(max_size=12), st.integers()), max_size=4),
)
option_values = st.dictionaries(
    st.sampled_from(["timeout", "max_retries", "deadline", "extra_headers", "extra_query", "bogus"]),
    values,
    max_size=2,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(
        [*ID_METHODS, "find_all_customers", "iter_customers", "pages"],
    ),
    first=values,
    second=values,
    options=option_values,
)
def test_fuzz_only_tatum_errors_escape_the_public_methods(
    name: str, first: Any, second: Any, options: dict[str, Any]
) -> None:
    """Whatever a caller passes, the SDK answers or raises a TatumError, never anything else."""
    script = Script(*([_answer_anything] * 4))
    api = script.sdk(max_retries=0).mainnet().api().customer()
    arguments = (first,) if name in ID_METHODS and name != "update_customer" else (first, second)
    try:
        result = getattr(api, name)(*arguments, **options)
        if name in ("iter_customers", "pages"):
            list(result)
    except tatum.TatumError:
        pass


# 2. Keys never appear in exception text, even partly: scrub first, then cut.

KEY_OFFSETS = range(170, 215)


def _leaks(text: str, key: str) -> list[str]:
    """Every run of 6 or more characters of the key found in `text`."""
    return [key[i : i + 6] for i in range(len(key) - 5) if key[i : i + 6] in text]


@pytest.mark.parametrize("offset", KEY_OFFSETS)
def test_a_key_straddling_the_excerpt_cut_never_leaks_into_a_server_error(offset: int) -> None:
    body = ("x" * offset + KEY_MAINNET + "y" * 300).encode()
    script = Script(reply(502, raw=body, headers={"Content-Type": "text/html"}))

    with pytest.raises(tatum.ServerError) as caught:
        script.sdk(max_retries=0).mainnet().api().customer().find_all_customers(10)

    error = caught.value
    assert _leaks(str(error) + error.message + repr(error.args), KEY_MAINNET) == []


@pytest.mark.parametrize("offset", KEY_OFFSETS)
def test_a_key_straddling_the_excerpt_cut_never_leaks_into_an_unexpected_response(offset: int) -> None:
    body = ("x" * offset + KEY_MAINNET + "y" * 300).encode()
    script = Script(reply(200, raw=body))

    with pytest.raises(tatum.UnexpectedResponseError) as caught:
        script.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("c-1")

    error = caught.value
    assert _leaks(str(error) + error.body, KEY_MAINNET) == []


# 3. A base URL with a query or a fragment, even empty, would send every call to `/`.


@pytest.mark.parametrize(
    "url",
    ["https://api.tatum.io/#", "https://api.tatum.io?", "https://api.tatum.io/?x=1", "https://api.tatum.io#v3",
     "https://@api.tatum.io", "http://127.0.0.1:8700/#"],
)  # fmt: skip
def test_a_base_url_with_a_query_or_fragment_is_refused_and_the_error_says_what_is_accepted(url: str) -> None:
    with pytest.raises(tatum.ValidationError) as caught:
        tatum.Sdk(base_url=url)

    assert caught.value.parameter == "base_url"
    assert "https://api.tatum.io" in caught.value.rule  # what a valid one looks like


def test_a_base_url_with_a_path_prefix_is_accepted() -> None:
    assert tatum.Sdk(base_url="https://proxy.example/tatum/").base_url == "https://proxy.example/tatum"


# 4. A response-size cap: streamed reading, gzip inflated with a bound, pages no longer than asked for.


def _gzip_bomb(inflated: int) -> bytes:
    """A gzip body that inflates to `inflated` bytes of '[' (made in chunks: the test holds no big buffer)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"[" * (1 << 20)
    parts = [packer.compress(chunk) for _ in range(inflated >> 20)]
    return b"".join(parts) + packer.flush()


def test_a_gzip_bomb_raises_unexpected_response_with_memory_bounded() -> None:
    bomb = _gzip_bomb(512 << 20)  # 512 MiB inflated, about half a megabyte on the wire
    script = Script(
        reply(200, raw=bomb, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    )
    sdk = script.sdk()

    tracemalloc.start()
    try:
        with pytest.raises(tatum.UnexpectedResponseError, match="larger than max_response_bytes"):
            sdk.mainnet().api().customer().find_all_customers(10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 3 * tatum.DEFAULT_MAX_RESPONSE_BYTES  # the cap, plus the bomb itself and one read


def test_a_body_at_the_cap_is_read_and_one_byte_more_is_refused() -> None:
    body = json.dumps(CUSTOMER).encode()
    fits, too_big = Script(reply(200, raw=body)), Script(reply(200, raw=body))

    customer = fits.sdk(max_response_bytes=len(body)).mainnet().api().customer()
    assert customer.get_customer_by_external_or_internal_id("651234").id == INTERNAL_ID
    with pytest.raises(tatum.UnexpectedResponseError):
        too_big.sdk(
            max_response_bytes=len(body) - 1
        ).mainnet().api().customer().get_customer_by_external_or_internal_id("651234")


def test_a_gzip_body_within_the_cap_is_inflated() -> None:
    body = gzip.compress(json.dumps([CUSTOMER] * 3).encode())
    script = Script(
        reply(200, raw=body, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    )

    assert len(script.sdk().mainnet().api().customer().find_all_customers(10)) == 3


def test_a_corrupt_gzip_body_is_a_connection_error_not_a_zlib_error() -> None:
    script = Script(reply(200, raw=b"\x1f\x8bnot gzip", headers={"Content-Encoding": "gzip"}))

    with pytest.raises(tatum.ApiConnectionError):
        script.sdk(max_retries=0).mainnet().api().customer().find_all_customers(10)


def test_an_error_body_past_the_cap_is_cut_and_still_gives_the_typed_error() -> None:
    body = json.dumps(error_body(403, "customer.not.exists", "m" * 5000)).encode()
    script = Script(reply(403, raw=body, headers={"Content-Type": "application/json"}))

    with pytest.raises(tatum.ForbiddenError) as caught:
        script.sdk(
            max_response_bytes=1000
        ).mainnet().api().customer().get_customer_by_external_or_internal_id("x")

    assert caught.value.status_code == 403
    assert len(caught.value.message) <= 203  # an excerpt of the cut body


def test_a_page_longer_than_page_size_is_refused() -> None:
    script = Script(reply(200, [CUSTOMER] * 11))

    with pytest.raises(tatum.UnexpectedResponseError, match="a page of 11 items, where at most 10"):
        script.sdk().mainnet().api().customer().find_all_customers(10)


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "4096"])
def test_max_response_bytes_is_checked(value: Any) -> None:
    with pytest.raises(tatum.ValidationError, match="max_response_bytes"):
        tatum.Sdk(max_response_bytes=value)


# 5. Only Tatum's 403 means "already in that state".


@pytest.mark.parametrize("status", [409, 400, 404, 422])
def test_already_in_that_state_after_a_timeout_needs_a_403(status: int) -> None:
    script = Script(httpx.ReadTimeout("slow"), reply(status, error_body(status, "customer.active")))

    with pytest.raises(tatum.ApiError) as caught:
        script.sdk().mainnet().api().customer().activate_customer(INTERNAL_ID)

    assert caught.value.status_code == status


def test_already_in_that_state_after_a_timeout_is_success_with_a_403() -> None:
    script = Script(httpx.ReadTimeout("slow"), reply(403, error_body(403, "customer.active")))

    assert script.sdk().mainnet().api().customer().activate_customer(INTERNAL_ID) is None


# 6. A server that ignores `offset` would make iteration loop forever.


def test_iter_customers_refuses_a_page_that_repeats_the_previous_one() -> None:
    page = [{**CUSTOMER, "id": f"{n:024x}", "externalId": f"c-{n}"} for n in range(10)]
    script = Script(*(reply(200, page) for _ in range(5)))

    with pytest.raises(tatum.UnexpectedResponseError, match="repeats an earlier page"):
        list(script.sdk().mainnet().api().customer().iter_customers(page_size=10))

    assert len(script.requests) == 2


async def test_aiter_customers_refuses_a_page_that_repeats_the_previous_one() -> None:
    page = [{**CUSTOMER, "id": f"{n:024x}", "externalId": f"c-{n}"} for n in range(10)]
    script = Script(*(reply(200, page) for _ in range(5)))

    with pytest.raises(tatum.UnexpectedResponseError, match="repeats an earlier page"):
        [c async for c in script.async_sdk().mainnet().api().customer().aiter_customers(page_size=10)]


# 7. An AsyncSdk on a second event loop.


def test_an_async_sdk_used_from_a_second_event_loop_raises_a_tatum_error_that_says_what_to_do() -> None:
    script = Script(reply(200, CUSTOMER), reply(200, CUSTOMER))
    sdk = script.async_sdk()
    api = sdk.mainnet().api().customer()

    asyncio.run(api.get_customer_by_external_or_internal_id("651234"))
    with pytest.raises(tatum.TatumError, match="one AsyncSdk per event loop"):
        asyncio.run(api.get_customer_by_external_or_internal_id("651234"))

    assert len(script.requests) == 1


# What an attacker's review found, each with a test that failed before its fix.


def test_layered_or_unbounded_content_encodings_are_refused_not_inflated() -> None:
    bomb = gzip.compress(gzip.compress(b"[" * (64 << 20)))  # 64 MiB inside two layers of gzip
    for coding in ("gzip, gzip", "identity, gzip, deflate", "br", "zstd", "compress"):
        script = Script(
            reply(200, raw=bomb, headers={"Content-Type": "application/json", "Content-Encoding": coding})
        )
        tracemalloc.start()
        try:
            with pytest.raises(tatum.ApiConnectionError, match="not one the SDK reads with a bound"):
                script.sdk(max_retries=0).mainnet().api().customer().find_all_customers(10)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 8 << 20, coding


def test_the_sdk_asks_only_for_the_codings_it_reads_with_a_bound() -> None:
    script = Script(reply(200, [CUSTOMER]))
    script.sdk().mainnet().api().customer().find_all_customers(10)

    assert script.requests[0].headers["accept-encoding"] == "gzip, deflate"
    with pytest.raises(tatum.ValidationError, match="Accept-Encoding cannot be set per call"):
        script.sdk().mainnet().api().customer().find_all_customers(
            10, extra_headers={"Accept-Encoding": "br"}
        )


def test_a_key_echoed_in_an_error_code_or_a_request_id_is_scrubbed() -> None:
    echo_code = Script(reply(403, {"errorCode": "e." + KEY_MAINNET, "message": "m", "statusCode": 403}))
    with pytest.raises(tatum.ForbiddenError) as caught:
        echo_code.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("abc")
    assert KEY_MAINNET not in str(caught.value) and KEY_MAINNET not in str(caught.value.error_code)

    echo_id = Script(reply(200, CUSTOMER, headers={"x-request-id": KEY_MAINNET}))
    raw = (
        echo_id.sdk()
        .mainnet()
        .api()
        .customer()
        .with_raw_response.get_customer_by_external_or_internal_id("abc")
    )
    assert KEY_MAINNET not in repr(raw) and raw.request_id == "***"
    assert KEY_MAINNET not in str(dict(raw.headers))


def test_a_key_cut_at_the_cap_or_spelled_with_json_escapes_is_scrubbed() -> None:
    cut = Script(reply(502, raw=b"<html>bad key: " + KEY_MAINNET.encode() + b" and more"))
    with pytest.raises(tatum.ServerError) as caught:
        cut.sdk(max_retries=0, max_response_bytes=30).mainnet().api().customer().find_all_customers(10)
    assert _leaks(str(caught.value), KEY_MAINNET) == []

    escaped = "".join(f"\\u{ord(char):04x}" for char in KEY_MAINNET)
    spelled = Script(reply(400, raw=('{"message": 5, "detail": "' + escaped + '"}').encode()))
    with pytest.raises(tatum.BadRequestError) as caught_bad:
        spelled.sdk().mainnet().api().customer().find_all_customers(10)
    assert KEY_MAINNET not in str(caught_bad.value) and escaped not in str(caught_bad.value)


@pytest.mark.parametrize(
    "date", ["Mon, 01 Jan 2020 00:00:00 +99999999999999999999", "Sun, 31 Dec 9999 23:59:59 -9999"]
)
def test_a_retry_after_date_that_overflows_is_unreadable_not_an_overflow(date: str) -> None:
    script = Script(reply(503, headers={"Retry-After": date}), reply(200, [CUSTOMER]))

    assert len(script.sdk().mainnet().api().customer().find_all_customers(10)) == 1


def test_a_deeply_nested_error_body_is_not_a_recursion_error() -> None:
    body = b'{"errorCode":"x","message":"m","data":' + b"[" * 900 + b"]" * 900 + b"}"
    script = Script(reply(400, raw=body))

    with pytest.raises(tatum.BadRequestError) as caught:
        script.sdk().mainnet().api().customer().find_all_customers(10)

    assert caught.value.message == "m"


def test_a_large_error_body_keeps_no_data() -> None:
    body = json.dumps({"errorCode": "x", "message": "m", "data": [[]] * 200_000}).encode()
    script = Script(reply(400, raw=body))

    with pytest.raises(tatum.BadRequestError) as caught:
        script.sdk().mainnet().api().customer().find_all_customers(10)

    assert (caught.value.message, caught.value.data) == ("m", None)


@pytest.mark.parametrize(
    ("options", "parameter"),
    [
        ({"timeout": 10**400}, "timeout"),
        ({"deadline": 10**400}, "deadline"),
        ({"rate_limit": 10**400}, "rate_limit"),
        ({"rate_limit": 1e-300}, "rate_limit"),
        ({"timeout": httpx.Timeout(float("inf"))}, "timeout"),
        ({"timeout": httpx.Timeout(float("nan"))}, "timeout"),
        ({"timeout": httpx.Timeout(-1)}, "timeout"),
        ({"max_response_bytes": 2**63}, "max_response_bytes"),
    ],
)
def test_extreme_settings_are_validation_errors(options: dict[str, Any], parameter: str) -> None:
    with pytest.raises(tatum.ValidationError) as caught:
        tatum.Sdk(**options)

    assert caught.value.parameter == parameter


@pytest.mark.parametrize(
    ("options", "parameter"),
    [
        ({"timeout": 1e300}, "timeout"),
        ({"deadline": 10**400}, "deadline"),
        ({"extra_query": {"a": "b" * 70000}}, "extra_query"),
    ],
)
def test_extreme_per_call_options_are_validation_errors_and_send_nothing(
    options: dict[str, Any], parameter: str
) -> None:
    script = Script()

    with pytest.raises(tatum.ValidationError) as caught:
        script.sdk().mainnet().api().customer().find_all_customers(10, **options)

    assert caught.value.parameter == parameter
    assert script.requests == []


@pytest.mark.parametrize("field", ["initial", "maximum"])
def test_a_backoff_of_centuries_is_a_validation_error(field: str) -> None:
    with pytest.raises(tatum.ValidationError, match=f"backoff.{field}"):
        tatum.Backoff(**{field: 10**400})


def test_pages_refuse_a_start_offset_of_none_before_sending() -> None:
    script = Script()

    with pytest.raises(tatum.ValidationError, match="start_offset"):
        script.sdk().mainnet().api().customer().iter_customers(start_offset=None)  # type: ignore[arg-type]

    assert script.requests == []


def test_a_rate_limit_error_says_why_it_was_not_retried() -> None:
    long_wait = Script(reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "120"}))
    with pytest.raises(
        tatum.RateLimitError, match=r"not retried: Retry-After 120s is longer than MAX_RETRY_AFTER"
    ):
        long_wait.sdk().mainnet().api().customer().find_all_customers(10)

    deadline = Script(reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "5"}))
    with pytest.raises(tatum.RateLimitError, match="would pass the call's deadline"):
        deadline.sdk().mainnet().api().customer().find_all_customers(10, deadline=2)


# The connection left open on the first loop is what the test is about: when it is collected, Python says so.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_async_sdk_closed_from_a_second_event_loop_raises_a_tatum_error(tatum_sandbox: Any) -> None:
    tatum_sandbox.add_customer("c-1")
    sdk = tatum.AsyncSdk("sandbox-test-mainnet-key", base_url=tatum_sandbox.url)
    asyncio.run(sdk.mainnet().api().customer().get_customer_by_external_or_internal_id("c-1"))

    with pytest.raises(tatum.TatumError, match="close it on the event loop it was used on"):
        asyncio.run(sdk.aclose())

    del sdk
    gc.collect()  # here, in this test, not in whichever test runs next
