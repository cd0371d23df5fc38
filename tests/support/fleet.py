"""A fleet for the Redis tests: worker processes (spawned, so they share nothing but Redis) that each make calls
on one API key with an Sdk or AsyncSdk of their own.

    with Fleet([Job(...), Job(...)]) as fleet:
        fleet.ready()                # every worker has its Sdk (and has made its warm-up call)
        before = tatum_sandbox.stats()
        outcomes = fleet.run()       # every worker's calls, all starting together; then what each saw

Each worker reports once every worker is done, so the `credits_used` it reads is the fleet's final count.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from threading import BrokenBarrierError
from typing import Any, Literal

import tatum
from tatum._config import RateLimit

TIMEOUT = 60.0
"""Seconds a worker or the test waits for the others before the fleet counts as broken."""

SUCCEEDED = "succeeded"
OVER_BUDGET = "over budget"


@dataclass(frozen=True)
class Job:
    """What one worker process does: `calls` gets of `customer`, all at once (`way`)."""

    base_url: str
    redis_url: str
    api_key: str
    customer: str
    calls: int
    way: Literal["threads", "gather"]
    """4 threads sharing one Sdk, or one asyncio.gather on an AsyncSdk."""
    warm_up: bool = False
    """One call before `ready()`, so that the worker knows the key's rate when the calls start."""
    credit_budget: int | None = None
    rate_limit: RateLimit = "auto"

    def options(self) -> dict[str, Any]:
        return {
            "api_key_mainnet": self.api_key,
            "base_url": self.base_url,
            "redis_url": self.redis_url,
            "credit_budget": self.credit_budget,
            "rate_limit": self.rate_limit,
        }


@dataclass
class Outcome:
    """What one worker saw: its calls that succeeded, those refused by the budget, any other error."""

    succeeded: int = 0
    over_budget: int = 0
    errors: list[str] = field(default_factory=list)
    credits_used: int = -1
    """`credits_used` of the worker's Sdk once every worker was done (with Redis: the whole fleet's)."""

    @classmethod
    def of(cls, results: Iterable[str], credits_used: int) -> Outcome:
        counts = Counter(results)
        errors = [result for result in counts.elements() if result not in (SUCCEEDED, OVER_BUDGET)]
        return cls(counts[SUCCEEDED], counts[OVER_BUDGET], errors, credits_used)


@dataclass(frozen=True)
class _Barriers:
    ready: Barrier
    """The workers and the test: every worker has its Sdk."""
    go: Barrier
    """The workers and the test: the test has read what it needs; the calls start."""
    done: Barrier
    """The workers: every call of the fleet is over."""

    def abort(self) -> None:
        for barrier in (self.ready, self.go, self.done):
            barrier.abort()


def _result(error: BaseException | None) -> str:
    if error is None:
        return SUCCEEDED
    return OVER_BUDGET if isinstance(error, tatum.CreditBudgetExceededError) else repr(error)


def _with_threads(job: Job, barriers: _Barriers) -> Outcome:
    with tatum.Sdk(**job.options()) as sdk:
        api = sdk.mainnet().api().customer()

        def call(_: object = None) -> str:
            try:
                api.get_customer_by_external_or_internal_id(job.customer)
            except tatum.TatumError as error:
                return _result(error)
            return _result(None)

        warm_up = [call()] if job.warm_up else []
        barriers.ready.wait(TIMEOUT)
        barriers.go.wait(TIMEOUT)
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(call, range(job.calls)))
        barriers.done.wait(TIMEOUT)
        outcome = Outcome.of(results, sdk.mainnet().credits_used)
    outcome.errors += [f"warm-up: {result}" for result in warm_up if result != SUCCEEDED]
    return outcome


async def _with_gather(job: Job, barriers: _Barriers) -> Outcome:
    async with tatum.AsyncSdk(**job.options()) as sdk:
        api = sdk.mainnet().api().customer()

        async def call() -> str:
            try:
                await api.get_customer_by_external_or_internal_id(job.customer)
            except tatum.TatumError as error:
                return _result(error)
            return _result(None)

        warm_up = [await call()] if job.warm_up else []
        barriers.ready.wait(TIMEOUT)  # blocking the loop is fine: nothing else runs on it here
        barriers.go.wait(TIMEOUT)
        results = await asyncio.gather(*(call() for _ in range(job.calls)))
        barriers.done.wait(TIMEOUT)
        outcome = Outcome.of(results, sdk.mainnet().credits_used)
    outcome.errors += [f"warm-up: {result}" for result in warm_up if result != SUCCEEDED]
    return outcome


def work(job: Job, barriers: _Barriers, outcomes: Queue[Outcome]) -> None:
    """A worker process: run `job`, put its Outcome on `outcomes` (an error of its own breaks the fleet)."""
    try:
        if job.way == "threads":
            outcome = _with_threads(job, barriers)
        else:
            outcome = asyncio.run(_with_gather(job, barriers))
    except BaseException as error:
        barriers.abort()
        outcome = Outcome(errors=[f"the worker failed: {error!r}"])
    outcomes.put(outcome)


class Fleet:
    """Worker processes, one per Job, started by `with` and stopped at its end."""

    def __init__(self, jobs: list[Job]) -> None:
        context = multiprocessing.get_context("spawn")
        workers = len(jobs)
        self._barriers = _Barriers(
            context.Barrier(workers + 1), context.Barrier(workers + 1), context.Barrier(workers)
        )
        self._outcomes: Queue[Outcome] = context.Queue()
        self._processes = [
            context.Process(target=work, args=(job, self._barriers, self._outcomes), daemon=True)
            for job in jobs
        ]

    def ready(self) -> None:
        """Wait until every worker has its Sdk (and has made its warm-up call)."""
        self._wait(self._barriers.ready)

    def run(self) -> list[Outcome]:
        """Start every worker's calls; what each saw, once all are done (in no particular order)."""
        self._wait(self._barriers.go)
        return [self._outcomes.get(timeout=TIMEOUT) for _ in self._processes]

    def _wait(self, barrier: Barrier) -> None:
        try:
            barrier.wait(TIMEOUT)
        except BrokenBarrierError:
            errors = [self._outcomes.get(timeout=TIMEOUT).errors for _ in self._processes]
            raise AssertionError(f"the fleet broke down: {errors}") from None

    def __enter__(self) -> Fleet:
        for process in self._processes:
            process.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._barriers.abort()  # a worker still waiting (the test failed early) stops at once
        for process in self._processes:
            process.join(TIMEOUT)
            if process.is_alive():
                process.kill()
                process.join()
