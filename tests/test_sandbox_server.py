"""The sandbox server itself over real HTTP: error bodies, `/_sandbox/` controls, keys and rate limits, the
demo seed, durability with `--db`, concurrency, and the `tatum-sandbox` command line."""

from __future__ import annotations

import itertools
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tatum import AuthenticationError, CustomerStateError, RateLimitError, Sdk
from tatum.sandbox import DEMO_CUSTOMERS, SandboxServer, Settings
from tatum.testing import TatumSandbox

KEY = {"x-api-key": "raw-http-key"}


def get(url: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(url + path, **kwargs)


# Tatum's error bodies


def test_invalid_parameters_get_tatums_validation_body(tatum_sandbox: TatumSandbox) -> None:
    response = get(tatum_sandbox.url, "/v3/ledger/customer?pageSize=51", headers=KEY)

    assert response.status_code == 400
    assert response.json() == {
        "errorCode": "validation.failed",
        "message": "Request validation failed. Please see data for additional information.",
        "statusCode": 400,
        "data": [
            {
                "target": {"pageSize": "51"},
                "value": 51,
                "property": "pageSize",
                "constraints": {"maximum": "pageSize must not be greater than 50"},
            }
        ],
    }


@pytest.mark.parametrize(
    ("query", "constraints"),
    [
        ("", {"pageSize": {"required"}}),
        ("?pageSize=0&offset=-1", {"pageSize": {"minimum"}, "offset": {"minimum"}}),
        ("?pageSize=ten", {"pageSize": {"type"}}),
    ],
)
def test_each_invalid_parameter_is_named(tatum_sandbox: TatumSandbox, query: str, constraints: Any) -> None:
    response = get(tatum_sandbox.url, "/v3/ledger/customer" + query, headers=KEY)

    assert response.status_code == 400
    assert {item["property"]: set(item["constraints"]) for item in response.json()["data"]} == constraints


def test_an_invalid_update_body_names_every_bad_field(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer(api_key=KEY["x-api-key"])
    body = {"externalId": "", "accountingCurrency": "usd", "nickname": "x"}

    response = httpx.put(f"{tatum_sandbox.url}/v3/ledger/customer/{id}", json=body, headers=KEY)

    assert response.status_code == 400
    items = {item["property"]: item for item in response.json()["data"]}
    assert {name: set(item["constraints"]) for name, item in items.items()} == {
        "externalId": {"minLength"},
        "accountingCurrency": {"enum"},
        "nickname": {"additionalProperties"},
    }
    assert items["nickname"]["constraints"]["additionalProperties"] == "property nickname should not exist"
    assert items["externalId"]["target"] == body


@pytest.mark.parametrize(
    ("content", "headers", "constraint"),
    [
        (b"{not json", {"content-type": "application/json"}, "isJson"),
        (b'{"externalId": NaN}', {"content-type": "application/json"}, "isJson"),
        (b'{"externalId": "x"}', {"content-type": "text/plain"}, "contentType"),
        (b"", {"content-type": "application/json"}, "required"),
        (b"[]", {"content-type": "application/json"}, "type"),
    ],
)
def test_unreadable_update_bodies_are_400(
    tatum_sandbox: TatumSandbox, content: bytes, headers: dict[str, str], constraint: str
) -> None:
    response = httpx.put(
        f"{tatum_sandbox.url}/v3/ledger/customer/0123456789abcdef01234567", content=content, headers=headers
    )

    assert response.status_code == 400
    assert [set(item["constraints"]) for item in response.json()["data"]] == [{constraint}]


def test_unknown_routes_are_json_404(tatum_sandbox: TatumSandbox) -> None:
    for path in ("/", "/v3/ledger/account", "/v3/ledger/customer/a/b/c", "/v3/ledger%0A/customer"):
        response = get(tatum_sandbox.url, path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {
            "message": f"Cannot GET {httpx.URL(path).raw_path.decode()}",
            "statusCode": 404,
        }


def test_a_method_the_path_lacks_is_json_405_with_allow(tatum_sandbox: TatumSandbox) -> None:
    response = httpx.delete(f"{tatum_sandbox.url}/v3/ledger/customer/0123456789abcdef01234567")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PUT"
    assert response.json()["statusCode"] == 405


def test_a_percent_encoded_slash_stays_inside_the_id(tatum_sandbox: TatumSandbox) -> None:
    response = get(tatum_sandbox.url, "/v3/ledger/customer/eu%2Fshop", headers=KEY)

    assert response.status_code == 403
    assert response.json()["message"] == "No customer with given external ID eu/shop exists."


def test_an_unexpected_exception_is_json_500() -> None:
    with SandboxServer(Settings(seed=())) as server:
        server.sandbox.store.close()  # every use of the store now raises

        response = get(server.url, "/v3/ledger/customer?pageSize=1")

    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error", "statusCode": 500}


# the /_sandbox/ controls


def test_created_customers_are_returned_with_their_accounts(tatum_sandbox: TatumSandbox) -> None:
    body = {"id": "a" * 24, "externalId": "made", "accountingCurrency": "EUR", "activeAccounts": 3}

    response = httpx.post(f"{tatum_sandbox.url}/_sandbox/customers", json=body, headers=KEY)

    assert response.status_code == 201
    assert response.json() == {
        "id": "a" * 24,
        "externalId": "made",
        "active": True,
        "enabled": True,
        "accountingCurrency": "EUR",
        "activeAccounts": 3,
    }
    listed = get(tatum_sandbox.url, "/v3/ledger/customer?pageSize=5", headers=KEY).json()
    assert listed == [{key: value for key, value in response.json().items() if key != "activeAccounts"}]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"externalId": "x", "activeAccounts": -1}, 400),
        ({"externalId": "x", "id": "NOT-HEX"}, 400),
        ({"externalId": "x", "active": False, "activeAccounts": 1}, 400),
        ({"externalId": "x", "colour": "red"}, 400),
        ({"externalId": "dup"}, 409),
    ],
)
def test_invalid_customers_are_refused(tatum_sandbox: TatumSandbox, body: Any, status: int) -> None:
    tatum_sandbox.add_customer("dup", api_key=KEY["x-api-key"])

    response = httpx.post(f"{tatum_sandbox.url}/_sandbox/customers", json=body, headers=KEY)

    assert response.status_code == status
    assert response.json()["statusCode"] == status


def test_setting_accounts_of_unknown_or_inactive_customers_is_refused(tatum_sandbox: TatumSandbox) -> None:
    inactive = tatum_sandbox.add_customer(active=False, api_key=KEY["x-api-key"])
    url = f"{tatum_sandbox.url}/_sandbox/customers"

    assert httpx.put(f"{url}/{'b' * 24}/accounts", json={"activeAccounts": 1}, headers=KEY).status_code == 404
    assert httpx.put(f"{url}/{inactive}/accounts", json={"activeAccounts": 1}, headers=KEY).status_code == 409
    assert (
        httpx.put(f"{url}/{inactive}/accounts", json={"activeAccounts": "1"}, headers=KEY).status_code == 400
    )
    assert httpx.put(f"{url}/{inactive}/accounts", json={"activeAccounts": 0}, headers=KEY).status_code == 200


@pytest.mark.parametrize(
    "fault",
    [
        {},
        {"status": 99},
        {"status": 503, "drop": True},
        {"delay": 61},
        {"count": 0, "status": 500},
        {"retryAfter": 1},
        {"status": 204, "body": {"x": 1}},
        {"status": 500, "reason": "?"},
    ],
)
def test_invalid_faults_are_refused(tatum_sandbox: TatumSandbox, fault: Any) -> None:
    response = httpx.post(f"{tatum_sandbox.url}/_sandbox/faults", json=fault, headers=KEY)

    assert response.status_code == 400
    assert response.json()["statusCode"] == 400


def test_pending_faults_can_be_cleared(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.inject_fault(status=500, count=5, api_key=KEY["x-api-key"])

    assert httpx.delete(f"{tatum_sandbox.url}/_sandbox/faults", headers=KEY).status_code == 204
    assert get(tatum_sandbox.url, "/v3/ledger/customer?pageSize=1", headers=KEY).status_code == 200


def test_controls_live_under_sandbox_only(tatum_sandbox: TatumSandbox) -> None:
    assert httpx.post(f"{tatum_sandbox.url}/v3/ledger/customer", json={}).status_code == 405
    assert get(tatum_sandbox.url, "/_sandbox/customers").status_code == 405


# keys and rate limits


def test_only_the_given_api_keys_are_accepted() -> None:
    with SandboxServer(Settings(api_keys=frozenset({"good-key"}))) as server:
        with Sdk("good-key", base_url=server.url) as good:
            assert len(good.mainnet().api().customer().find_all_customers(5)) == 5
        for key in ("wrong-key-123", ""):  # "": no key at all, whatever the environment says
            with (
                Sdk(key, base_url=server.url, max_retries=0) as sdk,
                pytest.raises(AuthenticationError) as error,
            ):
                sdk.mainnet().api().customer().find_all_customers(5)
            assert error.value.status_code == 401
            assert error.value.error_code == "subscription.invalid"
            assert error.value.message == "Unable to find valid subscription for the given API key."
        response = get(server.url, "/v3/ledger/customer?pageSize=1", headers={"x-api-key": "wrong-key-123"})
        assert "wrong-key-123" not in response.text
        assert httpx.post(f"{server.url}/_sandbox/reset", headers={"x-api-key": "nope"}).status_code == 401


def test_past_the_rate_limit_calls_get_429_with_retry_after() -> None:
    with (
        SandboxServer(Settings(rate_limit=3, seed=())) as server,
        # no client-side limiter: this is the sandbox's own 429
        Sdk("limited", base_url=server.url, max_retries=0, rate_limit=None) as sdk,
        Sdk("other", base_url=server.url, max_retries=0, rate_limit=None) as other,
    ):
        customers = sdk.mainnet().api().customer()
        for _ in range(3):
            customers.find_all_customers(1)
        with pytest.raises(RateLimitError) as error:
            customers.find_all_customers(1)
        other.mainnet().api().customer().find_all_customers(1)  # every key has its own limit

    assert error.value.retry_after == 1.0
    assert error.value.headers["retry-after"] == "1"
    assert error.value.error_code == "rate.limit.exceeded"


def test_the_sdk_waits_out_the_rate_limit_and_succeeds() -> None:
    with (
        SandboxServer(Settings(rate_limit=2, seed=())) as server,
        Sdk("patient", base_url=server.url, max_retries=1) as sdk,
    ):
        customers = sdk.mainnet().api().customer()
        for _ in range(3):
            assert customers.find_all_customers(1) == []  # the third waits Retry-After (1 s) once


# seeds


def test_every_new_ledger_starts_with_the_same_demo_customers() -> None:
    with SandboxServer() as server, Sdk("one", "two", base_url=server.url) as sdk:
        mainnet = list(sdk.mainnet().api().customer().iter_customers())
        testnet = list(sdk.testnet().api().customer().iter_customers())

    assert [c.id for c in mainnet] == [c.id for c in testnet] == [c.id for c in DEMO_CUSTOMERS]
    assert 24 <= len(mainnet) <= 48
    assert {c.active for c in mainnet} == {True, False}
    assert {c.enabled for c in mainnet} == {True, False}
    assert len({c.accounting_currency for c in mainnet}) >= 5
    assert any(c.active_accounts for c in DEMO_CUSTOMERS)


def test_reset_brings_back_the_seed() -> None:
    with SandboxServer() as server, Sdk("resetting", base_url=server.url) as sdk:
        customers = sdk.mainnet().api().customer()
        with_accounts = next(c for c in DEMO_CUSTOMERS if c.active_accounts)
        with pytest.raises(CustomerStateError):
            customers.deactivate_customer(with_accounts.id)
        idle = next(c for c in DEMO_CUSTOMERS if c.active and not c.active_accounts)
        customers.deactivate_customer(idle.id)

        httpx.post(f"{server.url}/_sandbox/reset", headers={"x-api-key": "resetting"}).raise_for_status()

        assert customers.get_customer_by_external_or_internal_id(idle.id).active is True


# concurrency and durability


def test_concurrent_updates_on_a_file_database_never_lose_a_write(tmp_path: Path) -> None:
    with (
        SandboxServer(Settings(db=str(tmp_path / "state.db"), seed=())) as server,
        Sdk("busy", base_url=server.url, max_retries=0) as sdk,
    ):
        body = {"externalId": "first", "accountingCurrency": "USD"}
        id = httpx.post(f"{server.url}/_sandbox/customers", json=body, headers={"x-api-key": "busy"}).json()[
            "id"
        ]
        customers = sdk.mainnet().api().customer()
        wanted = [f"thread-{n}" for n in range(50)]

        with ThreadPoolExecutor(max_workers=10) as pool:
            results = list(pool.map(lambda x: customers.update_customer(id, {"externalId": x}), wanted))

        assert [customer.external_id for customer in results] == wanted
        assert all(customer.accounting_currency == "USD" for customer in results)
        assert customers.get_customer_by_external_or_internal_id(id).external_id in wanted


@contextmanager
def cli(*args: str, kill: bool = False) -> Iterator[str]:
    """`python -m tatum.sandbox --port 0 ARGS` as a subprocess; yields the URL from its first line."""
    command = [sys.executable, "-m", "tatum.sandbox", "--port", "0", "--quiet", *args]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            assert first.startswith("Tatum sandbox listening on http://127.0.0.1:"), first
            yield first.split()[-1]
        finally:
            process.kill() if kill else process.terminate()
            process.wait(timeout=10)


def test_state_survives_a_restart_with_db(tmp_path: Path) -> None:
    db = str(tmp_path / "sandbox.sqlite")
    first, second, third = DEMO_CUSTOMERS[3], DEMO_CUSTOMERS[9], DEMO_CUSTOMERS[15]  # active, no accounts
    with cli("--db", db, kill=True) as url, Sdk("durable", base_url=url) as sdk:  # killed: no clean shutdown
        customers = sdk.mainnet().api().customer()
        customers.deactivate_customer(first.id)
        customers.update_customer(second.id, {"externalId": "renamed", "customerCountry": "NZ"})
        customers.disable_customer(third.id)

    with cli("--db", db) as url, Sdk("durable", "fresh", base_url=url) as sdk:
        customers = sdk.mainnet().api().customer()
        assert customers.get_customer_by_external_or_internal_id(first.id).active is False
        renamed = customers.get_customer_by_external_or_internal_id("renamed")
        assert (renamed.id, renamed.customer_country) == (second.id, "NZ")
        assert customers.get_customer_by_external_or_internal_id(third.id).enabled is False
        fresh = sdk.testnet().api().customer()  # another key: a new ledger, from the seed
        assert fresh.get_customer_by_external_or_internal_id(first.id).active is True


def test_command_line_seed_and_keys(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps([{"externalId": "seeded-1", "activeAccounts": 1}, {"externalId": "seeded-2"}]))

    with cli("--seed", str(seed), "--api-key", "k-one", "--api-key", "k-two", "--rate-limit", "50") as url:
        with Sdk("k-one", "k-two", base_url=url) as sdk:
            one = sdk.mainnet().api().customer().find_all_customers(10)
            two = sdk.testnet().api().customer().find_all_customers(10)
            with pytest.raises(CustomerStateError):
                sdk.mainnet().api().customer().deactivate_customer(one[0].id)
        with Sdk("k-three", base_url=url, max_retries=0) as sdk, pytest.raises(AuthenticationError):
            sdk.mainnet().api().customer().find_all_customers(10)

    assert [c.external_id for c in one] == ["seeded-1", "seeded-2"]
    assert [c.id for c in one] == [c.id for c in two]  # seed ids are fixed


def test_command_line_empty() -> None:
    with cli("--empty") as url, Sdk("k", base_url=url) as sdk:
        assert sdk.mainnet().api().customer().find_all_customers(10) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "/nonexistent/seed.json"], "cannot read seed file"),
        (["--rate-limit", "0"], "rate_limit (--rate-limit) must be from 1 to 100000"),
        (["--empty", "--seed", "x.json"], "not allowed with argument"),
        (["--max-body-bytes", "10"], "max_body_bytes (--max-body-bytes) must be at least 1024"),
        (["--max-ledgers", "0"], "max_ledgers (--max-ledgers) must be at least 1"),
        (["--max-customers-per-ledger", "0", "--empty"], "(--max-customers-per-ledger) must be at least 1"),
        (["--max-customers-in-memory", "35"], "must be at least 36 (the seed has 36 customers)"),
        (["--max-connections", "0"], "max_connections (--max-connections) must be at least 1"),
        (["--request-timeout", "nan"], "request_timeout (--request-timeout) must be above 0 seconds"),
    ],
)
def test_command_line_errors(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tatum.sandbox", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 2
    assert message in result.stderr


def test_importing_tatum_does_not_import_the_sandbox() -> None:
    code = (
        "import sys, tatum; "
        "loaded = [m for m in ('tatum.sandbox', 'starlette', 'uvicorn', 'openapi_core') if m in sys.modules]; "
        "print(loaded)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )

    assert result.stdout.strip() == "[]"


def test_every_acknowledged_write_survives_kill_9_during_a_write_storm(tmp_path: Path) -> None:
    db = tmp_path / "storm.sqlite"
    writers = 6
    acknowledged = [0] * writers
    created: list[str] = []
    unexpected: list[str] = []

    def update(url: str, number: int, id: str) -> None:
        with httpx.Client(base_url=url, headers={"x-api-key": "storm"}) as client:
            for n in itertools.count(1):
                try:
                    response = client.put(f"/v3/ledger/customer/{id}", json={"externalId": f"w{number}-{n}"})
                except httpx.TransportError:
                    return
                if response.status_code != 200:
                    unexpected.append(response.text)
                    return
                acknowledged[number] = n

    def create(url: str) -> None:
        with httpx.Client(base_url=url, headers={"x-api-key": "storm"}) as client:
            for n in itertools.count(1):
                try:
                    response = client.post("/_sandbox/customers", json={"externalId": f"new-{n}"})
                except httpx.TransportError:
                    return
                if response.status_code != 201:
                    unexpected.append(response.text)
                    return
                created.append(response.json()["id"])

    with cli("--db", str(db), "--empty", kill=True) as url:
        ids = [
            httpx.post(
                f"{url}/_sandbox/customers", json={"externalId": f"w{n}-0"}, headers={"x-api-key": "storm"}
            ).json()["id"]
            for n in range(writers)
        ]
        threads = [threading.Thread(target=update, args=(url, n, id)) for n, id in enumerate(ids)]
        threads.append(threading.Thread(target=create, args=(url,)))
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while (min(acknowledged) == 0 or not created) and time.monotonic() < deadline and not unexpected:
            time.sleep(0.05)
        time.sleep(
            0.5
        )  # the storm at full speed, then SIGKILL (cli's exit): no clean shutdown, no checkpoint
    for thread in threads:
        thread.join(10)

    assert not unexpected
    assert db.read_bytes()[18:20] == b"\x02\x02", "the database file is in WAL mode"
    assert min(acknowledged) > 0 and created
    with (
        cli("--db", str(db), "--empty") as url,
        httpx.Client(base_url=url, headers={"x-api-key": "storm"}) as client,
    ):
        for number, id in enumerate(ids):
            stored = client.get(f"/v3/ledger/customer/{id}").json()["externalId"]
            assert int(stored.split("-")[1]) >= acknowledged[number], (stored, acknowledged[number])
        for id in created:
            assert client.get(f"/v3/ledger/customer/{id}").status_code == 200


def test_without_the_sandbox_extra_the_command_says_which_to_install() -> None:
    # The console script's own entry point, run with the extra's modules made unimportable.
    code = (
        "import sys\n"
        "for name in ('starlette', 'uvicorn', 'httptools', 'openapi_core', 'fastjsonschema', 'cachetools'):\n"
        "    sys.modules[name] = None\n"
        "from importlib.metadata import entry_points\n"
        "(script,) = [e for e in entry_points(group='console_scripts') if e.name == 'tatum-sandbox']\n"
        "sys.exit(script.load()(['--port', '0']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'tatum-sandbox: needs the "sandbox" extra (starlette is missing): pip install "tatum-sdk[sandbox]"'
    ]


def test_command_line_max_body_bytes() -> None:
    with cli("--max-body-bytes", "2048", "--max-ledgers", "5") as url:
        small = httpx.post(f"{url}/_sandbox/customers", json={"externalId": "x" * 100}, headers=KEY)
        large = httpx.post(f"{url}/_sandbox/customers", json={"externalId": "x" * 3000}, headers=KEY)

    assert (small.status_code, large.status_code) == (201, 413)


def test_a_100_mb_body_leaves_memory_as_it_was() -> None:
    command = [sys.executable, "-m", "tatum.sandbox", "--port", "0", "--quiet"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        try:
            assert process.stdout is not None
            url = httpx.URL(process.stdout.readline().split()[-1])
            assert httpx.get(str(url.join("/v3/ledger/customer?pageSize=50")), headers=KEY).status_code == 200
            before = peak_rss_kib(process.pid)
            assert url.port is not None
            with socket.create_connection((url.host, url.port), timeout=30) as sock:
                sock.sendall(
                    b"PUT /v3/ledger/customer/0123456789abcdef01234567 HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % 100_000_000
                )
                chunk = b"x" * 1_000_000
                for _ in range(100):
                    sock.sendall(chunk)
                answer = sock.recv(65536)
            after = peak_rss_kib(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert after - before < 20_000, f"peak RSS grew by {after - before} KiB"


def peak_rss_kib(pid: int) -> int:
    """The peak resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc")


def test_every_answer_carries_a_fresh_request_id(tatum_sandbox: TatumSandbox) -> None:
    with httpx.Client(base_url=tatum_sandbox.url) as client:
        ids = [
            client.get("/v3/ledger/customer", params={"pageSize": "1"}).headers["x-request-id"]
            for _ in range(3)
        ]
        refused = client.get("/v3/ledger/customer", params={"pageSize": "0"})

    assert len(set(ids)) == 3 and all(len(each) == 24 for each in ids)
    assert refused.status_code == 400 and refused.headers["x-request-id"] not in ids
