"""Workloads against the sandbox over real HTTP: a pool of threads keeps to the key's rate.

The sandbox limits the fixture's key to RATE calls in any one-second window and counts what it receives, so
its stats prove what the limiter did: no 429 once the rate is known, and never more than RATE calls in any
second. Each workload takes a few seconds (160 calls at RATE a second); its 429s would carry a short
Retry-After, so even a failing run stays quick.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from tatum._config import RateLimit
from tatum.testing import SandboxStats, TatumSandbox

RATE = 25
RETRY_AFTER = 0.2
SETTINGS: list[RateLimit] = ["auto", RATE]
"""Learnt from the sandbox's x-ratelimit-persec, or fixed to the sandbox's limit."""


def prepare(tatum_sandbox: TatumSandbox) -> str:
    """Limit the fixture's key to RATE calls a second; returns the id of a customer to get."""
    tatum_sandbox.set_rate_limit(RATE, retry_after=RETRY_AFTER)
    return tatum_sandbox.add_customer("c-1")


def assert_kept_to_the_rate(before: SandboxStats, after: SandboxStats, calls: int) -> None:
    assert after.rate_limited == before.rate_limited, "429s after the limiter knew the rate"
    assert after.requests - before.requests == calls, "each call sent once: none refused, none retried"
    assert after.peak_per_second <= RATE


@pytest.mark.parametrize("setting", SETTINGS)
def test_8_threads_of_20_calls_keep_to_the_rate(tatum_sandbox: TatumSandbox, setting: RateLimit) -> None:
    id = prepare(tatum_sandbox)
    sdk = tatum_sandbox.sdk(rate_limit=setting)
    api = sdk.mainnet().api().customer()
    if setting == "auto":
        api.get_customer_by_external_or_internal_id(id)  # its answer states the rate
    assert sdk.mainnet().rate_limit == RATE
    before = tatum_sandbox.stats()

    def twenty_calls() -> list[str]:
        return [api.get_customer_by_external_or_internal_id(id).id for _ in range(20)]

    with ThreadPoolExecutor(8) as pool:
        threads = [pool.submit(twenty_calls) for _ in range(8)]
        got = [got for thread in threads for got in thread.result()]  # a thread's error is raised here

    assert got == [id] * 160
    assert_kept_to_the_rate(before, tatum_sandbox.stats(), 160)
