"""The sandbox's memory stays bounded whatever a client sends, measured: what it holds for pending faults,
customers and open connections, over real HTTP on loopback.

Memory is measured with tracemalloc in this process (the sandbox runs on a thread of it): the Python memory
allocated while a test sends, and still held when it has sent. Every bound is checked with a margin of
several times the noise: a test passes or fails by megabytes, not by kilobytes.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import re
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from tatum.sandbox import DEMO_CUSTOMERS, SandboxServer, Settings
from tatum.testing import TatumSandbox
from test_sandbox_hostile import parse_answer

KEY = {"x-api-key": "memory-key"}
LIST = "/v3/ledger/customer?pageSize=1"
MB = 1024 * 1024
CODES = ("accountingCurrency", "customerCountry", "providerCountry")


@contextmanager
def traced() -> Iterator[Callable[[], int]]:
    """A function giving the bytes of Python memory allocated since entering and still held (every
    thread's, so the sandbox's too), after a garbage collection."""
    gc.collect()
    tracemalloc.start()

    def held() -> int:
        gc.collect()
        return tracemalloc.get_traced_memory()[0]

    try:
        yield held
    finally:
        tracemalloc.stop()


def keyed(number: int) -> dict[str, str]:
    return {"x-api-key": f"memory-key-{number}"}


# Pending faults


FAULTS = 50


def test_a_fault_keeps_its_body_as_the_bytes_it_answers() -> None:
    body: list[list[int]] = [[]] * 16_000  # 64 KB of JSON; as Python lists, over 1 MB
    sent = len(json.dumps(body))
    with SandboxServer(Settings(seed=())) as server, httpx.Client(base_url=server.url, headers=KEY) as client:
        with traced() as held:
            for _ in range(FAULTS):
                assert client.post("/_sandbox/faults", json={"status": 500, "body": body}).status_code == 204
            growth = held()
        answer = client.get(LIST)

    # As Python objects, they held 50 MB.
    assert growth < 2 * FAULTS * sent, f"{growth / MB:.1f} MB held for {FAULTS * sent / MB:.1f} MB of bodies"
    assert (answer.status_code, answer.json()) == (500, body)


def test_pending_faults_of_all_ledgers_together_are_bounded_in_number() -> None:
    with SandboxServer(Settings(seed=(), max_faults=3)) as server:
        url = server.url + "/_sandbox/faults"
        added = [httpx.post(url, json={"status": 503}, headers=keyed(n)).status_code for n in range(3)]
        refused = httpx.post(url, json={"status": 503}, headers=keyed(3))
        used = httpx.get(server.url + LIST, headers=keyed(0)).status_code  # uses up ledger 0's fault
        after = httpx.post(url, json={"status": 503}, headers=keyed(3)).status_code

    assert (added, used, after) == ([204] * 3, 503, 204)
    assert refused.status_code == 409
    assert refused.json() == {
        "message": "at most 3 faults can be pending in all ledgers together; clear some",
        "statusCode": 409,
    }


def test_pending_faults_of_all_ledgers_together_are_bounded_in_bytes() -> None:
    fault = {"status": 500, "body": "x" * 40_000}
    with SandboxServer(Settings(seed=(), max_fault_bytes=100_000)) as server:
        url = server.url + "/_sandbox/faults"
        added = [httpx.post(url, json=fault, headers=keyed(n)).status_code for n in range(2)]
        refused = httpx.post(url, json=fault, headers=keyed(2))
        cleared = httpx.delete(url, headers=keyed(0)).status_code
        after = httpx.post(url, json=fault, headers=keyed(2)).status_code

    assert (added, cleared, after) == ([204, 204], 204, 204)
    assert refused.status_code == 409
    assert refused.json()["statusCode"] == 409
    assert "100000 bytes" in refused.json()["message"]


def test_the_faults_of_a_forgotten_ledger_no_longer_count() -> None:
    with SandboxServer(Settings(seed=(), max_ledgers=2, max_faults=3)) as server:
        url = server.url + "/_sandbox/faults"
        # Each new ledger past 2 makes the sandbox forget the least recently used one, and its fault.
        added = [httpx.post(url, json={"status": 503}, headers=keyed(n)).status_code for n in range(6)]

    assert added == [204] * 6


# Customers


@pytest.mark.parametrize(
    ("field", "longest"),
    [("accountingCurrency", 4), ("customerCountry", 2), ("providerCountry", 2), ("externalId", 100)],
)
def test_a_customers_fields_are_at_most_as_long_as_the_spec_allows(
    tatum_sandbox: TatumSandbox, field: str, longest: int
) -> None:
    url = tatum_sandbox.url + "/_sandbox/customers"
    # A code outside the enums is accepted (a test may want to see what an SDK makes of it), if short enough.
    fits = httpx.post(url, json={"externalId": "c-1", field: "Q" * longest}, headers=KEY)
    too_long = httpx.post(url, json={"externalId": "c-2", field: "Q" * (longest + 1)}, headers=KEY)

    assert (fits.status_code, fits.json()[field]) == (201, "Q" * longest)
    assert too_long.status_code == 400
    assert too_long.json() == {
        "message": f"{field} must be a string of 1 to {longest} characters"
        + ("" if field == "externalId" else ", or null"),
        "statusCode": 400,
    }


def test_customers_with_long_fields_leave_the_sandboxs_memory_as_it_was() -> None:
    """What the review sent: customers whose codes are as long as a body allows (3 x 20,000 characters)."""
    command = [sys.executable, "-m", "tatum.sandbox", "--port", "0", "--quiet", "--empty"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().split()[-1]
            with httpx.Client(base_url=url, headers=KEY) as client:
                assert client.get(LIST).status_code == 200
                before = rss_kib(process.pid)
                statuses = set()
                for number in range(300):
                    customer = {"externalId": f"c-{number}"}
                    customer.update({field: field[0] * 20_000 for field in CODES})
                    statuses.add(client.post("/_sandbox/customers", json=customer).status_code)
                after = rss_kib(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)

    # 300 such customers took 14 MB; refused, the requests leave nothing behind.
    assert after - before < 5_000, f"RSS grew by {after - before} KiB"
    assert statuses == {400}


def test_a_ledgers_customers_are_bounded() -> None:
    with SandboxServer(Settings(seed=(), max_customers_per_ledger=3)) as server:
        url = server.url + "/_sandbox/customers"
        added = [httpx.post(url, json={"externalId": f"c-{n}"}, headers=KEY).status_code for n in range(3)]
        refused = httpx.post(url, json={"externalId": "c-3"}, headers=KEY)
        elsewhere = httpx.post(url, json={"externalId": "c-3"}, headers=keyed(1)).status_code

    assert (added, elsewhere) == ([201] * 3, 201)
    assert refused.status_code == 409
    assert refused.json() == {
        "message": "This ledger has 3 customers, the most a ledger may have (--max-customers-per-ledger).",
        "statusCode": 409,
    }


def test_the_customers_of_all_ledgers_in_memory_are_bounded() -> None:
    with SandboxServer(Settings(seed=(), max_customers_in_memory=4)) as server:
        url = server.url + "/_sandbox/customers"
        added = [httpx.post(url, json={"externalId": "c"}, headers=keyed(n)).status_code for n in range(4)]
        refused = httpx.post(url, json={"externalId": "c"}, headers=keyed(4))
        httpx.post(server.url + "/_sandbox/reset", headers=keyed(0))
        after_reset = httpx.post(url, json={"externalId": "c"}, headers=keyed(4)).status_code
        count = server.sandbox.store.customer_count()

    assert (added, after_reset, count) == ([201] * 4, 201, 4)
    assert refused.status_code == 409
    assert refused.json()["message"].startswith("The sandbox holds 4 customers in memory, the most it keeps")


def test_a_new_ledger_makes_room_for_its_seed_by_forgetting_the_least_recently_used() -> None:
    seeded = len(DEMO_CUSTOMERS)
    with SandboxServer(Settings(max_customers_in_memory=2 * seeded + 10)) as server:
        for number in range(5):
            assert httpx.get(server.url + LIST, headers=keyed(number)).status_code == 200
        counts = (server.sandbox.store.ledger_count(), server.sandbox.store.customer_count())
        added = httpx.post(server.url + "/_sandbox/customers", json={"externalId": "c"}, headers=keyed(4))

    assert counts == (2, 2 * seeded)
    assert added.status_code == 201


def test_a_request_refused_in_a_new_ledger_leaves_no_ledger_behind() -> None:
    """A refused request rolls its transaction back: it must not roll back the forgetting of the least
    recently used ledger, which the sandbox would then no longer know it holds."""
    taken = {"externalId": DEMO_CUSTOMERS[0].external_id}  # in every new ledger: 409
    with SandboxServer(Settings(max_ledgers=2)) as server:
        for number in range(0, 20, 2):
            assert httpx.get(server.url + LIST, headers=keyed(number)).status_code == 200
            refused = httpx.post(server.url + "/_sandbox/customers", json=taken, headers=keyed(number + 1))
            assert refused.status_code == 409
        count = server.sandbox.store.ledger_count()

    assert count <= 2


def rss_kib(pid: int) -> int:
    """The resident memory of a process now, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc")


# Connections

HEAD = b"GET /v3/ledger/customer?pageSize=1 HTTP/1.1\r\nHost: x\r\n"


def connect(url: str) -> socket.socket:
    parsed = httpx.URL(url)
    assert parsed.port is not None
    return socket.create_connection((parsed.host, parsed.port), timeout=5)


def read_until_closed(sock: socket.socket) -> bytes:
    chunks = []
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def read_answer(sock: socket.socket) -> bytes:
    """One whole answer (with a Content-Length) from a connection that stays open."""
    data = b""
    while b"\r\n\r\n" not in data or len(data) < answer_length(data):
        chunk = sock.recv(65536)
        assert chunk, f"closed after {data!r}"
        data += chunk
    return data


def answer_length(data: bytes) -> int:
    head = data.partition(b"\r\n\r\n")[0]
    length = re.search(rb"(?im)^content-length: *(\d+)", head)
    assert length is not None
    return len(head) + 4 + int(length[1])


@pytest.mark.parametrize(
    "sent",
    [
        HEAD + b"X-Unfinished: ",  # a head that never ends
        b"PUT /v3/ledger/customer/0123456789abcdef01234567 HTTP/1.1\r\nHost: x\r\n"
        b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"externalId"',  # a body that never does
        b"POST /_sandbox/customers HTTP/1.1\r\nHost: x\r\n"
        b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"externalId"',  # nor a control's
    ],
)
def test_a_request_not_received_whole_in_time_is_answered_408(
    sent: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with SandboxServer(Settings(seed=(), request_timeout=0.5)) as server, connect(server.url) as sock:
        sock.sendall(sent)
        started = time.monotonic()
        answer = read_until_closed(sock)
        waited = time.monotonic() - started
        time.sleep(0.1)  # the application sees the connection gone

    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []

    status, headers, body = parse_answer(answer)
    assert (status, headers["content-type"], headers["connection"]) == (408, "application/json", "close")
    assert body == {"message": "The request was not received whole within 0.5 seconds.", "statusCode": 408}
    assert 0.4 < waited < 4.5


def test_a_connection_that_sends_nothing_is_closed_without_an_answer() -> None:
    with SandboxServer(Settings(seed=(), request_timeout=1.0)) as server:
        with connect(server.url) as idle:
            assert read_until_closed(idle) == b""
        # After an answer, the time to send the next request starts with its first byte (an idle connection
        # is closed after uvicorn's 5 s keep-alive timeout).
        with connect(server.url) as sock:
            sock.sendall(HEAD + b"\r\n")
            first = read_answer(sock)
            time.sleep(0.9)
            sock.sendall(HEAD[:20])
            time.sleep(0.3)  # 1.2 s after the answer: the next request has had 0.3 s of its 1 s
            sock.sendall(HEAD[20:] + b"\r\n")
            second = read_answer(sock)

    assert parse_answer(first)[:3:2] == parse_answer(second)[:3:2] == (200, [])


def test_connections_past_max_connections_are_closed_as_they_open() -> None:
    with SandboxServer(Settings(seed=(), max_connections=3)) as server:
        kept = [connect(server.url) for _ in range(3)]
        wait_for(lambda: len(server.sandbox.connections) == 3)
        with connect(server.url) as extra:
            refused = read_until_closed(extra)
        kept.pop().close()
        wait_for(lambda: len(server.sandbox.connections) == 2)
        with connect(server.url) as sock:
            sock.sendall(HEAD + b"Connection: close\r\n\r\n")
            served = read_until_closed(sock)
        for sock in kept:
            sock.close()

    assert refused == b""
    assert parse_answer(served)[0] == 200


def test_unfinished_request_heads_hold_memory_only_so_long_and_for_so_many() -> None:
    """What the review sent: many connections, each with 61 KB of a head it never finishes."""
    unfinished = HEAD + b"X-Filler: " + b"a" * 61_000
    with SandboxServer(Settings(seed=(), max_connections=20, request_timeout=1.0)) as server:
        with traced() as held:
            sockets = []
            for _ in range(100):
                sock = connect(server.url)
                sockets.append(sock)
                with contextlib.suppress(OSError):  # a connection past the cap is closed: a broken pipe
                    sock.sendall(unfinished)
            time.sleep(0.3)  # the sandbox reads what came
            holding = held()
            wait_for(lambda: not server.sandbox.connections, timeout=5)
            after = held()
        answers = [read_until_closed(sock) for sock in sockets]
        for sock in sockets:
            sock.close()

    # 100 such connections held 6.1 MB, and held it for as long as they stayed open.
    assert holding < 100 * len(unfinished) / 2, f"{holding / MB:.1f} MB held"
    assert after < 0.5 * MB, f"{after / MB:.1f} MB still held"
    # Those past the cap were closed as they opened; the others timed out (at most 20 open at a time).
    timed_out = [answer for answer in answers if answer]
    assert len(timed_out) >= 20
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in timed_out)


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def test_a_client_waiting_for_100_continue_is_not_timed_out() -> None:
    """The sandbox holds the body back itself while a delay fault runs: that time is not the client's."""
    body = b'{"externalId": "c-2"}'
    with SandboxServer(Settings(seed=(), request_timeout=0.5)) as server:
        id = httpx.post(server.url + "/_sandbox/customers", json={"externalId": "c-1"}, headers=KEY).json()[
            "id"
        ]
        httpx.post(server.url + "/_sandbox/faults", json={"delay": 1.2}, headers=KEY)
        with connect(server.url) as sock:
            sock.sendall(
                b"PUT /v3/ledger/customer/%s HTTP/1.1\r\nHost: x\r\nx-api-key: %s\r\nExpect: 100-continue\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                % (id.encode(), KEY["x-api-key"].encode(), len(body))
            )
            assert sock.recv(65536).startswith(b"HTTP/1.1 100 ")
            sock.sendall(body)
            answer = read_answer(sock)

    assert parse_answer(answer)[::2] == (
        200,
        {"id": id, "externalId": "c-2", "active": True, "enabled": True},
    )


def test_a_pipelined_request_waiting_behind_a_slow_answer_is_not_timed_out() -> None:
    """The sandbox stops reading a connection while it answers the request before (here held by a delay
    fault): a body sent in time but not yet read is the sandbox's wait, not the client's."""
    body = b'{"externalId": "c-2"}'
    with SandboxServer(Settings(seed=(), request_timeout=0.5)) as server:
        id = httpx.post(server.url + "/_sandbox/customers", json={"externalId": "c-1"}, headers=KEY).json()[
            "id"
        ]
        httpx.post(server.url + "/_sandbox/faults", json={"delay": 1.2}, headers=KEY)
        key = KEY["x-api-key"].encode()
        with connect(server.url) as sock:
            sock.sendall(
                b"GET /v3/ledger/customer/%s HTTP/1.1\r\nHost: x\r\nx-api-key: %s\r\n\r\n"
                % (id.encode(), key)
                + b"PUT /v3/ledger/customer/%s HTTP/1.1\r\nHost: x\r\nx-api-key: %s\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                % (id.encode(), key, len(body))
            )
            time.sleep(0.1)
            sock.sendall(body)  # the whole request, 0.1 s after its first byte
            data = read_answer(sock)
            first, rest = data[: answer_length(data)], data[answer_length(data) :]
            while b"\r\n\r\n" not in rest or len(rest) < answer_length(rest):
                chunk = sock.recv(65536)
                assert chunk, f"closed after {rest!r}"
                rest += chunk
            second = rest[: answer_length(rest)]

    assert parse_answer(first)[0] == 200
    assert parse_answer(second)[::2] == (
        200,
        {"id": id, "externalId": "c-2", "active": True, "enabled": True},
    )
