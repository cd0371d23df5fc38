"""The sandbox against hostile clients, over real HTTP on loopback: whatever a client sends, the answer is
never a 5xx (unless the client injected that fault itself) and is JSON in Tatum's error shapes, and the
server's memory stays bounded."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx
import pytest
from tatum.testing import TatumSandbox

KEY = {"x-api-key": "hostile-key"}


def raw_exchange(url: str, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes to the sandbox and read until it closes the connection (or `timeout`)."""
    host, port = httpx.URL(url).host, httpx.URL(url).port
    assert port is not None
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def parse_answer(answer: bytes) -> tuple[int, dict[str, str], Any]:
    """The status, headers (lower-case names) and JSON body of the first HTTP answer in `answer`."""
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", len(body)))
    return status, headers, json.loads(body[:length]) if length else None


# Requests the HTTP parser refuses


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /v3/ledger/customer?pageSize=1 HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n",  # NUL in a header
        b"GET /v3/ledger/customer?pageSize=1 HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
        b"GET /v3/ledger/customer?pageSize=1\r\n\r\n",  # HTTP/0.9
        b"GET /v3/ledger/customer?pageSize=1 HTTP/9.9\r\nHost: x\r\n\r\n",
        b"PUT /v3/ledger/customer/0123456789abcdef01234567 HTTP/1.1\r\nHost: x\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",  # not a chunk size
        b"GET /v3/ledger/customer?pageSize=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS client hello
        b"GET /v3/ledger/\xffcustomer?pageSize=1 HTTP/1.1\r\nHost: x\r\n\r\n",  # not ASCII
    ],
)
def test_requests_the_parser_refuses_get_tatums_json_400(
    tatum_sandbox: TatumSandbox, request_bytes: bytes
) -> None:
    status, headers, body = parse_answer(raw_exchange(tatum_sandbox.url, request_bytes))

    assert status == 400
    assert headers["content-type"] == "application/json"
    assert body == {"message": "Invalid HTTP request received.", "statusCode": 400}


def test_an_endless_request_head_is_refused_with_431(tatum_sandbox: TatumSandbox) -> None:
    header = b"X-Filler: " + b"a" * 1000 + b"\r\n"
    request = b"GET /v3/ledger/customer?pageSize=1 HTTP/1.1\r\nHost: x\r\n" + header * 100

    status, headers, body = parse_answer(raw_exchange(tatum_sandbox.url, request))
    assert headers["content-type"] == "application/json"

    assert status == 431
    assert body == {"message": "Request header fields too large.", "statusCode": 431}


def test_an_upgrade_request_is_answered_over_http(tatum_sandbox: TatumSandbox) -> None:
    request = (
        b"GET /v3/ledger/customer?pageSize=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
        b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )

    status, _, body = parse_answer(raw_exchange(tatum_sandbox.url, request))

    assert (status, body) == (200, [])


# No 5xx for anything a client sends


def test_a_drop_fault_finds_the_connection_whatever_proxy_headers_say(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.inject_fault(drop=True, api_key=KEY["x-api-key"])
    headers = {**KEY, "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "Forwarded": "for=x"}

    with pytest.raises(httpx.TransportError):
        httpx.get(f"{tatum_sandbox.url}/v3/ledger/customer?pageSize=1", headers=headers)


@pytest.mark.parametrize("path", ["/_sandbox/customers", "/_sandbox/customers/{id}/accounts"])
def test_account_counts_past_sqlite_integers_are_400(tatum_sandbox: TatumSandbox, path: str) -> None:
    id = tatum_sandbox.add_customer("counted", api_key=KEY["x-api-key"])
    body: dict[str, object] = {"activeAccounts": 2**63}
    if path == "/_sandbox/customers":
        body["externalId"] = "c-2"
    method = "POST" if path == "/_sandbox/customers" else "PUT"

    response = httpx.request(method, tatum_sandbox.url + path.format(id=id), json=body, headers=KEY)

    assert response.status_code == 400
    assert "activeAccounts" in response.json()["message"]


@pytest.mark.parametrize("retry_after", [10**30, "x" * 5000])
def test_a_retry_after_no_header_can_carry_is_400(tatum_sandbox: TatumSandbox, retry_after: object) -> None:
    fault = {"status": 429, "retryAfter": retry_after}

    response = httpx.post(f"{tatum_sandbox.url}/_sandbox/faults", json=fault, headers=KEY)

    assert response.status_code == 400
    assert httpx.get(f"{tatum_sandbox.url}/v3/ledger/customer?pageSize=1", headers=KEY).status_code == 200


# Bounded memory


@pytest.mark.parametrize("path", ["/v3/ledger/customer/0123456789abcdef01234567", "/_sandbox/customers"])
def test_a_body_past_max_body_bytes_is_413(tatum_sandbox: TatumSandbox, path: str) -> None:
    limit = tatum_sandbox.server.sandbox.settings.max_body_bytes
    body = json.dumps({"externalId": "x" * limit}).encode()
    method = b"PUT" if path.startswith("/v3/") else b"POST"
    head = method + b" " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    head += b"Content-Type: application/json\r\n"

    declared = raw_exchange(tatum_sandbox.url, head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    chunked = raw_exchange(
        tatum_sandbox.url,
        head
        + b"Transfer-Encoding: chunked\r\n\r\n"
        + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in [body[:1000]] * 100),
    )

    for answer in (declared, chunked):
        status, headers, error = parse_answer(answer)
        assert (status, headers["content-type"]) == (413, "application/json")
        assert error == {
            "message": f"The request body is larger than {limit} bytes, the most this sandbox reads.",
            "statusCode": 413,
        }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/" + "p" * 20_000, None),  # 404 quotes the path
        (
            "PUT",
            "/_sandbox/customers/" + "i" * 20_000 + "/accounts",
            {"activeAccounts": 0},
        ),  # 404 quotes the id
        ("POST", "/_sandbox/faults", {f"field-{n}" * 20: 1 for n in range(500)}),  # 400 names unknown fields
    ],
)
def test_errors_quote_only_an_excerpt_of_what_was_sent(
    tatum_sandbox: TatumSandbox, method: str, path: str, body: object
) -> None:
    response = httpx.request(method, tatum_sandbox.url + path, json=body, headers=KEY)

    assert 400 <= response.status_code < 500
    assert len(response.content) < 1_000
