"""The contract server must catch what the spec forbids; otherwise every test built on it proves nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.contract_server import ContractServer
from support.scripted import Script
from tatum.sandbox.contract import match_path

INTERNAL_ID = "5e68c66581f2ee32bc354087"


@pytest.mark.parametrize(
    ("request_kwargs", "complaint"),
    [
        ({"method": "GET", "url": "/v3/ledger/customer", "params": {"pageSize": "0"}}, "pageSize"),
        ({"method": "GET", "url": "/v3/ledger/customer", "params": {"pageSize": "51"}}, "pageSize"),
        ({"method": "GET", "url": "/v3/ledger/customer"}, "pageSize"),
        ({"method": "GET", "url": "/v3/ledger/customer", "params": {"pageSize": "5", "offset": "-1"}}, "offset"),
        ({"method": "PUT", "url": "/v3/ledger/customer/short/activate"}, "too short"),
        ({"method": "PUT", "url": f"/v3/ledger/customer/{INTERNAL_ID}", "json": {"externalId": ""}}, "body"),
        ({"method": "PUT", "url": f"/v3/ledger/customer/{INTERNAL_ID}", "json": {"externalId": "a", "x": 1}}, "body"),
        (
            {"method": "PUT", "url": f"/v3/ledger/customer/{INTERNAL_ID}", "json": {"externalId": "a", "customerCountry": "XX"}},
            "body",
        ),
        ({"method": "PUT", "url": f"/v3/ledger/customer/{INTERNAL_ID}"}, "body"),
        ({"method": "DELETE", "url": f"/v3/ledger/customer/{INTERNAL_ID}"}, "delete"),
        ({"method": "GET", "url": "/v3/ledger/customers"}, "matches no path"),
    ],
)  # fmt: skip
def test_flags_requests_the_spec_forbids(request_kwargs: dict[str, Any], complaint: str) -> None:
    with ContractServer() as server:
        server.reply(204, conforms=False)
        with httpx.Client(base_url=server.url) as client:
            client.request(**request_kwargs)
    assert any(complaint.lower() in violation.lower() for violation in server.violations), server.violations


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"id": INTERNAL_ID, "externalId": "x", "active": True}),  # enabled missing
        (200, {"id": INTERNAL_ID, "externalId": "x", "active": "yes", "enabled": True}),
        (403, {"errorCode": "customer.not.exists"}),  # message and statusCode missing
        (418, {"message": "teapot", "statusCode": 418}),  # undocumented status
    ],
)
def test_flags_replies_the_spec_forbids(status: int, body: dict[str, Any]) -> None:
    with ContractServer() as server:
        server.reply(status, body)
        with httpx.Client(base_url=server.url, headers={"x-api-key": "k"}) as client:
            client.get(f"/v3/ledger/customer/{INTERNAL_ID}")
    assert server.violations


def test_accepts_a_valid_exchange() -> None:
    with ContractServer() as server:
        server.reply(200, [])
        with httpx.Client(base_url=server.url, headers={"x-api-key": "k"}) as client:
            client.get("/v3/ledger/customer", params={"pageSize": 50, "offset": 0})
    assert server.violations == []


def test_path_matching_keeps_encoded_slashes_in_one_parameter() -> None:
    templates = ["/v3/ledger/customer", "/v3/ledger/customer/{id}", "/v3/ledger/customer/{id}/activate"]
    assert match_path(templates, "/v3/ledger/customer/a%2Fb") == ("/v3/ledger/customer/{id}", {"id": "a/b"})
    assert match_path(templates, "/v3/ledger/customer/a%2Fb/activate") == (
        "/v3/ledger/customer/{id}/activate",
        {"id": "a/b"},
    )
    assert match_path(templates, "/v3/ledger/customer/a/b") is None


def test_scripted_transport_refuses_requests_the_spec_forbids() -> None:
    script = Script(httpx.Response(200, json=[]))
    with (
        httpx.Client(transport=httpx.MockTransport(script)) as client,
        pytest.raises(AssertionError, match="pageSize"),
    ):
        client.get("https://api.tatum.io/v3/ledger/customer", params={"pageSize": 0})
