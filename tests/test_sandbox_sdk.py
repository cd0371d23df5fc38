"""The SDK against the sandbox over real HTTP: all seven methods, sync and async, Tatum's 403 rules, ledgers,
and injected faults observed through the SDK's retries and typed errors (the `tatum_sandbox` fixture)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Unpack

import httpx
import pytest
from tatum import (
    CREDIT_COSTS,
    ApiConnectionError,
    ApiTimeoutError,
    CustomerNotFoundError,
    CustomerStateError,
    CustomerUpdate,
    ForbiddenError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)
from tatum.customer import AsyncCustomerApi, CustomerApi
from tatum.testing import API_KEY_MAINNET, AsyncSdkOptions, SdkOptions, TatumSandbox

UNKNOWN_INTERNAL_ID = "0123456789abcdef01234567"


def api(sandbox: TatumSandbox, **kwargs: Unpack[SdkOptions]) -> CustomerApi:
    return sandbox.sdk(**kwargs).mainnet().api().customer()


def sleeps_into(recorded: list[float]) -> Callable[[float], None]:
    return recorded.append


def assert_refused(error: pytest.ExceptionInfo[ForbiddenError], code: str) -> None:
    assert error.value.status_code == 403
    assert error.value.error_code == code


# find_all_customers, iter_customers


def test_find_all_customers_pages_in_creation_order(tatum_sandbox: TatumSandbox) -> None:
    ids = [tatum_sandbox.add_customer(f"c-{n}", accounting_currency="EUR") for n in range(5)]
    customers = api(tatum_sandbox)

    assert [c.id for c in customers.find_all_customers(2)] == ids[:2]
    assert [c.id for c in customers.find_all_customers(2, offset=2)] == ids[2:4]
    assert [c.id for c in customers.find_all_customers(50, offset=4)] == ids[4:]
    assert customers.find_all_customers(50, offset=5) == []
    assert [c.id for c in customers.iter_customers(page_size=2)] == ids


def test_listed_customers_carry_every_field(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer(
        "ext-1", accounting_currency="CZK", customer_country="CZ", provider_country="DE", enabled=False
    )

    (customer,) = api(tatum_sandbox).find_all_customers(10)

    assert (customer.id, customer.external_id, customer.active, customer.enabled) == (
        id,
        "ext-1",
        True,
        False,
    )
    assert (customer.accounting_currency, customer.customer_country, customer.provider_country) == (
        "CZK",
        "CZ",
        "DE",
    )


# get_customer_by_external_or_internal_id


def test_get_customer_by_internal_or_external_id(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer("shop-42")
    customers = api(tatum_sandbox)

    assert customers.get_customer_by_external_or_internal_id(id).external_id == "shop-42"
    assert customers.get_customer_by_external_or_internal_id("shop-42").id == id


def test_get_unknown_external_id_is_customer_not_exists(tatum_sandbox: TatumSandbox) -> None:
    with pytest.raises(CustomerNotFoundError) as error:
        api(tatum_sandbox).get_customer_by_external_or_internal_id("nobody")

    assert_refused(error, "customer.not.exists")
    assert error.value.message == "No customer with given external ID nobody exists."


def test_get_unknown_internal_looking_id_is_customer_internal_not_exists(tatum_sandbox: TatumSandbox) -> None:
    with pytest.raises(CustomerNotFoundError) as error:
        api(tatum_sandbox).get_customer_by_external_or_internal_id(UNKNOWN_INTERNAL_ID)

    assert_refused(error, "customer.internal.not.exists")


def test_an_id_with_a_slash_stays_one_path_segment(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer("eu/shop/7")

    assert api(tatum_sandbox).get_customer_by_external_or_internal_id("eu/shop/7").id == id


# update_customer


def test_update_changes_only_the_given_fields(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer(
        "old", accounting_currency="USD", customer_country="US", provider_country="US"
    )
    customers = api(tatum_sandbox)

    updated = customers.update_customer(id, CustomerUpdate(external_id="new", customer_country="CZ"))

    assert (updated.id, updated.external_id, updated.customer_country) == (id, "new", "CZ")
    assert (updated.accounting_currency, updated.provider_country) == ("USD", "US")
    assert customers.get_customer_by_external_or_internal_id("new").customer_country == "CZ"
    with pytest.raises(CustomerNotFoundError):
        customers.get_customer_by_external_or_internal_id("old")


def test_update_accepts_a_mapping_and_its_own_external_id(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer("same")

    updated = api(tatum_sandbox).update_customer(id, {"externalId": "same", "accountingCurrency": "EUR"})

    assert (updated.external_id, updated.accounting_currency) == ("same", "EUR")


def test_update_rules(tatum_sandbox: TatumSandbox) -> None:
    taken = tatum_sandbox.add_customer("taken")
    active = tatum_sandbox.add_customer("active")
    inactive = tatum_sandbox.add_customer("inactive", active=False)
    customers = api(tatum_sandbox)

    with pytest.raises(CustomerNotFoundError) as unknown:
        customers.update_customer(UNKNOWN_INTERNAL_ID, {"externalId": "x"})
    assert_refused(unknown, "customer.internal.not.exists")
    with pytest.raises(CustomerStateError) as state:
        customers.update_customer(inactive, {"externalId": "x"})
    assert_refused(state, "customer.inactive")
    with pytest.raises(ForbiddenError) as duplicate:
        customers.update_customer(active, {"externalId": "taken"})
    assert_refused(duplicate, "customer.exists")
    assert customers.get_customer_by_external_or_internal_id("taken").id == taken


# activate, deactivate, enable, disable


def test_deactivate_then_activate_again(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer()
    customers = api(tatum_sandbox)

    with pytest.raises(CustomerStateError) as already:
        customers.activate_customer(id)
    assert_refused(already, "customer.active")

    customers.deactivate_customer(id)
    assert customers.get_customer_by_external_or_internal_id(id).active is False
    customers.activate_customer(id)
    assert customers.get_customer_by_external_or_internal_id(id).active is True
    customers.deactivate_customer(id)
    customers.activate_customer(id)
    assert customers.get_customer_by_external_or_internal_id(id).active is True


def test_deactivate_rules(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer(active_accounts=2)
    customers = api(tatum_sandbox)

    with pytest.raises(CustomerStateError) as accounts:
        customers.deactivate_customer(id)
    assert_refused(accounts, "customer.deactivate.account.active")

    tatum_sandbox.set_active_accounts(id, 0)
    customers.deactivate_customer(id)
    with pytest.raises(CustomerStateError) as inactive:
        customers.deactivate_customer(id)
    assert_refused(inactive, "customer.inactive")


def test_disable_then_enable(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer()
    customers = api(tatum_sandbox)

    with pytest.raises(CustomerStateError) as enabled:
        customers.enable_customer(id)
    assert_refused(enabled, "customer.enabled")

    customers.disable_customer(id)
    assert customers.get_customer_by_external_or_internal_id(id).enabled is False
    with pytest.raises(CustomerStateError) as disabled:
        customers.disable_customer(id)
    assert_refused(disabled, "customer.disabled")

    customers.enable_customer(id)
    assert customers.get_customer_by_external_or_internal_id(id).enabled is True


@pytest.mark.parametrize("method", ["enable_customer", "disable_customer"])
def test_enable_and_disable_need_an_active_customer(tatum_sandbox: TatumSandbox, method: str) -> None:
    id = tatum_sandbox.add_customer(active=False, enabled=method == "disable_customer")

    with pytest.raises(CustomerStateError) as error:
        getattr(api(tatum_sandbox), method)(id)

    assert_refused(error, "customer.inactive")


def test_activating_an_inactive_disabled_customer_keeps_it_disabled(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer(active=False, enabled=False)
    customers = api(tatum_sandbox)

    customers.activate_customer(id)

    customer = customers.get_customer_by_external_or_internal_id(id)
    assert (customer.active, customer.enabled) == (True, False)


@pytest.mark.parametrize(
    "method", ["activate_customer", "deactivate_customer", "enable_customer", "disable_customer"]
)
def test_state_changes_of_an_unknown_customer(tatum_sandbox: TatumSandbox, method: str) -> None:
    tatum_sandbox.add_customer("external-id-7")

    with pytest.raises(CustomerNotFoundError) as error:
        getattr(api(tatum_sandbox), method)("external-id-7")  # an external id: these take internal ids only

    assert_refused(error, "customer.internal.not.exists")


def test_credits_are_counted_for_answered_calls_only(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer()
    sdk = tatum_sandbox.sdk()
    customers = sdk.mainnet().api().customer()

    customers.find_all_customers(10)
    customers.disable_customer(id)
    with pytest.raises(CustomerStateError):
        customers.disable_customer(id)

    assert sdk.mainnet().credits_used == CREDIT_COSTS["find_all_customers"] + CREDIT_COSTS["disable_customer"]
    assert sdk.testnet().credits_used == 0


# ledgers


def test_each_api_key_has_its_own_ledger(tatum_sandbox: TatumSandbox) -> None:
    mine = tatum_sandbox.add_customer("mine")
    testnet = tatum_sandbox.add_customer("on-testnet", network="testnet")
    other = tatum_sandbox.sdk(api_key_mainnet="someone-else").mainnet().api().customer()
    sdk = tatum_sandbox.sdk()

    assert [c.id for c in sdk.mainnet().api().customer().find_all_customers(50)] == [mine]
    assert [c.id for c in sdk.testnet().api().customer().find_all_customers(50)] == [testnet]
    assert other.find_all_customers(50) == []
    with pytest.raises(CustomerNotFoundError):
        other.deactivate_customer(mine)


def test_requests_without_a_key_use_the_anonymous_ledger_of_their_network(
    tatum_sandbox: TatumSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TATUM_API_KEY_MAINNET", raising=False)
    monkeypatch.delenv("TATUM_API_KEY_TESTNET", raising=False)
    on_testnet = tatum_sandbox.add_customer("anon-test", keyless=True, network="testnet")
    on_mainnet = tatum_sandbox.add_customer("anon-main", keyless=True)
    keyless = tatum_sandbox.sdk(api_key_mainnet=None, api_key_testnet=None)

    testnet = keyless.testnet().api().customer()
    assert [c.id for c in testnet.find_all_customers(50)] == [on_testnet]
    testnet.deactivate_customer(on_testnet)
    assert testnet.get_customer_by_external_or_internal_id("anon-test").active is False
    assert [c.id for c in keyless.mainnet().api().customer().find_all_customers(50)] == [on_mainnet]
    assert api(tatum_sandbox).find_all_customers(50) == []


def test_each_test_starts_with_empty_ledgers(tatum_sandbox: TatumSandbox) -> None:
    # Earlier tests added customers under the same keys; the fixture emptied every ledger since.
    assert api(tatum_sandbox).find_all_customers(50) == []
    assert tatum_sandbox.sdk().testnet().api().customer().find_all_customers(50) == []


def test_reset_empties_one_ledger(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.add_customer("main")
    kept = tatum_sandbox.add_customer("test", network="testnet")

    tatum_sandbox.reset()

    sdk = tatum_sandbox.sdk()
    assert sdk.mainnet().api().customer().find_all_customers(50) == []
    assert [c.id for c in sdk.testnet().api().customer().find_all_customers(50)] == [kept]


# faults, observed through the SDK


def test_a_503_fault_is_retried_and_the_call_succeeds(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer()
    tatum_sandbox.inject_fault(status=503, retry_after=2)
    sleeps: list[float] = []
    customers = api(tatum_sandbox, sleep=sleeps_into(sleeps))

    customers.disable_customer(id)

    assert sleeps == [2.0]
    assert customers.get_customer_by_external_or_internal_id(id).enabled is False


def test_faults_past_the_retries_raise_server_error(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.inject_fault(status=502, count=3)
    sleeps: list[float] = []

    with pytest.raises(ServerError) as error:
        api(tatum_sandbox, max_retries=2, sleep=sleeps_into(sleeps)).find_all_customers(10)

    assert error.value.status_code == 502
    assert len(sleeps) == 2
    assert api(tatum_sandbox).find_all_customers(10) == []  # the three faults are used up


def test_a_429_fault_carries_retry_after(tatum_sandbox: TatumSandbox) -> None:
    body = {"errorCode": "rate.limit.exceeded", "message": "slow down", "statusCode": 429}
    tatum_sandbox.inject_fault(status=429, retry_after=7, body=body)

    # No client-side limiter: the 429 is a retry, and none is left.
    with pytest.raises(RateLimitError) as error:
        api(tatum_sandbox, max_retries=0, rate_limit=None).find_all_customers(10)

    assert (error.value.retry_after, error.value.error_code, error.value.message) == (
        7.0,
        "rate.limit.exceeded",
        "slow down",
    )


@pytest.mark.parametrize(("retry_after", "header"), [(0.2, "0.2"), (0.25, "0.25"), (3, "3"), (3.0, "3")])
def test_a_fault_may_ask_for_fractions_of_a_second(
    tatum_sandbox: TatumSandbox, retry_after: float, header: str
) -> None:
    tatum_sandbox.inject_fault(status=429, retry_after=retry_after, count=2)
    raw = httpx.get(
        f"{tatum_sandbox.url}/v3/ledger/customer?pageSize=1", headers={"x-api-key": API_KEY_MAINNET}
    )

    with pytest.raises(RateLimitError) as error:
        api(tatum_sandbox, max_retries=0, rate_limit=None).find_all_customers(10)

    assert (raw.status_code, raw.headers["retry-after"]) == (429, header)
    assert error.value.retry_after == retry_after


def test_a_dropped_connection_is_an_api_connection_error(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.inject_fault(drop=True)
    customers = api(tatum_sandbox, max_retries=0)

    with pytest.raises(ApiConnectionError) as error:
        customers.find_all_customers(10)

    assert not isinstance(error.value, ApiTimeoutError)
    assert customers.find_all_customers(10) == []


def test_a_dropped_connection_is_retried(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer()
    tatum_sandbox.inject_fault(drop=True)
    sleeps: list[float] = []

    api(tatum_sandbox, max_retries=1, sleep=sleeps_into(sleeps)).deactivate_customer(id)

    assert len(sleeps) == 1
    assert api(tatum_sandbox).get_customer_by_external_or_internal_id(id).active is False


def test_a_delay_past_the_timeout_is_an_api_timeout_error(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.inject_fault(delay=1.0)

    with pytest.raises(ApiTimeoutError):
        api(tatum_sandbox, timeout=0.2, max_retries=0).find_all_customers(10)


def test_a_delay_alone_slows_the_answer_down(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.add_customer()
    tatum_sandbox.inject_fault(delay=0.3)
    started = time.monotonic()

    customers = api(tatum_sandbox).find_all_customers(10)

    assert time.monotonic() - started >= 0.3
    assert len(customers) == 1


def test_a_success_status_with_a_broken_body_is_an_unexpected_response(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.inject_fault(status=200, body={"not": "a customer"})

    with pytest.raises(UnexpectedResponseError):
        api(tatum_sandbox).get_customer_by_external_or_internal_id("anyone")


def test_faults_belong_to_one_ledger(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.inject_fault(status=500, network="testnet")
    sdk = tatum_sandbox.sdk(max_retries=0)

    assert sdk.mainnet().api().customer().find_all_customers(10) == []
    with pytest.raises(ServerError):
        sdk.testnet().api().customer().find_all_customers(10)


# AsyncSdk


def async_api(sandbox: TatumSandbox, **kwargs: Unpack[AsyncSdkOptions]) -> AsyncCustomerApi:
    return sandbox.async_sdk(**kwargs).mainnet().api().customer()


async def test_async_list_get_and_update(tatum_sandbox: TatumSandbox) -> None:
    ids = [tatum_sandbox.add_customer(f"a-{n}") for n in range(3)]
    customers = async_api(tatum_sandbox)

    assert [c.id for c in await customers.find_all_customers(2, offset=1)] == ids[1:]
    assert [c.id async for c in customers.aiter_customers(page_size=2)] == ids
    assert (await customers.get_customer_by_external_or_internal_id("a-1")).id == ids[1]
    updated = await customers.update_customer(ids[0], {"externalId": "a-0b", "providerCountry": "SK"})
    assert (updated.external_id, updated.provider_country) == ("a-0b", "SK")
    with pytest.raises(CustomerNotFoundError) as error:
        await customers.get_customer_by_external_or_internal_id("a-0")
    assert_refused(error, "customer.not.exists")


async def test_async_state_changes_and_their_rules(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer(active_accounts=1)
    async with tatum_sandbox.async_sdk() as sdk:
        customers = sdk.mainnet().api().customer()

        with pytest.raises(CustomerStateError) as accounts:
            await customers.deactivate_customer(id)
        assert_refused(accounts, "customer.deactivate.account.active")
        tatum_sandbox.set_active_accounts(id, 0)

        await customers.deactivate_customer(id)
        with pytest.raises(CustomerStateError) as inactive:
            await customers.disable_customer(id)
        assert_refused(inactive, "customer.inactive")
        await customers.activate_customer(id)
        with pytest.raises(CustomerStateError) as active:
            await customers.activate_customer(id)
        assert_refused(active, "customer.active")

        await customers.disable_customer(id)
        with pytest.raises(CustomerStateError) as disabled:
            await customers.disable_customer(id)
        assert_refused(disabled, "customer.disabled")
        await customers.enable_customer(id)
        with pytest.raises(CustomerStateError) as enabled:
            await customers.enable_customer(id)
        assert_refused(enabled, "customer.enabled")

        customer = await customers.get_customer_by_external_or_internal_id(id)
        assert (customer.active, customer.enabled) == (True, True)
        assert sdk.mainnet().credits_used == 4 * 2 + 1  # refused calls cost nothing


async def test_async_unknown_customer(tatum_sandbox: TatumSandbox) -> None:
    customers = async_api(tatum_sandbox)

    for call in (
        customers.activate_customer,
        customers.deactivate_customer,
        customers.enable_customer,
        customers.disable_customer,
    ):
        with pytest.raises(CustomerNotFoundError) as error:
            await call(UNKNOWN_INTERNAL_ID)
        assert_refused(error, "customer.internal.not.exists")


async def test_async_faults(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer()
    tatum_sandbox.inject_fault(status=503)
    tatum_sandbox.inject_fault(drop=True)
    sleeps: list[float] = []

    async def record(delay: float) -> None:
        sleeps.append(delay)

    await async_api(tatum_sandbox, max_retries=2, sleep=record).disable_customer(id)

    assert len(sleeps) == 2
    tatum_sandbox.inject_fault(drop=True)
    with pytest.raises(ApiConnectionError):
        await async_api(tatum_sandbox, max_retries=0).enable_customer(id)


async def test_fifty_concurrent_updates_of_one_customer(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer("start")
    customers = async_api(tatum_sandbox, max_retries=0)
    wanted = [f"concurrent-{n}" for n in range(50)]

    results = await asyncio.gather(*(customers.update_customer(id, {"externalId": x}) for x in wanted))

    assert [customer.external_id for customer in results] == wanted
    final = await customers.get_customer_by_external_or_internal_id(id)
    assert final.external_id in wanted
    assert [c.id for c in await customers.find_all_customers(50)] == [id]
