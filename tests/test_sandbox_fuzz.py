"""Fuzzing the sandbox over real HTTP: generated requests to every route, the `/_sandbox/` controls
included, with odd methods, paths, queries, headers and bodies. Whatever is sent, the answer is never a 5xx
and always Tatum's JSON. (Faults a request injects are dropped before the next one, so the only 5xx a client
can get, one it asked for, never shows here.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tatum.sandbox import DEMO_CUSTOMERS, SandboxServer

KEYS = ["fuzz-1", "fuzz-2"]
FIELDS = [
    "externalId",
    "accountingCurrency",
    "customerCountry",
    "providerCountry",
    "active",
    "enabled",
    "activeAccounts",
    "id",
    "status",
    "retryAfter",
    "body",
    "delay",
    "drop",
    "count",
    "perSecond",
]

texts = st.text(max_size=30)
ids = st.one_of(
    st.sampled_from([c.id for c in DEMO_CUSTOMERS[:6]] + [c.external_id for c in DEMO_CUSTOMERS[:3]]), texts
)
words = st.one_of(st.sampled_from(["activate", "deactivate", "enable", "disable", "x", ""]), texts)
numbers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, 5, 50, 51, 200, 204, 429, 503, 599, 2**63, -1, 0.5, 1e300]),
    st.floats(allow_nan=False, allow_infinity=False),
)
values = st.recursive(
    st.none() | st.booleans() | numbers | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=6,
)
# Mostly plausible values for each field a route reads, so that generated bodies reach its deeper checks.
plausible = {
    "externalId": st.one_of(texts, st.sampled_from(["c-1", "c-2", "x" * 101])),
    "accountingCurrency": st.sampled_from(["EUR", "USD", "eur", "", None]),
    "customerCountry": st.sampled_from(["DE", "CZ", "de", None]),
    "providerCountry": st.sampled_from(["DE", "US", None]),
    "active": st.booleans(),
    "enabled": st.booleans(),
    "activeAccounts": numbers,
    "id": st.one_of(st.sampled_from(["a" * 24, "b" * 24, "A" * 24]), texts),
    "status": numbers,
    "retryAfter": st.one_of(numbers, texts),
    "body": values,
    "delay": st.sampled_from([0, 0.001, -1, 61, "1", None]),
    "drop": st.one_of(st.booleans(), values),
    "count": numbers,
    "perSecond": st.one_of(numbers, st.none()),
}
documents = st.one_of(
    st.fixed_dictionaries(
        {}, optional={name: st.one_of(strategy, values) for name, strategy in plausible.items()}
    ),
    values,
)
bodies = st.one_of(
    documents.map(lambda document: json.dumps(document).encode()),
    documents.map(lambda document: json.dumps(document).encode()),
    st.sampled_from([b"", b"{", b'{"externalId": 1e400}', b'{"externalId": NaN}', b"\xff\xfe"]),
    st.binary(max_size=40),
)
ROUTES = [
    ("GET", "/v3/ledger/customer"),
    ("GET", "/v3/ledger/customer/{id}"),
    ("PUT", "/v3/ledger/customer/{id}"),
    ("PUT", "/v3/ledger/customer/{id}/{word}"),
    ("POST", "/_sandbox/customers"),
    ("PUT", "/_sandbox/customers/{id}/accounts"),
    ("POST", "/_sandbox/reset"),
    ("POST", "/_sandbox/faults"),
    ("DELETE", "/_sandbox/faults"),
    ("GET", "/_sandbox/stats"),
    ("PUT", "/_sandbox/rate-limit"),
    ("DELETE", "/_sandbox/rate-limit"),
]
methods = st.sampled_from(["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FUZZ"])
routes = st.one_of(
    st.sampled_from(ROUTES),
    st.sampled_from(ROUTES),  # the real routes twice as often as anything else
    st.tuples(
        methods, st.sampled_from([*(template for _, template in ROUTES), "/{word}", "/_sandbox/{word}"])
    ),
)
query_values = st.one_of(st.integers(-5, 60).map(str), st.sampled_from(["+5", "1_0", "testnet", ""]), texts)
queries = st.lists(st.tuples(st.sampled_from(["pageSize", "offset", "type", "x"]), query_values), max_size=3)
header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=30
).map(lambda text: text.strip(" \t"))
headers = st.fixed_dictionaries(
    {},
    optional={
        "x-api-key": st.one_of(st.sampled_from(KEYS), st.sampled_from(KEYS), header_text),
        "content-type": st.one_of(
            st.sampled_from(
                [
                    "application/json",
                    "application/json;",
                    "application/json; charset",
                    "text/plain",
                    'a/b; c="d',
                ]
            ),
            header_text,
        ),
        "x-forwarded-for": st.sampled_from(["203.0.113.7", "garbage"]),
        "accept": header_text,
    },
)


def strict_json(content: bytes) -> object:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(content, parse_constant=refuse)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with SandboxServer() as server, httpx.Client(base_url=server.url, timeout=10) as running:
        yield running


def drop_faults(client: httpx.Client) -> None:
    for key in KEYS:
        client.delete("/_sandbox/faults", headers={"x-api-key": key}).raise_for_status()
    for query in ("", "?type=testnet"):
        client.delete("/_sandbox/faults" + query).raise_for_status()


@settings(
    max_examples=500, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
@given(routes, ids, words, queries, headers, bodies)
def test_no_request_gets_a_5xx(
    client: httpx.Client,
    route: tuple[str, str],
    id: str,
    word: str,
    query: list[tuple[str, str]],
    request_headers: dict[str, str],
    body: bytes,
) -> None:
    drop_faults(client)
    method, template = route
    path = template.replace("{id}", quote(id, safe="")).replace("{word}", quote(word, safe=""))
    url = path + ("?" + urlencode(query) if query else "")

    raw_headers = {b"content-type": b"application/json"} if body[:1] in (b"{", b"[") else {}
    raw_headers.update({name.encode(): value.encode("latin-1") for name, value in request_headers.items()})

    response = client.request(method, url, headers=raw_headers, content=body)

    assert response.status_code < 500, (method, url, request_headers, body, response.text)
    if method != "HEAD" and response.status_code != 204:
        assert response.headers["content-type"] == "application/json", response.text
        strict_json(response.content)
