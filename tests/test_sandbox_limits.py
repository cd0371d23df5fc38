"""The sandbox plays Tatum's part under load, with bounded memory: `x-ratelimit-persec`, the per-ledger
counters of `/_sandbox/stats`, rate limits set at run time, and the caps on ledgers and pending faults."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from tatum.sandbox import DEMO_CUSTOMERS, SandboxServer, Settings
from tatum.sandbox.faults import MAX_PENDING
from tatum.sandbox.ratelimit import Override, RateLimiter
from tatum.sandbox.stats import Stats
from tatum.testing import SandboxStats, TatumSandbox
from test_sandbox_hostile import parse_answer, raw_exchange

KEY = {"x-api-key": "limits-key"}
LIST = "/v3/ledger/customer?pageSize=1"


class Clock:
    """An injected clock: time moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# The limiter and the counters, on an injected clock


def test_at_most_n_calls_in_any_one_second_window() -> None:
    clock = Clock()
    limiter = RateLimiter(3, max_ledgers=10, clock=clock)

    admitted = []
    for step in range(40):  # 4 s in steps of 0.1 s, a call at each step
        clock.now = 1000.0 + step / 10
        if limiter.admit("a") is None:
            admitted.append(clock.now)

    assert all(sum(1 for t in admitted if start <= t < start + 1.0) <= 3 for start in admitted)
    assert len(admitted) == 12  # 3 per second, for 4 seconds


def test_retry_after_is_whole_seconds_until_a_slot_frees_unless_set() -> None:
    clock = Clock()
    limiter = RateLimiter(2, max_ledgers=10, clock=clock)
    assert limiter.admit("a") is None
    clock.now += 0.3
    assert limiter.admit("a") is None

    assert limiter.admit("a") == "1"  # the first call leaves the window in 0.7 s
    limiter.set("a", Override(2, retry_after=0.2))
    assert [limiter.admit("a") for _ in range(3)] == [None, None, "0.2"]
    limiter.set("a", Override(None))
    assert all(limiter.admit("a") is None for _ in range(100))
    limiter.clear("a")
    assert [limiter.admit("a") for _ in range(3)] == [None, None, "1"]  # --rate-limit again


def test_peak_per_second_is_the_most_calls_in_any_one_second_window() -> None:
    clock = Clock()
    stats = Stats(max_ledgers=10, clock=clock)
    for offset in (0.0, 0.1, 0.5, 0.95, 1.05, 1.2, 3.0):  # 0.1..1.05: four calls within one second
        clock.now = 1000.0 + offset
        stats.received("a")
    stats.rate_limited("a")

    assert stats.of("a") == {"requests": 7, "rateLimited": 1, "peakPerSecond": 4}
    assert stats.of("b") == {"requests": 0, "rateLimited": 0, "peakPerSecond": 0}


# Over HTTP


def test_every_answer_carries_x_ratelimit_persec_with_rate_limit() -> None:
    with SandboxServer(Settings(rate_limit=2, seed=())) as server:
        refused = raw_exchange(server.url, b"GET / HTTP/1.1\r\nno colon\r\n\r\n")
        answers = [
            httpx.get(server.url + LIST, headers=KEY),
            httpx.get(server.url + "/v3/ledger/customer?pageSize=99", headers=KEY),
            httpx.get(server.url + LIST, headers=KEY),  # the third in a second: 429
            httpx.get(server.url + "/nowhere", headers=KEY),
            httpx.get(server.url + "/_sandbox/stats", headers=KEY),
            httpx.get(server.url + LIST),  # keyless: the anonymous ledger
        ]

    assert [answer.status_code for answer in answers] == [200, 400, 429, 404, 200, 200]
    assert all(answer.headers["x-ratelimit-persec"] == "2" for answer in answers)
    status, headers, _ = parse_answer(refused)  # refused by the HTTP parser
    assert (status, headers["x-ratelimit-persec"]) == (400, "2")


def test_without_a_rate_limit_no_answer_claims_one(tatum_sandbox: TatumSandbox) -> None:
    assert "x-ratelimit-persec" not in httpx.get(tatum_sandbox.url + LIST, headers=KEY).headers


def test_stats_count_the_calling_ledgers_requests(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.set_rate_limit(4, retry_after=0.2)
    answers = [
        httpx.get(tatum_sandbox.url + LIST, headers={"x-api-key": "sandbox-test-mainnet-key"})
        for _ in range(6)
    ]
    httpx.get(tatum_sandbox.url + LIST, headers=KEY)  # another ledger

    assert [answer.status_code for answer in answers] == [200] * 4 + [429] * 2
    assert answers[-1].headers["retry-after"] == "0.2"
    assert answers[-1].headers["x-ratelimit-persec"] == "4"
    assert tatum_sandbox.stats() == SandboxStats(requests=6, rate_limited=2, peak_per_second=6)
    assert tatum_sandbox.stats(api_key=KEY["x-api-key"]) == SandboxStats(1, 0, 1)

    tatum_sandbox.reset()
    assert tatum_sandbox.stats() == SandboxStats(0, 0, 0)


def test_a_rate_limit_set_at_run_time_overrides_the_servers_and_reset_all_clears_it() -> None:
    with SandboxServer(Settings(rate_limit=100, seed=())) as server:
        set_limit = httpx.put(f"{server.url}/_sandbox/rate-limit", json={"perSecond": 1}, headers=KEY)
        limited = [httpx.get(server.url + LIST, headers=KEY) for _ in range(2)]
        server.sandbox.reset_all()  # what the fixture runs before each test
        after = [httpx.get(server.url + LIST, headers=KEY) for _ in range(2)]

    assert set_limit.status_code == 204
    assert [answer.status_code for answer in limited] == [200, 429]
    assert limited[1].headers["retry-after"] == "1"
    assert limited[1].headers["x-ratelimit-persec"] == "1"
    assert [answer.status_code for answer in after] == [200, 200]
    assert after[0].headers["x-ratelimit-persec"] == "100"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"perSecond": 0},
        {"perSecond": 10**6},
        {"perSecond": "5"},
        {"perSecond": 5, "retryAfter": 0},
        {"perSecond": 5, "x": 1},
    ],
)
def test_invalid_rate_limits_are_400(tatum_sandbox: TatumSandbox, body: object) -> None:
    response = httpx.put(f"{tatum_sandbox.url}/_sandbox/rate-limit", json=body, headers=KEY)

    assert response.status_code == 400
    assert response.json()["statusCode"] == 400


# Bounded memory


def test_in_memory_ledgers_past_max_ledgers_are_forgotten_least_recently_used_first() -> None:
    idle = next(c for c in DEMO_CUSTOMERS if c.active and not c.active_accounts)
    with SandboxServer(Settings(max_ledgers=2)) as server:
        for key in ("k-1", "k-2", "k-3"):
            response = httpx.put(
                f"{server.url}/v3/ledger/customer/{idle.id}/deactivate", headers={"x-api-key": key}
            )
            assert response.status_code == 204
        count = server.sandbox.store.ledger_count()
        first = httpx.get(f"{server.url}/v3/ledger/customer/{idle.id}", headers={"x-api-key": "k-1"}).json()
        third = httpx.get(f"{server.url}/v3/ledger/customer/{idle.id}", headers={"x-api-key": "k-3"}).json()

    assert count == 2
    assert first["active"] is True  # k-1's ledger was forgotten: it starts again from the seed
    assert third["active"] is False


def test_a_db_file_keeps_every_ledger_whatever_max_ledgers_says(tmp_path: Path) -> None:
    idle = next(c for c in DEMO_CUSTOMERS if c.active and not c.active_accounts)
    keys = [f"k-{n}" for n in range(5)]
    with SandboxServer(Settings(db=str(tmp_path / "s.db"), max_ledgers=2)) as server:
        for key in keys:
            httpx.put(f"{server.url}/v3/ledger/customer/{idle.id}/deactivate", headers={"x-api-key": key})
        count = server.sandbox.store.ledger_count()
        states = [
            httpx.get(f"{server.url}/v3/ledger/customer/{idle.id}", headers={"x-api-key": key}).json()[
                "active"
            ]
            for key in keys
        ]

    assert count == 5
    assert states == [False] * 5


def test_faults_and_counters_are_kept_for_at_most_max_ledgers() -> None:
    with SandboxServer(Settings(max_ledgers=2, seed=())) as server:
        for key in ("k-1", "k-2", "k-3"):
            fault = httpx.post(
                f"{server.url}/_sandbox/faults", json={"status": 503}, headers={"x-api-key": key}
            )
            assert fault.status_code == 204
        first = httpx.get(server.url + LIST, headers={"x-api-key": "k-1"})
        third = httpx.get(server.url + LIST, headers={"x-api-key": "k-3"})
        for key in ("k-4", "k-5"):
            httpx.get(server.url + LIST, headers={"x-api-key": key})
        stats = httpx.get(f"{server.url}/_sandbox/stats", headers={"x-api-key": "k-1"}).json()

    assert (first.status_code, third.status_code) == (200, 503)  # k-1's fault was forgotten
    assert stats == {"requests": 0, "rateLimited": 0, "peakPerSecond": 0}  # and then its counters


def test_pending_faults_of_a_ledger_are_bounded(tatum_sandbox: TatumSandbox) -> None:
    url = f"{tatum_sandbox.url}/_sandbox/faults"
    assert httpx.post(url, json={"delay": 0.001, "count": MAX_PENDING}, headers=KEY).status_code == 204

    refused = httpx.post(url, json={"delay": 0.001}, headers=KEY)

    assert refused.status_code == 409
    assert str(MAX_PENDING) in refused.json()["message"]
