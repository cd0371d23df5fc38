"""The sandbox's memory stays bounded whatever a client sends, measured: what it holds for pending faults,
customers and open connections, over real HTTP on loopback.

Memory is measured with tracemalloc in this process (the sandbox runs on a thread of it): the Python memory
allocated while a test sends, and still held when it has sent. Every bound is checked with a margin of
several times the noise: a test passes or fails by megabytes, not by kilobytes.
"""

from __future__ import annotations

import gc
import json
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
from tatum.sandbox import SandboxServer, Settings

KEY = {"x-api-key": "memory-key"}
LIST = "/v3/ledger/customer?pageSize=1"
MB = 1024 * 1024


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


def test_a_fault_keeps_its_body_as_the_bytes_it_answers() -> None:
    body = [[]] * 16_000  # 64 KB of JSON; as Python lists, over 1 MB
    sent = len(json.dumps(body))
    with SandboxServer(Settings(seed=())) as server, httpx.Client(base_url=server.url, headers=KEY) as client:
        with traced() as held:
            for _ in range(100):
                assert client.post("/_sandbox/faults", json={"status": 500, "body": body}).status_code == 204
            growth = held()
        answer = client.get(LIST)

    assert growth < 2 * 100 * sent, f"{growth / MB:.1f} MB held for {100 * sent / MB:.1f} MB of fault bodies"
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
