"""The sandbox's request checks: the checks compiled at start-up answer exactly as openapi-core does
(`Contract.reference_check`, the sandbox's only check before them), for a wide set of generated requests,
valid and invalid; and the readings both share: JSON integers, RFC 9110 content types, strict JSON."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers, QueryParams
from tatum._spec import packaged_spec
from tatum.sandbox.contract import EXCERPT_CHARS, MAX_ITEMS, Contract
from tatum.testing import TatumSandbox

CONTRACT = Contract(packaged_spec())
SPEC = packaged_spec()
OPERATIONS = [
    (method.upper(), template, data["operationId"])
    for template, item in SPEC["paths"].items()
    for method, data in item.items()
    if isinstance(data, dict) and "operationId" in data
]
FIELDS = list(SPEC["components"]["schemas"]["CustomerUpdate"]["properties"])
CODES = ["USD", "EUR", "CZ", "DE", "usd", "", "XXX"]

integer_texts = st.one_of(
    st.integers(-100, 100).map(str),
    st.sampled_from(
        ["+5", " 5", "5 ", "05", "1_0", "\u0665", "5.0", "", "-0", "1e1", "0x10", "9" * 5000, "50", "51"]
    ),
    st.text(max_size=5),
)
ids = st.one_of(
    st.text(min_size=0, max_size=120),
    st.sampled_from(
        ["0123456789abcdef01234567", "CUST-1001", "a" * 9, "a" * 10, "a" * 50, "a" * 51, "a" * 101]
    ),
)
queries = st.lists(
    st.tuples(st.sampled_from(["pageSize", "offset", "type", "other"]), integer_texts), max_size=4
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
documents = st.one_of(
    st.dictionaries(
        st.sampled_from([*FIELDS, "nickname", "externalid"]),
        st.one_of(st.sampled_from(CODES), st.text(max_size=110), json_values),
        max_size=5,
    ),
    json_values,
)
bodies = st.one_of(
    documents.map(lambda document: json.dumps(document).encode()),
    st.sampled_from([b"", b"{", b'{"externalId": NaN}', b'{"externalId": 1e400}', b"\xff", b'"\\ud800"']),
    st.binary(max_size=20),
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/json;",
        "application/json; charset",
        "application/json; charset=utf-8",
        'application/json; charset="utf-8"',
        "Application/JSON",
        "application/json ; a=b",
        'application/json; a="x;y"',
        "application/jsonx",
        "text/plain",
        "",
        "*/*",
        "application/json, text/plain",
    ]
)


@settings(
    max_examples=600, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
@given(st.sampled_from(OPERATIONS), ids, queries, content_types, bodies)
def test_compiled_checks_answer_as_openapi_core_does(
    operation: tuple[str, str, str], id: str, query: list[tuple[str, str]], content_type: str, body: bytes
) -> None:
    method, template, operation_id = operation
    route = CONTRACT.match(template.replace("{id}", "x"))
    assert route is not None
    route = type(route)(route.template, {"id": id} if "{id}" in template else {}, route.operations)
    arguments = (route, operation_id, method, QueryParams(query), Headers({}), content_type, body)

    assert CONTRACT.check(*arguments) == CONTRACT.reference_check(*arguments)


def test_valid_requests_take_the_compiled_path() -> None:
    route = CONTRACT.match("/v3/ledger/customer/0123456789abcdef01234567")
    assert route is not None
    body = b'{"externalId": "x", "accountingCurrency": "EUR"}'
    compiled = CONTRACT._compiled["updateCustomer"]
    assert compiled is not None

    assert compiled.check(route.path_parameters, QueryParams(""), "application/json", json.loads(body)) == (
        {"id": "0123456789abcdef01234567"},
        {"externalId": "x", "accountingCurrency": "EUR"},
    )
    assert all(CONTRACT._compiled.values()), "every operation of the spec has compiled checks"


# Over HTTP


KEY = {"x-api-key": "contract-key"}


@pytest.mark.parametrize("text", ["+5", " 5", "%205", "1_0", "%D9%A5", "05", "5.0", "0x5", "9" * 5000])
def test_integer_parameters_are_json_integers(tatum_sandbox: TatumSandbox, text: str) -> None:
    response = httpx.get(f"{tatum_sandbox.url}/v3/ledger/customer?pageSize={text}", headers=KEY)

    assert response.status_code == 400
    (item,) = response.json()["data"]
    assert item["property"] == "pageSize"
    assert item["constraints"] == {"type": "pageSize must be of type integer"}
    assert item["value"] == httpx.QueryParams(f"pageSize={text}")["pageSize"][:EXCERPT_CHARS] + (
        "\u2026" if len(text) > EXCERPT_CHARS else ""
    )


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/json;", 200),  # an empty parameter: allowed by RFC 9110
        ("application/json; charset=utf-8", 200),
        ("application/json; charset", 400),  # a parameter without a value
        ("application/json;;;", 200),
        ('application/json; a="x;y"', 200),
    ],
)
def test_content_types_are_read_as_rfc_9110_writes_them(
    tatum_sandbox: TatumSandbox, content_type: str, status: int
) -> None:
    id = tatum_sandbox.add_customer("typed", api_key=KEY["x-api-key"])

    response = httpx.put(
        f"{tatum_sandbox.url}/v3/ledger/customer/{id}",
        content=b'{"externalId": "typed"}',
        headers={**KEY, "content-type": content_type},
    )

    assert response.status_code == status
    if status == 400:
        assert [item["constraints"] for item in response.json()["data"]] == [
            {"contentType": "body must be sent as application/json"}
        ]


def test_a_number_too_large_for_a_double_is_not_json(tatum_sandbox: TatumSandbox) -> None:
    response = httpx.put(
        f"{tatum_sandbox.url}/v3/ledger/customer/0123456789abcdef01234567",
        content=b'{"externalId": 1e400}',
        headers={**KEY, "content-type": "application/json"},
    )

    assert response.status_code == 400
    assert json.loads(response.content)["data"][0]["constraints"].keys() == {"isJson"}


def test_a_400_quotes_only_an_excerpt_of_what_was_sent(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer("quoted", api_key=KEY["x-api-key"])
    long_id = "x" * 50_000
    unknown: dict[str, Any] = {f"k{n}": n for n in range(3000)}

    long = httpx.put(
        f"{tatum_sandbox.url}/v3/ledger/customer/{id}", json={"externalId": long_id}, headers=KEY
    )
    many = httpx.put(
        f"{tatum_sandbox.url}/v3/ledger/customer/{id}", json={"externalId": "q", **unknown}, headers=KEY
    )

    assert long.status_code == many.status_code == 400
    (item,) = long.json()["data"]
    assert item["value"] == "x" * EXCERPT_CHARS + "\u2026"
    assert len(long.content) < 2_000
    assert len(many.json()["data"]) == MAX_ITEMS
    assert len(many.content) < 50_000
