"""The generated low-level client (tatum_client) against a real loopback server.

For each of the seven operations: the method, path, query, body and x-api-key header it sends, and how it
parses every response status the spec documents. The contract_server fixture validates every request and
every reply against openapi/customer.yaml, so these tests also prove the client speaks the spec.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support.contract_server import SPEC_PATH, ContractServer, load_spec
from tatum_client import AuthenticatedClient, Client
from tatum_client.api.customer import (
    activate_customer,
    deactivate_customer,
    disable_customer,
    enable_customer,
    find_all_customers,
    get_customer_by_external_or_internal_id,
    update_customer,
)
from tatum_client.models import Customer, CustomerUpdate, ErrorBody, ValidationErrorBody
from tatum_client.types import UNSET, Response

KEY = "test-key-0123456789"
INTERNAL_ID = "5e68c66581f2ee32bc354087"
CUSTOMER = {
    "id": INTERNAL_ID,
    "externalId": "651234",
    "active": True,
    "enabled": True,
    "accountingCurrency": "USD",
    "customerCountry": "US",
    "providerCountry": "CZ",
}
UPDATE = CustomerUpdate(
    external_id="651234", accounting_currency="EUR", customer_country="DE", provider_country="NO"
)

# operationId -> (how to call it, HTTP method, raw path, query, JSON body sent)
Call = Callable[[AuthenticatedClient | Client], Response[Any]]
OPERATIONS: dict[str, tuple[Call, str, str, list[tuple[str, str]], Any]] = {
    "findAllCustomers": (
        lambda c: find_all_customers.sync_detailed(client=c, page_size=10, offset=20),
        "GET", "/v3/ledger/customer", [("pageSize", "10"), ("offset", "20")], None,
    ),
    "getCustomerByExternalOrInternalId": (
        lambda c: get_customer_by_external_or_internal_id.sync_detailed("651234", client=c),
        "GET", "/v3/ledger/customer/651234", [], None,
    ),
    "updateCustomer": (
        lambda c: update_customer.sync_detailed(INTERNAL_ID, client=c, body=UPDATE),
        "PUT", f"/v3/ledger/customer/{INTERNAL_ID}", [],
        {"externalId": "651234", "accountingCurrency": "EUR", "customerCountry": "DE", "providerCountry": "NO"},
    ),
    "activateCustomer": (
        lambda c: activate_customer.sync_detailed(INTERNAL_ID, client=c),
        "PUT", f"/v3/ledger/customer/{INTERNAL_ID}/activate", [], None,
    ),
    "deactivateCustomer": (
        lambda c: deactivate_customer.sync_detailed(INTERNAL_ID, client=c),
        "PUT", f"/v3/ledger/customer/{INTERNAL_ID}/deactivate", [], None,
    ),
    "enableCustomer": (
        lambda c: enable_customer.sync_detailed(INTERNAL_ID, client=c),
        "PUT", f"/v3/ledger/customer/{INTERNAL_ID}/enable", [], None,
    ),
    "disableCustomer": (
        lambda c: disable_customer.sync_detailed(INTERNAL_ID, client=c),
        "PUT", f"/v3/ledger/customer/{INTERNAL_ID}/disable", [], None,
    ),
}  # fmt: skip

SUCCESS_BODY = {"findAllCustomers": [CUSTOMER, {**CUSTOMER, "id": "5e68c66581f2ee32bc354088"}]}
ERROR_BODIES: dict[int, dict[str, Any]] = {
    400: {
        "errorCode": "validation.failed",
        "message": "Request validation failed. Please see data for additional information.",
        "statusCode": 400,
        "data": [
            {
                "target": {"externalId": ""},
                "value": "",
                "property": "externalId",
                "constraints": {"minLength": "externalId must be longer than or equal to 1 characters"},
            }
        ],
    },
    401: {
        "errorCode": "subscription.invalid",
        "message": "Unable to find valid subscription",
        "statusCode": 401,
    },
    403: {"errorCode": "customer.internal.not.exists", "message": "No such customer.", "statusCode": 403},
    429: {"errorCode": "too.many.requests", "message": "Rate limit exceeded.", "statusCode": 429},
    500: {"message": "Internal server error", "statusCode": 500},
}


@pytest.fixture
def client(contract_server: ContractServer) -> Iterator[AuthenticatedClient]:
    """The generated client pointed at the contract server with a key, closed after the test."""
    with AuthenticatedClient(
        base_url=contract_server.url, token=KEY, prefix="", auth_header_name="x-api-key"
    ) as authenticated:
        yield authenticated


def documented(operation_id: str) -> list[int]:
    """The statuses the spec documents for an operation (read from the spec, so none is forgotten)."""
    for item in load_spec(SPEC_PATH)["paths"].values():
        for operation in item.values():
            if operation.get("operationId") == operation_id:
                return sorted(int(status) for status in operation["responses"])
    raise LookupError(operation_id)


def test_the_table_covers_exactly_the_operations_of_the_spec() -> None:
    in_spec = {op["operationId"] for item in load_spec(SPEC_PATH)["paths"].values() for op in item.values()}
    assert in_spec == set(OPERATIONS)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_sends_method_path_query_body_and_key(
    client: AuthenticatedClient, contract_server: ContractServer, operation_id: str
) -> None:
    call, method, raw_path, query, body = OPERATIONS[operation_id]
    success = min(documented(operation_id))
    contract_server.reply(success, SUCCESS_BODY.get(operation_id, CUSTOMER) if success == 200 else None)

    response = call(client)

    assert response.status_code == success
    sent = contract_server.last
    assert (sent.method, sent.raw_path, sent.query) == (method, raw_path, query)
    assert sent.headers["x-api-key"] == KEY
    if body is None:
        assert sent.body == b""
    else:
        assert sent.headers["content-type"] == "application/json"
        assert sent.json == body


@pytest.mark.parametrize(
    ("operation_id", "status"),
    [(op, status) for op in sorted(OPERATIONS) for status in documented(op)],
)
def test_parses_every_documented_status(
    client: AuthenticatedClient, contract_server: ContractServer, operation_id: str, status: int
) -> None:
    call = OPERATIONS[operation_id][0]
    if status == 200:
        contract_server.reply(200, SUCCESS_BODY.get(operation_id, CUSTOMER))
    elif status == 204:
        contract_server.reply(204)
    else:
        contract_server.reply(
            status, ERROR_BODIES[status], headers={"Retry-After": "1"} if status == 429 else None
        )

    parsed = call(client).parsed

    if status == 200 and operation_id == "findAllCustomers":
        assert isinstance(parsed, list)
        assert [c.id for c in parsed] == [INTERNAL_ID, "5e68c66581f2ee32bc354088"]
        assert all(isinstance(c, Customer) for c in parsed)
    elif status == 200:
        assert isinstance(parsed, Customer)
        assert (parsed.id, parsed.external_id, parsed.active, parsed.enabled) == (
            INTERNAL_ID,
            "651234",
            True,
            True,
        )
        assert (parsed.accounting_currency, parsed.customer_country, parsed.provider_country) == (
            "USD",
            "US",
            "CZ",
        )
    elif status == 204:
        assert parsed is None
    elif status == 400:
        assert isinstance(parsed, ValidationErrorBody)
        assert (parsed.error_code, parsed.status_code) == ("validation.failed", 400)
        assert parsed.data[0].property_ == "externalId"
        assert parsed.data[0].constraints is not UNSET
        assert parsed.data[0].target.to_dict() == {"externalId": ""}
    else:
        assert isinstance(parsed, ErrorBody)
        assert parsed.status_code == status
        assert parsed.message == ERROR_BODIES[status]["message"]
        assert parsed.error_code == ERROR_BODIES[status].get("errorCode", UNSET)


@pytest.mark.parametrize(
    ("customer_id", "encoded"),
    [
        ("a/b", "a%2Fb"),
        ("what?x=1", "what%3Fx%3D1"),
        ("hash#tag", "hash%23tag"),
        ("100%", "100%25"),
        ("with space", "with%20space"),
        ("../up", "..%2Fup"),
        ("žluťoučký", "%C5%BElu%C5%A5ou%C4%8Dk%C3%BD"),
    ],
)
def test_ids_arrive_percent_encoded_as_one_segment(
    client: AuthenticatedClient, contract_server: ContractServer, customer_id: str, encoded: str
) -> None:
    contract_server.reply(200, {**CUSTOMER, "externalId": customer_id})

    parsed = get_customer_by_external_or_internal_id.sync(customer_id, client=client)

    assert isinstance(parsed, Customer)
    assert contract_server.last.raw_path == f"/v3/ledger/customer/{encoded}"
    assert contract_server.last.segments == ["v3", "ledger", "customer", customer_id]
    assert contract_server.last.query == []


def test_internal_id_with_reserved_characters_stays_one_segment(
    client: AuthenticatedClient, contract_server: ContractServer
) -> None:
    contract_server.reply(204)

    activate_customer.sync_detailed("abc/def?g#h%i j", client=client)

    assert contract_server.last.raw_path == "/v3/ledger/customer/abc%2Fdef%3Fg%23h%25i%20j/activate"


def test_offset_is_optional(client: AuthenticatedClient, contract_server: ContractServer) -> None:
    contract_server.reply(200, [])

    assert find_all_customers.sync(client=client, page_size=50) == []
    assert contract_server.last.query == [("pageSize", "50")]


def test_customer_parsing_is_forgiving(client: AuthenticatedClient, contract_server: ContractServer) -> None:
    """A currency or country Tatum adds later, nulls and unknown fields all parse."""
    future = {**CUSTOMER, "accountingCurrency": "XYZ", "customerCountry": None, "createdAt": 1700000000}
    del future["providerCountry"]
    contract_server.reply(200, future)

    parsed = get_customer_by_external_or_internal_id.sync(INTERNAL_ID, client=client)

    assert isinstance(parsed, Customer)
    assert parsed.accounting_currency == "XYZ"
    assert parsed.customer_country is None
    assert parsed.provider_country is UNSET
    assert parsed.additional_properties == {"createdAt": 1700000000}


def test_customer_update_takes_plain_codes_and_sends_only_what_is_set() -> None:
    assert CustomerUpdate(external_id="x", accounting_currency="USD").to_dict() == {
        "externalId": "x",
        "accountingCurrency": "USD",
    }
    assert CustomerUpdate(external_id="x").to_dict() == {"externalId": "x"}


def test_customer_update_rejects_unknown_codes_when_parsed() -> None:
    with pytest.raises(TypeError, match="XYZ"):
        CustomerUpdate.from_dict({"externalId": "x", "accountingCurrency": "XYZ"})


def test_unkeyed_client_sends_no_key(client: AuthenticatedClient, contract_server: ContractServer) -> None:
    contract_server.reply(200, [])

    with Client(base_url=contract_server.url) as unkeyed:
        find_all_customers.sync(client=unkeyed, page_size=1)

    assert "x-api-key" not in contract_server.last.headers


async def test_async_variant_sends_the_same_request(contract_server: ContractServer) -> None:
    contract_server.reply(200, CUSTOMER)

    async with AuthenticatedClient(
        base_url=contract_server.url, token=KEY, prefix="", auth_header_name="x-api-key"
    ) as client:
        parsed = await update_customer.asyncio(INTERNAL_ID, client=client, body=UPDATE)

    assert isinstance(parsed, Customer)
    assert contract_server.last.method == "PUT"
    assert contract_server.last.json["providerCountry"] == "NO"
