"""Credit costs come from the spec's x-tatum-credits; credits_used counts successes; budgets refuse early."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import generate
import httpx
import pytest
import tatum
from support.contract_server import SPEC_PATH, load_spec
from support.scripted import CUSTOMER, INTERNAL_ID, Script, error_body, reply

ROOT = Path(__file__).resolve().parent.parent


def spec_costs() -> dict[str, int]:
    spec = load_spec(SPEC_PATH)
    return {
        op["operationId"]: op["x-tatum-credits"] for item in spec["paths"].values() for op in item.values()
    }


def test_credit_costs_are_the_specs() -> None:
    from_spec = spec_costs()
    assert {
        "activate_customer": from_spec["activateCustomer"],
        "deactivate_customer": from_spec["deactivateCustomer"],
        "disable_customer": from_spec["disableCustomer"],
        "enable_customer": from_spec["enableCustomer"],
        "find_all_customers": from_spec["findAllCustomers"],
        "get_customer_by_external_or_internal_id": from_spec["getCustomerByExternalOrInternalId"],
        "update_customer": from_spec["updateCustomer"],
    } == tatum.CREDIT_COSTS
    assert tatum.CREDIT_COSTS["find_all_customers"] == 1
    assert tatum.CREDIT_COSTS["activate_customer"] == 2


@pytest.mark.parametrize("name", sorted(tatum.CREDIT_COSTS))
def test_each_method_carries_its_cost(name: str) -> None:
    sync_api = tatum.Sdk().mainnet().api().customer()
    async_api = tatum.AsyncSdk().mainnet().api().customer()
    assert getattr(sync_api, name).credits == tatum.CREDIT_COSTS[name]
    assert getattr(async_api, name).credits == tatum.CREDIT_COSTS[name]
    assert getattr(tatum.CustomerApi, name).credits == tatum.CREDIT_COSTS[name]
    assert f"Credits: {tatum.CREDIT_COSTS[name]} per call" in (getattr(sync_api, name).__doc__ or "")
    assert f"Credits: {tatum.CREDIT_COSTS[name]} per call" in (getattr(async_api, name).__doc__ or "")


def test_changing_a_cost_in_the_spec_and_regenerating_changes_what_the_sdk_reports(tmp_path: Path) -> None:
    spec = (ROOT / "openapi" / "customer.yaml").read_text()
    anchor = "      operationId: activateCustomer\n      tags: [Customer]\n      summary: Activate customer\n"
    old = (
        anchor
        + "      description: Activated customer is able to do any operation.\n      x-tatum-credits: 2\n"
    )
    assert old in spec
    changed = tmp_path / "customer.yaml"
    changed.write_text(spec.replace(old, old.replace("x-tatum-credits: 2", "x-tatum-credits: 7")))
    generate.generate(tmp_path / "tatum_client", changed)

    probe = (
        "import tatum; api = tatum.Sdk().mainnet().api().customer(); "
        "print(tatum.CREDIT_COSTS['activate_customer'], api.activate_customer.credits, "
        "'Credits: 7 per call' in api.activate_customer.__doc__)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT / "customizations")])}
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == ["7", "7", "True"]


def test_credits_used_counts_only_successes_per_network() -> None:
    script = Script(
        reply(200, [CUSTOMER]),
        reply(204),
        reply(403, error_body(403, "customer.active")),
        reply(500),
        reply(200, CUSTOMER),
    )
    sdk = script.sdk(max_retries=0)
    main, test = sdk.mainnet().api().customer(), sdk.testnet().api().customer()

    main.find_all_customers(10)  # 1
    main.activate_customer(INTERNAL_ID)  # 2
    with pytest.raises(tatum.CustomerStateError):
        main.activate_customer(INTERNAL_ID)
    with pytest.raises(tatum.ServerError):
        test.find_all_customers(10)
    test.get_customer_by_external_or_internal_id("651234")  # 1

    assert sdk.mainnet().credits_used == 3
    assert sdk.testnet().credits_used == 1


def test_a_call_that_would_pass_the_budget_is_refused_before_sending() -> None:
    script = Script(reply(204), reply(200, [CUSTOMER]))
    sdk = script.sdk(credit_budget=3)
    api = sdk.mainnet().api().customer()

    api.activate_customer(INTERNAL_ID)  # 2 of 3
    with pytest.raises(tatum.CreditBudgetExceededError) as caught:
        api.deactivate_customer(INTERNAL_ID)  # would be 4
    api.find_all_customers(10)  # 3 of 3: allowed

    assert (caught.value.operation, caught.value.cost, caught.value.used, caught.value.budget) == (
        "deactivate_customer",
        2,
        2,
        3,
    )
    assert [r.url.path for r in script.requests] == [
        f"/v3/ledger/customer/{INTERNAL_ID}/activate",
        "/v3/ledger/customer",
    ]
    assert sdk.mainnet().credits_used == 3


def test_the_budget_is_per_network_and_shared_with_copies() -> None:
    script = Script(reply(204), reply(204))
    sdk = script.sdk(credit_budget=2)

    sdk.mainnet().api().customer().enable_customer(INTERNAL_ID)
    sdk.testnet().api().customer().enable_customer(INTERNAL_ID)  # the other network has its own
    with pytest.raises(tatum.CreditBudgetExceededError):
        sdk.with_options(timeout=5).mainnet().api().customer().enable_customer(INTERNAL_ID)

    assert sdk.with_options(max_retries=0).mainnet().credits_used == 2
    assert len(script.requests) == 2


def test_a_raised_budget_on_a_copy_allows_more() -> None:
    script = Script(reply(204), reply(204))
    sdk = script.sdk(credit_budget=2)
    sdk.mainnet().api().customer().enable_customer(INTERNAL_ID)

    sdk.with_options(credit_budget=4).mainnet().api().customer().disable_customer(INTERNAL_ID)

    assert sdk.mainnet().credits_used == 4


def test_failed_and_refused_calls_release_their_reservation() -> None:
    script = Script(httpx.ConnectError("refused"), reply(204))
    sdk = script.sdk(credit_budget=2, max_retries=0)
    api = sdk.mainnet().api().customer()

    with pytest.raises(tatum.ApiConnectionError):
        api.activate_customer(INTERNAL_ID)
    api.activate_customer(INTERNAL_ID)

    assert sdk.mainnet().credits_used == 2


async def test_async_budget_and_credits() -> None:
    script = Script(reply(200, [CUSTOMER]))
    sdk = script.async_sdk(credit_budget=1)
    api = sdk.testnet().api().customer()

    await api.find_all_customers(10)
    with pytest.raises(tatum.CreditBudgetExceededError):
        await api.find_all_customers(10)

    assert sdk.testnet().credits_used == 1
    assert len(script.requests) == 1
