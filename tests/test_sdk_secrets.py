"""API keys never appear in repr, str, log records or exception text, even when the API echoes them."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
import tatum
from support.contract_server import ContractServer
from support.scripted import INTERNAL_ID, KEY_MAINNET, KEY_TESTNET, Script, error_body, reply


def failing_run(script: Script) -> list[BaseException]:
    """Every method, failing in every way the script says; returns the exceptions raised."""
    sdk = script.sdk()
    raised: list[BaseException] = []
    for network in (sdk.mainnet(), sdk.testnet()):
        api = network.api().customer()
        calls: list[tuple[Callable[..., object], tuple[object, ...]]] = [
            (api.find_all_customers, (10,)),
            (api.get_customer_by_external_or_internal_id, ("651234",)),
            (api.update_customer, (INTERNAL_ID, {"externalId": "x"})),
            (api.activate_customer, (INTERNAL_ID,)),
            (api.activate_customer, ("bad",)),
        ]
        for method, args in calls:
            with pytest.raises(tatum.TatumError) as caught:
                method(*args)
            raised.append(caught.value)
    return raised


def echoing(request: httpx.Request) -> httpx.Response:
    """An API that quotes the key back in every way it can, as Tatum's 401 message does."""
    key = request.headers.get("x-api-key", "")
    body = error_body(401, "subscription.invalid", f"Unable to find valid subscription for '{key}'")
    body["data"] = [{"target": {"apiKey": key}, "value": key}]
    return httpx.Response(401, json=body, headers={"X-Echo": key})


def text_of(error: BaseException) -> str:
    parts = [str(error), repr(error), repr(vars(error))]
    if error.__cause__ is not None:
        parts += [str(error.__cause__), repr(error.__cause__)]
    return "\n".join(parts)


def test_keys_appear_in_no_log_record_and_no_exception(caplog: pytest.LogCaptureFixture) -> None:
    steps: list[httpx.Response | Exception | object] = []
    for _ in range(2):
        steps += [echoing, echoing, echoing, echoing]  # 401s: no retry
    script = Script(*steps)  # type: ignore[arg-type]

    with caplog.at_level(logging.DEBUG):
        raised = failing_run(script)

    assert [r.headers.get("x-api-key") for r in script.requests] == [KEY_MAINNET] * 4 + [KEY_TESTNET] * 4
    everything = "\n".join(text_of(error) for error in raised)
    everything += "\n".join(record.getMessage() for record in caplog.records)
    assert "***" in everything
    assert len([r for r in caplog.records if r.name == "tatum"]) == 8
    for key in (KEY_MAINNET, KEY_TESTNET):
        assert key not in everything


def test_keys_appear_in_no_connection_error_or_unexpected_response() -> None:
    script = Script(
        *(httpx.ConnectError(f"refused for {KEY_MAINNET}") for _ in range(3)),
        reply(200, raw=f'{{"broken": "{KEY_MAINNET}'.encode()),
    )
    sdk = script.sdk()
    api = sdk.mainnet().api().customer()

    with pytest.raises(tatum.ApiConnectionError) as connection:
        api.find_all_customers(10)
    with pytest.raises(tatum.UnexpectedResponseError) as unexpected:
        api.find_all_customers(10)

    for error in (connection.value, unexpected.value):
        assert KEY_MAINNET not in str(error) and KEY_MAINNET not in repr(vars(error))


def test_keys_are_not_in_repr_or_str_of_any_object() -> None:
    sdk = tatum.Sdk(KEY_MAINNET, KEY_TESTNET)
    objects = [sdk, sdk.mainnet(), sdk.testnet(), sdk.mainnet().api(), sdk.mainnet().api().customer()]
    objects += [sdk.with_options(max_retries=0), tatum.AsyncSdk(KEY_MAINNET, KEY_TESTNET)]
    for thing in objects:
        for text in (repr(thing), str(thing)):
            assert KEY_MAINNET not in text and KEY_TESTNET not in text
    assert "mainnet=key set" in repr(sdk)
    sdk.close()


def test_the_sandbox_style_401_over_http_is_scrubbed(contract_server: ContractServer) -> None:
    contract_server.reply(
        401, error_body(401, "subscription.invalid", f"Unable to find valid subscription for '{KEY_MAINNET}'")
    )
    with (
        tatum.Sdk(KEY_MAINNET, base_url=contract_server.url) as sdk,
        pytest.raises(tatum.AuthenticationError) as caught,
    ):
        sdk.mainnet().api().customer().find_all_customers(10)

    assert caught.value.message == "Unable to find valid subscription for '***'"
    assert contract_server.last.headers["x-api-key"] == KEY_MAINNET
