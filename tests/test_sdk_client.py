"""The Sdk object: configuration from arguments and environment, caching, one pool, closing, logging."""

from __future__ import annotations

import inspect
import logging
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import tatum
from support.contract_server import ContractServer
from support.scripted import CUSTOMER, INTERNAL_ID, KEY_MAINNET, Script, reply


def test_each_step_of_the_fluent_chain_is_cached() -> None:
    with tatum.Sdk("k") as sdk:
        assert sdk.mainnet() is sdk.mainnet()
        assert sdk.mainnet().api() is sdk.mainnet().api()
        assert sdk.mainnet().api().customer() is sdk.mainnet().api().customer()
        assert (
            sdk.mainnet().api().customer().activate_customer
            is sdk.mainnet().api().customer().activate_customer
        )
        assert sdk.mainnet() is not sdk.testnet()


def test_defaults() -> None:
    with tatum.Sdk() as sdk:
        assert sdk.base_url == tatum.DEFAULT_BASE_URL == "https://api.tatum.io"
        assert sdk.timeout == httpx.Timeout(30.0)
        assert sdk.max_retries == tatum.DEFAULT_MAX_RETRIES == 2
        assert sdk.credit_budget is None


def test_keys_and_base_url_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, contract_server: ContractServer
) -> None:
    monkeypatch.setenv("TATUM_API_KEY_MAINNET", "env-main-key")
    monkeypatch.setenv("TATUM_API_KEY_TESTNET", "env-test-key")
    monkeypatch.setenv("TATUM_BASE_URL", contract_server.url)
    contract_server.reply(200, [])
    contract_server.reply(200, [])

    with tatum.Sdk() as sdk:
        sdk.mainnet().api().customer().find_all_customers(1)
        sdk.testnet().api().customer().find_all_customers(1)

    assert [r.headers["x-api-key"] for r in contract_server.requests] == ["env-main-key", "env-test-key"]


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TATUM_API_KEY_MAINNET", "env-main-key")
    monkeypatch.setenv("TATUM_BASE_URL", "https://env.example")
    script = Script(reply(200, []))

    with tatum.Sdk(
        "arg-key",
        base_url="https://arg.example",
        http_client=httpx.Client(transport=httpx.MockTransport(script)),
    ) as sdk:
        sdk.mainnet().api().customer().find_all_customers(1)

    assert script.requests[0].headers["x-api-key"] == "arg-key"
    assert script.requests[0].url.host == "arg.example"


def test_an_empty_key_in_the_environment_means_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TATUM_API_KEY_TESTNET", "")
    script = Script(reply(200, []))

    sdk = tatum.Sdk(http_client=httpx.Client(transport=httpx.MockTransport(script)))
    sdk.testnet().api().customer().find_all_customers(1)

    assert "x-api-key" not in script.requests[0].headers
    assert script.requests[0].url.params["type"] == "testnet"


def test_close_closes_the_pool_but_not_a_given_client_nor_for_copies() -> None:
    sdk = tatum.Sdk()
    copy = sdk.with_options(timeout=1)
    copy.close()
    assert not sdk._http.is_closed
    with sdk:
        pass
    assert sdk._http.is_closed

    given = httpx.Client()
    with tatum.Sdk(http_client=given):
        pass
    assert not given.is_closed
    given.close()


async def test_async_sdk_closes_its_pool() -> None:
    async with tatum.AsyncSdk() as sdk:
        http = sdk._http
        assert sdk.with_options(max_retries=0)._http is http
    assert http.is_closed


def test_with_options_returns_a_configured_copy_sharing_the_pool() -> None:
    with tatum.Sdk("k", max_retries=5) as sdk:
        copy = sdk.with_options(timeout=5, max_retries=0, credit_budget=10)

        assert (copy.timeout, copy.max_retries, copy.credit_budget) == (httpx.Timeout(5.0), 0, 10)
        assert (sdk.timeout, sdk.max_retries, sdk.credit_budget) == (httpx.Timeout(30.0), 5, None)
        assert copy._http is sdk._http
        assert copy.mainnet() is not sdk.mainnet()
        assert isinstance(copy, tatum.Sdk)
        with pytest.raises(tatum.ValidationError):
            sdk.with_options(max_retries=-1)


def test_timeout_reaches_every_request() -> None:
    script = Script(reply(200, CUSTOMER))

    script.sdk(timeout=2.5).mainnet().api().customer().get_customer_by_external_or_internal_id("x")

    assert script.requests[0].extensions["timeout"] == httpx.Timeout(2.5).as_dict()


def test_a_slow_server_times_out_for_real(contract_server: ContractServer) -> None:
    contract_server.reply(200, [], delay=0.5)

    sdk = tatum.Sdk(KEY_MAINNET, base_url=contract_server.url, timeout=0.1, max_retries=0)
    with sdk, pytest.raises(tatum.ApiTimeoutError) as caught:
        sdk.mainnet().api().customer().find_all_customers(1)

    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


def test_debug_logging_gives_one_record_per_attempt(caplog: pytest.LogCaptureFixture) -> None:
    script = Script(reply(503), reply(200, CUSTOMER))

    with caplog.at_level(logging.DEBUG, logger="tatum"):
        script.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("651234")

    records = [r for r in caplog.records if r.name == "tatum"]
    assert [r.levelno for r in records] == [logging.INFO, logging.DEBUG]  # a retry is worth an INFO record
    assert "GET /v3/ledger/customer/651234 -> 503" in records[0].getMessage()
    assert "attempt 1 of 3, mainnet" in records[0].getMessage()
    assert f"retrying in {script.sleeps[0]:.3f}s: HTTP 503 (backoff)" in records[0].getMessage()
    assert "-> 200" in records[1].getMessage()
    assert "attempt 2 of 3" in records[1].getMessage()


def test_nothing_is_logged_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    script = Script(reply(200, CUSTOMER))

    with caplog.at_level(logging.INFO, logger="tatum"):
        script.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id("651234")

    assert [r for r in caplog.records if r.name == "tatum"] == []


def test_a_closed_sdk_refuses_calls_with_a_clear_error_and_sends_nothing() -> None:
    script = Script()
    sdk = script.sdk()
    api = sdk.mainnet().api().customer()
    sdk._http.close()  # as Sdk.close() does for a pool it owns

    with pytest.raises(tatum.TatumError, match="closed"):
        api.find_all_customers(1)

    assert script.requests == []
    assert sdk.mainnet().credits_used == 0


async def test_a_closed_async_sdk_refuses_calls_with_a_clear_error() -> None:
    async with tatum.AsyncSdk("k") as sdk:
        api = sdk.mainnet().api().customer()
    with pytest.raises(tatum.TatumError, match="closed"):
        await api.find_all_customers(1)


def test_methods_are_real_methods_to_introspection() -> None:
    sync_api = tatum.Sdk("k").mainnet().api().customer()
    async_api = tatum.AsyncSdk("k").mainnet().api().customer()

    assert inspect.iscoroutinefunction(async_api.activate_customer)
    assert not inspect.iscoroutinefunction(sync_api.activate_customer)
    assert list(inspect.signature(sync_api.find_all_customers).parameters) == [
        "page_size",
        "offset",
        "options",
    ]
    assert list(inspect.signature(tatum.CustomerApi.update_customer).parameters) == [
        "id",
        "customer_update",
        "options",
    ]
    assert inspect.signature(sync_api.find_all_customers).return_annotation == "list[Customer]"
    assert inspect.signature(async_api.with_raw_response.update_customer).return_annotation == (
        "ApiResponse[Customer]"
    )
    assert async_api.activate_customer.__doc__ == sync_api.activate_customer.__doc__


def test_with_options_can_lift_a_budget() -> None:
    script = Script(reply(204), reply(204))
    sdk = script.sdk(credit_budget=2)
    sdk.mainnet().api().customer().enable_customer("5e68c66581f2ee32bc354087")

    unlimited = sdk.with_options(credit_budget=None)
    unlimited.mainnet().api().customer().disable_customer("5e68c66581f2ee32bc354087")

    assert (sdk.credit_budget, unlimited.credit_budget, sdk.with_options().credit_budget) == (2, None, 2)
    assert sdk.mainnet().credits_used == 4


# A given client's own headers, cookies and query parameters go with every call, as httpx's build_request
# would merge them (the SDK merges headers once per client state, not per call).


def _given_client_sdk(script: Script, **client: Any) -> tuple[tatum.Sdk, httpx.Client]:
    given = httpx.Client(transport=httpx.MockTransport(script), **client)
    return tatum.Sdk(KEY_MAINNET, http_client=given, default_headers={"X-Team": "sdk"}), given


def test_a_given_clients_headers_go_with_each_call_under_the_sdks_own() -> None:
    script = Script(*(reply(200, CUSTOMER) for _ in range(3)))
    sdk, given = _given_client_sdk(
        script, headers={"X-Client": "c1", "X-Team": "client", "User-Agent": "theirs/1"}
    )
    api = sdk.mainnet().api().customer()

    api.get_customer_by_external_or_internal_id("651234")
    given.headers["X-Client"] = "c2"  # changed in place after calls were made
    api.update_customer(INTERNAL_ID, {"externalId": "e1"})
    given.headers = httpx.Headers({"X-Other": "o"})  # replaced
    api.get_customer_by_external_or_internal_id("651234")

    first, second, third = script.requests
    for request in script.requests:
        assert request.headers["x-api-key"] == KEY_MAINNET
        assert request.headers["user-agent"] == f"tatum-sdk-python/{tatum.__version__}"
        assert request.headers.get_list("x-team") == ["sdk"]  # default_headers win over the client's
    assert (first.headers["x-client"], second.headers["x-client"]) == ("c1", "c2")
    assert second.headers["content-type"] == "application/json" and second.method == "PUT"
    assert "x-client" not in third.headers and third.headers["x-other"] == "o"
    # The same headers as httpx merges them for a request built by the client itself.
    expected = given.build_request(
        "GET", third.url, headers={"X-Team": "sdk", "x-api-key": KEY_MAINNET, **OWN_HEADERS}
    )
    assert sorted(third.headers.multi_items()) == sorted(expected.headers.multi_items())


OWN_HEADERS = {"User-Agent": f"tatum-sdk-python/{tatum.__version__}", "Accept-Encoding": "gzip, deflate"}


def _as_build_request_makes_it(
    given: httpx.Client, sdk_headers: dict[str, str], sent: httpx.Request, extra: dict[str, str] | None
) -> list[tuple[str, str]]:
    """The headers httpx's own build_request gives the request the SDK sent, from the client as it is now: the
    operation's Content-Type, then the Sdk's headers, then the call's, merged into the client's in one update."""
    own = {"Content-Type": "application/json"} if sent.method == "PUT" else {}
    built = given.build_request(
        sent.method, sent.url, headers={**own, **sdk_headers, **(extra or {})}, content=sent.content or None
    )
    return built.headers.multi_items()


@pytest.mark.parametrize("extra", [None, {"x-team": "call"}, {"x-client": "call", "X-Team": "call"}])
def test_headers_are_merged_exactly_as_build_request_merges_them(extra: dict[str, str] | None) -> None:
    """Order and duplicates included: a header named in two spellings by default_headers and extra_headers
    is sent as httpx merges it, whether or not the client holds cookies."""
    script = Script(*(reply(200, CUSTOMER) for _ in range(4)))
    sdk, given = _given_client_sdk(script, headers={"X-Client": "c"})
    api = sdk.mainnet().api().customer()
    options: dict[str, Any] = {"extra_headers": extra} if extra else {}
    sdk_headers = {"X-Team": "sdk", "User-Agent": OWN_HEADERS["User-Agent"], "x-api-key": KEY_MAINNET}
    if given.headers["accept-encoding"] != OWN_HEADERS["Accept-Encoding"]:  # httpx with br or zstd installed
        sdk_headers = {"X-Team": "sdk", **OWN_HEADERS, "x-api-key": KEY_MAINNET}
    calls: list[Callable[[], object]] = [
        lambda: api.get_customer_by_external_or_internal_id("651234", **options),
        lambda: api.update_customer(INTERNAL_ID, {"externalId": "e1"}, **options),
    ]

    for with_cookie in (False, True):
        if with_cookie:
            given.cookies.set("session", "s-1")
        for call in calls:
            call()
            sent = script.requests[-1]
            assert sent.headers.multi_items() == _as_build_request_makes_it(given, sdk_headers, sent, extra)
            assert ("cookie" in sent.headers) is with_cookie


def test_a_cookie_the_server_sets_goes_with_the_next_calls() -> None:
    script = Script(
        reply(200, CUSTOMER, headers={"Set-Cookie": "__cf_bm=abc; Path=/"}),
        reply(200, CUSTOMER),
        reply(200, CUSTOMER),
    )
    api = script.sdk().mainnet().api().customer()

    for _ in range(3):
        api.get_customer_by_external_or_internal_id("651234")

    assert [sent.headers.get("cookie") for sent in script.requests] == [None, "__cf_bm=abc", "__cf_bm=abc"]
    assert all(sent.headers["x-api-key"] == KEY_MAINNET for sent in script.requests)


def test_a_given_clients_cookies_and_query_parameters_go_with_each_call() -> None:
    script = Script(reply(200, [CUSTOMER]), reply(200, CUSTOMER))
    sdk, _ = _given_client_sdk(script, cookies={"session": "s-1"}, params={"tenant": "t-1"})
    api = sdk.mainnet().api().customer()

    api.find_all_customers(10, offset=5, extra_headers={"X-Trace": "t"})
    api.get_customer_by_external_or_internal_id("651234")

    listing, get = script.requests
    assert listing.url.params.multi_items() == [("tenant", "t-1"), ("pageSize", "10"), ("offset", "5")]
    assert get.url.params.multi_items() == [("tenant", "t-1")]
    for request in script.requests:
        assert request.headers["cookie"] == "session=s-1"
        assert request.headers["user-agent"] == f"tatum-sdk-python/{tatum.__version__}"
        assert request.headers.get_list("x-team") == ["sdk"]
    assert listing.headers["x-trace"] == "t" and "x-trace" not in get.headers


async def test_a_given_async_clients_headers_cookies_and_query_parameters_go_with_each_call() -> None:
    script = Script(reply(200, [CUSTOMER]), reply(200, CUSTOMER))
    given = httpx.AsyncClient(
        transport=httpx.MockTransport(script),
        headers={"X-Client": "c1"},
        cookies={"session": "s-1"},
        params={"tenant": "t-1"},
    )
    async with tatum.AsyncSdk(KEY_MAINNET, http_client=given) as sdk:
        api = sdk.mainnet().api().customer()
        await api.find_all_customers(10)
        given.headers["X-Client"] = "c2"
        await api.get_customer_by_external_or_internal_id("651234", extra_headers={"X-Trace": "t"})

    listing, get = script.requests
    assert listing.url.params.multi_items() == [("tenant", "t-1"), ("pageSize", "10")]
    assert (listing.headers["x-client"], get.headers["x-client"], get.headers["x-trace"]) == ("c1", "c2", "t")
    assert [sent.headers["cookie"] for sent in script.requests] == ["session=s-1"] * 2
    assert all(sent.headers["x-api-key"] == KEY_MAINNET for sent in script.requests)
    await given.aclose()


def test_import_tatum_leaves_httpcore_to_the_first_sdk() -> None:
    """`import tatum` (a script's start, `tatum --help`) does not load httpcore; the first Sdk does, and its own
    client then carries the deadline's network backend."""
    code = (
        "import sys, tatum; before = 'httpcore' in sys.modules; sdk = tatum.Sdk(); "
        "pool = sdk._http._transport._pool; "
        "print(before, 'httpcore' in sys.modules, type(pool._network_backend).__module__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )

    assert result.stdout.split() == ["False", "True", "tatum._deadline_backend"]
