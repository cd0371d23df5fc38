"""The sandbox's memory stays bounded whatever a client sends, measured: what it holds for pending faults,
customers and open connections, over real HTTP on loopback.

Memory is measured with tracemalloc in this process (the sandbox runs on a thread of it): the Python memory
allocated while a test sends, and still held when it has sent. Every bound is checked with a margin of
several times the noise: a test passes or fails by megabytes, not by kilobytes.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from tatum.sandbox import DEMO_CUSTOMERS, SandboxServer, Settings
from tatum.testing import TatumSandbox

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
