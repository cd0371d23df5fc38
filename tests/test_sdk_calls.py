"""The seven SDK methods over real HTTP on loopback, sync and async, on both networks.

Each test asserts what reached the server (method, path, query, body, key header, User-Agent) and what the
method returned. The contract server validates every request and reply against the spec.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import tatum
from support.contract_server import ContractServer
from support.scripted import CUSTOMER, INTERNAL_ID, KEY_MAINNET, KEY_TESTNET
from tatum import Customer, CustomerUpdate

UPDATED = {**CUSTOMER, "externalId": "new-ext", "accountingCurrency": "EUR", "customerCountry": "DE"}

# method name -> (arguments, status the server answers, its body, raw path, query, JSON body sent)
CASES: dict[str, tuple[tuple[Any, ...], int, Any, str, list[tuple[str, str]], Any]] = {
    "find_all_customers": ((10, 20), 200, [CUSTOMER], "/v3/ledger/customer", [("pageSize", "10"), ("offset", "20")], None),
    "get_customer_by_external_or_internal_id": (("651234",), 200, CUSTOMER, "/v3/ledger/customer/651234", [], None),
    "update_customer": (
        (INTERNAL_ID, CustomerUpdate(external_id="new-ext", accounting_currency="EUR", customer_country="DE")),
        200, UPDATED, f"/v3/ledger/customer/{INTERNAL_ID}", [],
        {"externalId": "new-ext", "accountingCurrency": "EUR", "customerCountry": "DE"},
    ),
    "activate_customer": ((INTERNAL_ID,), 204, None, f"/v3/ledger/customer/{INTERNAL_ID}/activate", [], None),
    "deactivate_customer": ((INTERNAL_ID,), 204, None, f"/v3/ledger/customer/{INTERNAL_ID}/deactivate", [], None),
    "enable_customer": ((INTERNAL_ID,), 204, None, f"/v3/ledger/customer/{INTERNAL_ID}/enable", [], None),
    "disable_customer": ((INTERNAL_ID,), 204, None, f"/v3/ledger/customer/{INTERNAL_ID}/disable", [], None),
}  # fmt: skip
METHOD = {name: "GET" if name.startswith(("find", "get")) else "PUT" for name in CASES}


def expected_result(name: str) -> Any:
    status, body = CASES[name][1:3]
    if status == 204:
        return None
    if isinstance(body, list):
        return [Customer.from_dict(item) for item in body]
    return Customer.from_dict(body)


def assert_sent(server: ContractServer, name: str, key: str | None, network: str) -> None:
    _, _, _, raw_path, query, body = CASES[name]
    sent = server.last
    assert (sent.method, sent.raw_path) == (METHOD[name], raw_path)
    assert sent.query == ([*query, ("type", "testnet")] if key is None and network == "testnet" else query)
    assert sent.headers.get("x-api-key") == key
    assert sent.headers["user-agent"] == f"tatum-sdk-python/{tatum.__version__}"
    assert (sent.json if sent.body else None) == body


NETWORKS = [("mainnet", KEY_MAINNET), ("testnet", KEY_TESTNET), ("mainnet", None), ("testnet", None)]


@pytest.mark.parametrize(
    ("network", "key"), NETWORKS, ids=["mainnet", "testnet", "mainnet-nokey", "testnet-nokey"]
)
@pytest.mark.parametrize("name", sorted(CASES))
def test_sync_method(contract_server: ContractServer, name: str, network: str, key: str | None) -> None:
    args, status, body = CASES[name][:3]
    contract_server.reply(status, body)
    keys = (KEY_MAINNET, KEY_TESTNET) if key else (None, None)

    with tatum.Sdk(*keys, base_url=contract_server.url) as sdk:
        net = sdk.mainnet() if network == "mainnet" else sdk.testnet()
        method: Callable[..., Any] = getattr(net.api().customer(), name)
        result = method(*args)

        assert result == expected_result(name)
        assert net.credits_used == tatum.CREDIT_COSTS[name]
    assert_sent(contract_server, name, key, network)


@pytest.mark.parametrize(
    ("network", "key"), NETWORKS, ids=["mainnet", "testnet", "mainnet-nokey", "testnet-nokey"]
)
@pytest.mark.parametrize("name", sorted(CASES))
async def test_async_method(
    contract_server: ContractServer, name: str, network: str, key: str | None
) -> None:
    args, status, body = CASES[name][:3]
    contract_server.reply(status, body)
    keys = (KEY_MAINNET, KEY_TESTNET) if key else (None, None)

    async with tatum.AsyncSdk(*keys, base_url=contract_server.url) as sdk:
        net = sdk.mainnet() if network == "mainnet" else sdk.testnet()
        method: Callable[..., Awaitable[Any]] = getattr(net.api().customer(), name)
        result = await method(*args)

        assert result == expected_result(name)
        assert net.credits_used == tatum.CREDIT_COSTS[name]
    assert_sent(contract_server, name, key, network)


def test_update_accepts_a_mapping_with_the_api_field_names(contract_server: ContractServer) -> None:
    contract_server.reply(200, UPDATED)

    with tatum.Sdk(KEY_MAINNET, base_url=contract_server.url) as sdk:
        customer = (
            sdk.mainnet()
            .api()
            .customer()
            .update_customer(
                INTERNAL_ID, {"externalId": "new-ext", "accountingCurrency": "EUR", "customerCountry": "DE"}
            )
        )

    assert customer.accounting_currency == "EUR"
    assert contract_server.last.json == {
        "externalId": "new-ext",
        "accountingCurrency": "EUR",
        "customerCountry": "DE",
    }


def test_ids_with_reserved_characters_travel_as_one_segment(contract_server: ContractServer) -> None:
    contract_server.reply(200, {**CUSTOMER, "externalId": "a/b?c#d%e f"})

    with tatum.Sdk(KEY_MAINNET, base_url=contract_server.url) as sdk:
        customer = sdk.mainnet().api().customer().get_customer_by_external_or_internal_id("a/b?c#d%e f")

    assert customer.external_id == "a/b?c#d%e f"
    assert contract_server.last.raw_path == "/v3/ledger/customer/a%2Fb%3Fc%23d%25e%20f"


def test_both_networks_share_one_connection_pool_and_reuse_connections(
    contract_server: ContractServer,
) -> None:
    for _ in range(4):
        contract_server.reply(200, [])
    with tatum.Sdk(KEY_MAINNET, KEY_TESTNET, base_url=contract_server.url) as sdk:
        for network in (sdk.mainnet(), sdk.testnet(), sdk.mainnet(), sdk.testnet()):
            network.api().customer().find_all_customers(1)
    assert [r.headers["x-api-key"] for r in contract_server.requests] == [KEY_MAINNET, KEY_TESTNET] * 2
    assert contract_server.connections == 1
