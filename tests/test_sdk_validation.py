"""Bad input raises ValidationError naming the argument and the rule, and no request leaves the process."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import tatum
from support.scripted import INTERNAL_ID, Script
from tatum import CustomerUpdate

LONG_ID = "a" * 101
# method, arguments, the parameter the error must name, a fragment of the rule it must state
BAD_CALLS: list[tuple[str, tuple[Any, ...], str, str]] = [
    ("find_all_customers", (0,), "page_size", ">= 1"),
    ("find_all_customers", (51,), "page_size", "<= 50"),
    ("find_all_customers", (-5,), "page_size", ">= 1"),
    ("find_all_customers", (10.0,), "page_size", "must be an int"),
    ("find_all_customers", ("10",), "page_size", "must be an int"),
    ("find_all_customers", (True,), "page_size", "must be an int"),
    ("find_all_customers", (None,), "page_size", "is required"),
    ("find_all_customers", (10, -1), "offset", ">= 0"),
    ("find_all_customers", (10, 1.5), "offset", "must be an int"),
    ("find_all_customers", (10, "0"), "offset", "must be an int"),
    ("get_customer_by_external_or_internal_id", ("",), "id", "change the request's path"),
    ("get_customer_by_external_or_internal_id", (".",), "id", "change the request's path"),
    ("get_customer_by_external_or_internal_id", ("..",), "id", "change the request's path"),
    ("get_customer_by_external_or_internal_id", (LONG_ID,), "id", "at most 100 characters"),
    ("get_customer_by_external_or_internal_id", ("abc\ndef",), "id", "control characters"),
    ("get_customer_by_external_or_internal_id", ("abc\x00",), "id", "control characters"),
    ("get_customer_by_external_or_internal_id", ("tab\there",), "id", "control characters"),
    ("get_customer_by_external_or_internal_id", (12345,), "id", "must be a str"),
    ("get_customer_by_external_or_internal_id", (None,), "id", "is required"),
    ("activate_customer", ("short",), "id", "at least 10 characters"),
    ("deactivate_customer", ("x" * 51,), "id", "at most 50 characters"),
    ("enable_customer", ("..",), "id", "change the request's path"),
    ("disable_customer", ("5e68c66581f2\x7fee32",), "id", "control characters"),
    ("disable_customer", (b"5e68c66581f2ee32bc354087",), "id", "must be a str"),
    ("update_customer", ("short", {"externalId": "x"}), "id", "at least 10 characters"),
    ("update_customer", (INTERNAL_ID, {}), "customer_update.externalId", "is required"),
    ("update_customer", (INTERNAL_ID, {"externalId": ""}), "customer_update.externalId", "at least 1 characters"),
    ("update_customer", (INTERNAL_ID, {"externalId": "e" * 101}), "customer_update.externalId", "at most 100"),
    ("update_customer", (INTERNAL_ID, {"externalId": 7}), "customer_update.externalId", "must be a str"),
    ("update_customer", (INTERNAL_ID, {"externalId": "x", "accountingCurrency": "XYZ"}), "customer_update.accountingCurrency", "not a valid accountingCurrency code"),
    ("update_customer", (INTERNAL_ID, {"externalId": "x", "accountingCurrency": "usd"}), "customer_update.accountingCurrency", "did you mean 'USD'"),
    ("update_customer", (INTERNAL_ID, {"externalId": "x", "customerCountry": "USA"}), "customer_update.customerCountry", "not a valid"),
    ("update_customer", (INTERNAL_ID, {"externalId": "x", "providerCountry": None}), "customer_update.providerCountry", "must be a str"),
    ("update_customer", (INTERNAL_ID, {"externalId": "x", "external_id": "y"}), "customer_update.external_id", "did you mean 'externalId'"),
    ("update_customer", (INTERNAL_ID, {"externalId": "x", "balance": 5}), "customer_update.balance", "unknown field"),
    ("update_customer", (INTERNAL_ID, CustomerUpdate(external_id="x", accounting_currency="EURO")), "customer_update.accountingCurrency", "not a valid"),  # type: ignore[arg-type]
    ("update_customer", (INTERNAL_ID, CustomerUpdate(external_id="")), "customer_update.externalId", "at least 1"),
    ("update_customer", (INTERNAL_ID, "externalId=x"), "customer_update", "must be a CustomerUpdate or a mapping"),
    ("update_customer", (INTERNAL_ID, {1: 2}), "customer_update", "field names must be str"),
    ("update_customer", (INTERNAL_ID, {"externalId": ".."}), "customer_update.externalId", "change the request's path"),
    ("update_customer", (INTERNAL_ID, {"externalId": "a\x00b"}), "customer_update.externalId", "control characters"),
]  # fmt: skip


def test_the_table_is_long_enough() -> None:
    assert len(BAD_CALLS) >= 25


@pytest.mark.parametrize(("name", "args", "parameter", "rule"), BAD_CALLS)
def test_bad_input_is_refused_before_sending(
    name: str, args: tuple[Any, ...], parameter: str, rule: str
) -> None:
    script = Script()  # answers nothing: any request fails the test
    sdk = script.sdk(credit_budget=100)

    with pytest.raises(tatum.ValidationError) as caught:
        getattr(sdk.mainnet().api().customer(), name)(*args)

    assert caught.value.parameter == parameter
    assert rule in caught.value.rule
    assert str(caught.value).startswith(f"{parameter}: ")
    assert script.requests == []
    assert sdk.mainnet().credits_used == 0


@pytest.mark.parametrize(("name", "args", "parameter", "rule"), BAD_CALLS[::4])
async def test_bad_input_is_refused_before_sending_async(
    name: str, args: tuple[Any, ...], parameter: str, rule: str
) -> None:
    script = Script()
    sdk = script.async_sdk()

    with pytest.raises(tatum.ValidationError) as caught:
        await getattr(sdk.mainnet().api().customer(), name)(*args)

    assert caught.value.parameter == parameter
    assert script.requests == []


@pytest.mark.parametrize("page_size", [0, 51, "50"])
def test_iter_customers_checks_page_size_before_iterating(page_size: Any) -> None:
    script = Script()

    with pytest.raises(tatum.ValidationError) as caught:
        script.sdk().mainnet().api().customer().iter_customers(page_size)
    with pytest.raises(tatum.ValidationError):
        script.async_sdk().mainnet().api().customer().aiter_customers(page_size)

    assert caught.value.parameter == "page_size"
    assert script.requests == []


def test_a_valid_edge_of_each_limit_is_accepted() -> None:
    script = Script(*(httpx.Response(200, json=[]) for _ in range(2)), httpx.Response(204))
    api = script.sdk().mainnet().api().customer()

    api.find_all_customers(1, 0)
    api.find_all_customers(50)
    api.activate_customer("x" * 10)

    assert len(script.requests) == 3


@pytest.mark.parametrize(
    ("options", "parameter"),
    [
        ({"base_url": "http://api.tatum.io"}, "base_url"),
        ({"base_url": "ftp://api.tatum.io"}, "base_url"),
        ({"base_url": "api.tatum.io"}, "base_url"),
        ({"base_url": "https://api.tatum.io?x=1"}, "base_url"),
        ({"base_url": "https://user:pw@api.tatum.io"}, "base_url"),
        ({"base_url": "http://10.0.0.5:8700"}, "base_url"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"timeout": "30"}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"base_url": "https://api.tatum.io:abc"}, "base_url"),
        ({"base_url": "https://api.tatum.io:99999"}, "base_url"),
        ({"base_url": "https://a b.example"}, "base_url"),
        ({"base_url": "https://api.tatum.io\x01"}, "base_url"),
        ({"sleep": "no"}, "sleep"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"credit_budget": -1}, "credit_budget"),
        ({"credit_budget": "10"}, "credit_budget"),
        ({"api_key_mainnet": "key with\nnewline"}, "api_key_mainnet"),
        ({"api_key_testnet": " padded "}, "api_key_testnet"),
        ({"api_key_mainnet": "kľúč"}, "api_key_mainnet"),
        ({"http_client": httpx.AsyncClient()}, "http_client"),
    ],
)
def test_bad_sdk_options_are_refused(options: dict[str, Any], parameter: str) -> None:
    with pytest.raises(tatum.ValidationError) as caught:
        tatum.Sdk(**options)

    assert caught.value.parameter == parameter


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8700", "http://localhost:8700/", "http://[::1]:9000", "http://127.1.2.3"]
)
def test_plain_http_is_allowed_on_loopback(url: str) -> None:
    with tatum.Sdk(base_url=url) as sdk:
        assert sdk.base_url == url.rstrip("/")


async def _async_sleep(delay: float) -> None:
    pass


def test_sleep_must_match_the_sdk_kind() -> None:
    with pytest.raises(tatum.ValidationError, match="sleep"):
        tatum.Sdk(sleep=_async_sleep)  # type: ignore[arg-type]
    with pytest.raises(tatum.ValidationError, match="sleep"):
        tatum.AsyncSdk(sleep=time.sleep)  # type: ignore[arg-type]


# Codes read at run time (a file, a form) are typed without a cast, and checked.


def test_fiat_currency_and_country_code_check_a_runtime_string_and_type_it() -> None:
    from_a_form: str = " eur ".strip().upper()

    update = tatum.CustomerUpdate(
        external_id="c-1",
        accounting_currency=tatum.fiat_currency(from_a_form),  # mypy --strict accepts this: no cast
        customer_country=tatum.country_code("DE"),
        provider_country=tatum.country_code("CZ"),
    )

    assert update.to_dict() == {
        "externalId": "c-1",
        "accountingCurrency": "EUR",
        "customerCountry": "DE",
        "providerCountry": "CZ",
    }


@pytest.mark.parametrize(
    ("convert", "value", "rule"),
    [
        (tatum.fiat_currency, "eur", "did you mean 'EUR'"),
        (tatum.fiat_currency, "XXX", "not a valid FiatCurrency code"),
        (tatum.country_code, "Germany", "not a valid CountryCode code"),
        (tatum.country_code, 49, "must be a str, not int"),
        (tatum.country_code, "D\udfff", "lone surrogate"),
    ],
)
def test_a_code_not_in_the_spec_is_a_validation_error(convert: Any, value: Any, rule: str) -> None:
    with pytest.raises(tatum.ValidationError, match=rule):
        convert(value)


def test_the_enum_types_are_exported() -> None:
    currency: tatum.FiatCurrency = "USD"
    country: tatum.CountryCode = "US"

    assert (currency, country) == ("USD", "US")
