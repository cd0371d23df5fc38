"""Workloads against the sandbox over real HTTP: a fan-out and a pool of threads, under the rate limiter.

The sandbox limits the fixture's key to LIMIT calls in any one-second window (its 429s ask for a short
Retry-After, so a failing run stays quick) and counts what it receives.

- With a fixed `rate_limit` of half the sandbox's limit, the sandbox never refuses a call and never sees more
  than its limit in a second: without the limiter, 100 calls go at once.
- At the sandbox's rate exactly (the limiter counts each call from its answer, by when the API has counted it,
  so the delay on the way cannot put two calls of the same place less than a window apart), no call is
  refused either, including when the first call reaches the API late.
- With "auto", starting cold as a program does: every call succeeds (a 429 puts it back in line, it never uses
  up a retry; without the limiter the refused calls come back together and run out of retries) and the
  limiter has learnt a rate from `x-ratelimit-persec`.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Unpack

import httpx
import pytest
from tatum._config import RateLimit
from tatum.testing import AsyncSdkOptions, SandboxStats, SdkOptions, TatumSandbox

LIMIT = 50
RATE = LIMIT // 2
RETRY_AFTER = 0.2


def prepare(tatum_sandbox: TatumSandbox) -> str:
    """Limit the fixture's key to LIMIT calls a second; returns the id of a customer to get."""
    tatum_sandbox.set_rate_limit(LIMIT, retry_after=RETRY_AFTER)
    return tatum_sandbox.add_customer("c-1")


async def gather_100(
    tatum_sandbox: TatumSandbox, id: str, **options: Unpack[AsyncSdkOptions]
) -> float | None:
    """One asyncio.gather of 100 gets; the rate the limiter has in force afterwards."""
    sdk = tatum_sandbox.async_sdk(**options)
    api = sdk.mainnet().api().customer()

    customers = await asyncio.gather(*(api.get_customer_by_external_or_internal_id(id) for _ in range(100)))

    assert [customer.id for customer in customers] == [id] * 100
    return sdk.mainnet().rate_limit


def threads_8_x_20(tatum_sandbox: TatumSandbox, id: str, **options: Unpack[SdkOptions]) -> float | None:
    """8 threads sharing one Sdk, 20 gets each; the rate the limiter has in force afterwards."""
    sdk = tatum_sandbox.sdk(**options)
    api = sdk.mainnet().api().customer()

    def twenty_calls() -> list[str]:
        return [api.get_customer_by_external_or_internal_id(id).id for _ in range(20)]

    with ThreadPoolExecutor(8) as pool:
        threads = [pool.submit(twenty_calls) for _ in range(8)]
        got = [got for thread in threads for got in thread.result()]  # a thread's error is raised here

    assert got == [id] * 160
    return sdk.mainnet().rate_limit


async def test_a_gather_of_100_calls_at_a_fixed_rate_is_never_refused(tatum_sandbox: TatumSandbox) -> None:
    id = prepare(tatum_sandbox)

    assert await gather_100(tatum_sandbox, id, rate_limit=RATE) == RATE

    stats = tatum_sandbox.stats()
    assert (stats.requests, stats.rate_limited) == (100, 0)
    assert stats.peak_per_second <= LIMIT


def test_8_threads_of_20_calls_at_a_fixed_rate_are_never_refused(tatum_sandbox: TatumSandbox) -> None:
    id = prepare(tatum_sandbox)

    assert threads_8_x_20(tatum_sandbox, id, rate_limit=RATE) == RATE

    stats = tatum_sandbox.stats()
    assert (stats.requests, stats.rate_limited) == (160, 0)
    assert stats.peak_per_second <= LIMIT


async def test_a_gather_of_100_calls_learns_the_rate_and_every_call_succeeds(
    tatum_sandbox: TatumSandbox,
) -> None:
    id = prepare(tatum_sandbox)

    # "auto", cold: the 429s of the first wave put their calls back in line
    rate = await gather_100(tatum_sandbox, id)

    # learnt (lower for a while after a 429 that slowed it down)
    assert rate is not None and 0 < rate <= LIMIT
    stats = tatum_sandbox.stats()
    assert stats.requests - stats.rate_limited == 100  # each call went through once


def test_8_threads_of_20_calls_learn_the_rate_and_every_call_succeeds(tatum_sandbox: TatumSandbox) -> None:
    id = prepare(tatum_sandbox)

    rate = threads_8_x_20(tatum_sandbox, id)

    assert rate is not None and 0 < rate <= LIMIT
    stats = tatum_sandbox.stats()
    assert stats.requests - stats.rate_limited == 160


# At the limit itself: the limiter counts a call from when its answer came, so the delay between a call's
# slot and the API counting it (a cold connection, tasks waking together) cannot let a later call in too early.


class FirstRequestLate(httpx.HTTPTransport):
    """Real HTTP, but the first request reaches the server `delay` s after the SDK sends it (as a TCP and TLS
    handshake would make it)."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay: float | None = delay

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.delay is not None:
            time.sleep(self.delay)
            self.delay = None
        return super().handle_request(request)


@pytest.mark.parametrize("setting", ["auto", 5])
def test_a_first_call_that_reaches_the_api_late_causes_no_429_a_window_later(
    tatum_sandbox: TatumSandbox, setting: RateLimit
) -> None:
    tatum_sandbox.set_rate_limit(5, retry_after=RETRY_AFTER)
    with httpx.Client(transport=FirstRequestLate(0.1)) as http:
        api = tatum_sandbox.sdk(rate_limit=setting, http_client=http).mainnet().api().customer()
        for _ in range(6):  # the sixth call's slot is a window after the first's
            api.find_all_customers(10)

    stats = tatum_sandbox.stats()
    assert stats.rate_limited == 0
    assert stats.peak_per_second <= 5


def warm(tatum_sandbox: TatumSandbox, setting: RateLimit) -> str:
    """The sandbox at RATE a second exactly; with "auto", one call has taught the limiter that rate."""
    tatum_sandbox.set_rate_limit(RATE, retry_after=RETRY_AFTER)
    id = tatum_sandbox.add_customer("c-1")
    if setting == "auto":
        tatum_sandbox.sdk().mainnet().api().customer().get_customer_by_external_or_internal_id(id)
    return id


def assert_kept_to_the_rate(before: SandboxStats, after: SandboxStats, calls: int) -> None:
    assert after.rate_limited == before.rate_limited, "429s after the limiter knew the rate"
    assert after.requests - before.requests == calls, "each call sent once"
    assert after.peak_per_second <= RATE


@pytest.mark.parametrize("setting", ["auto", RATE])
async def test_a_gather_of_100_calls_keeps_to_the_rate_exactly(
    tatum_sandbox: TatumSandbox, setting: RateLimit
) -> None:
    id = warm(tatum_sandbox, setting)
    before = tatum_sandbox.stats()

    assert await gather_100(tatum_sandbox, id, rate_limit=setting) == RATE

    assert_kept_to_the_rate(before, tatum_sandbox.stats(), 100)


@pytest.mark.parametrize("setting", ["auto", RATE])
def test_8_threads_of_20_calls_keep_to_the_rate_exactly(
    tatum_sandbox: TatumSandbox, setting: RateLimit
) -> None:
    id = warm(tatum_sandbox, setting)
    before = tatum_sandbox.stats()

    assert threads_8_x_20(tatum_sandbox, id, rate_limit=setting) == RATE

    assert_kept_to_the_rate(before, tatum_sandbox.stats(), 160)


async def test_a_cold_gather_sends_one_call_first_and_is_never_refused(tatum_sandbox: TatumSandbox) -> None:
    """With "auto" and nothing learnt yet, the first call goes alone; its answer states the rate for the rest."""
    tatum_sandbox.set_rate_limit(RATE, retry_after=RETRY_AFTER)
    id = tatum_sandbox.add_customer("c-1")

    assert await gather_100(tatum_sandbox, id) == RATE

    stats = tatum_sandbox.stats()
    assert (stats.requests, stats.rate_limited) == (100, 0)
    assert stats.peak_per_second <= RATE
