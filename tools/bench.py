"""`make bench`: the SDK measured against raw httpx doing the same HTTP work, in the same run.

Each timed figure runs the SDK and raw httpx in interleaved rounds (raw, sdk, then sdk, raw, ...) and compares
their medians, so the machine and its load are the same for both. It prints a table of ratios with the target
of each figure and PASS or MISS; it exits 0 either way (a measurement, not a test; the test suite has no timed
assertions). Results and the machine they came from are recorded in docs/BENCHMARKS.md.

    client overhead     GET by id, PUT update and a list page of 50, each against raw httpx doing the same
                        request and `json()`, both on one in-process httpx.MockTransport
    tracing, no provider  the SDK with opentelemetry-api installed and no tracer provider, against without it
    end to end, sync    gets over loopback keep-alive against a canned-response server in another process
    end to end, async   the same with AsyncSdk, 100 requests in flight
    import              `python -c "import tatum"` against `python -c "import httpx"`, whole process
    paging memory       peak RSS of iter_customers over 10,000 and 100,000 customers, fresh process each
    sandbox vs Prism    requests per second of the sandbox and of Prism, GET and PUT (tools/bench_sandbox.py)
    fan-out, threads,   gets against the sandbox's --rate-limit 20 (a gather, threads, processes sharing
    fleet               Redis): errors, 429s, rate and peak against the limit (tools/bench_workloads.py)
    limiter cost        rate_limit="auto" with no rate learnt against rate_limit=None, on a MockTransport

The server of the end-to-end figures listens on 127.0.0.1 only, answers every request with the same Customer,
is started and stopped by this script, and stops by itself after a bounded number of requests or seconds.

    python tools/bench.py            # full run (about ten minutes)
    python tools/bench.py --quick    # smaller counts, for a smoke test; its numbers are not the record
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime
import gc
import json
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bench_sandbox
import bench_workloads
import httpx
import tatum
from tatum import AsyncSdk, Sdk

if TYPE_CHECKING:
    from pyinstrument.frame import Frame

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "bench-api-key"
CUSTOMER_ID = "5e68c66581f2ee32bc354087"
CUSTOMER = {
    "id": CUSTOMER_ID,
    "externalId": "651234",
    "active": True,
    "enabled": True,
    "accountingCurrency": "USD",
    "customerCountry": "US",
    "providerCountry": "US",
}
BODY = json.dumps(CUSTOMER, separators=(",", ":")).encode()
JSON_HEADERS = {"Content-Type": "application/json"}
GET_PATH = f"/v3/ledger/customer/{CUSTOMER_ID}"
MOCK_BASE = "http://127.0.0.1"  # never connected to: MockTransport answers in process

SERVER_MAX_REQUESTS = 2_000_000
SERVER_MAX_SECONDS = 600.0


@dataclasses.dataclass(frozen=True)
class Counts:
    overhead_calls: int
    overhead_rounds: int
    e2e_calls: int
    e2e_rounds: int
    async_rounds: int
    in_flight: int
    import_runs: int
    paging_small: int
    paging_large: int
    paging_runs: int


FULL = Counts(  # many short rounds: on a shared machine, pairs of short rounds see the same conditions
    overhead_calls=1_000,
    overhead_rounds=61,
    e2e_calls=500,
    e2e_rounds=31,
    async_rounds=31,
    in_flight=100,
    import_runs=10,
    paging_small=10_000,
    paging_large=100_000,
    paging_runs=3,
)
QUICK = Counts(
    overhead_calls=2_000,
    overhead_rounds=3,
    e2e_calls=500,
    e2e_rounds=3,
    async_rounds=3,
    in_flight=100,
    import_runs=4,
    paging_small=1_000,
    paging_large=10_000,
    paging_runs=1,
)


@dataclasses.dataclass(frozen=True)
class Figure:
    name: str
    measured: str
    target: str
    passed: bool
    detail: str


# Interleaved rounds


def interleaved(
    rounds: int, raw: Callable[[], float], sdk: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """Seconds of each round of `raw` and `sdk`, alternating which goes first so drift hits both alike."""
    raw_times: list[float] = []
    sdk_times: list[float] = []
    for number in range(rounds):
        pair = ((raw, raw_times), (sdk, sdk_times))
        for run, times in pair if number % 2 == 0 else pair[::-1]:
            gc.collect()
            times.append(run())
    return raw_times, sdk_times


def ratio_figure(
    name: str,
    raw_times: list[float],
    sdk_times: list[float],
    calls: int,
    limit: float,
    *,
    sides: tuple[str, str] = ("raw", "sdk"),
    ratio_name: str = "SDK/raw",
) -> Figure:
    """The figure is the median of the rounds' pair ratios: each pair ran back to back, so a slow patch of
    the machine (a neighbour's load, frequency changes) hits both sides of a pair, and the median ignores the
    pairs it split. The spread printed is the middle half of the pair ratios and their whole range. `sides`
    name the two sides (the baseline first) in the detail, `ratio_name` their ratio."""
    pairs = sorted(s / r for r, s in zip(raw_times, sdk_times, strict=True))
    ratio = statistics.median(pairs)
    q1, _, q3 = statistics.quantiles(pairs, n=4) if len(pairs) > 1 else (pairs[0],) * 3
    raw, sdk = statistics.median(raw_times), statistics.median(sdk_times)
    detail = (
        f"{len(pairs)} interleaved pairs of rounds of {calls:,} calls: pair ratios median {ratio:.3f}, "
        f"middle half {q1:.3f}..{q3:.3f}, all {pairs[0]:.3f}..{pairs[-1]:.3f}; "
        f"median round {sides[0]} {raw / calls * 1e6:.1f} us/call, {sides[1]} {sdk / calls * 1e6:.1f} us/call "
        f"(ratio of the medians {sdk / raw:.3f})"
    )
    return Figure(
        name,
        f"{ratio_name} = {ratio:.3f} (middle half {q1:.2f}..{q3:.2f})",
        f"<= {limit:.2f}",
        ratio <= limit,
        detail,
    )


# Client overhead: both on the same in-process MockTransport


PAGE = json.dumps([CUSTOMER] * 50, separators=(",", ":")).encode()
UPDATE = {"externalId": "651234", "accountingCurrency": "USD", "customerCountry": "US"}


def _answer(request: httpx.Request) -> httpx.Response:
    """The MockTransport's answers: a page of 50 for the list, the customer for everything else."""
    body = PAGE if request.url.path == "/v3/ledger/customer" else BODY
    return httpx.Response(200, content=body, headers=JSON_HEADERS)


def _overhead_work(kind: str) -> tuple[Callable[[httpx.Client], object], Callable[[Any], object]]:
    """The raw httpx work and the SDK call of a client-overhead figure."""
    headers = {"x-api-key": API_KEY}
    one = MOCK_BASE + GET_PATH
    if kind == "get":
        return (
            lambda client: client.get(one, headers=headers).json(),
            lambda api: api.get_customer_by_external_or_internal_id(CUSTOMER_ID),
        )
    if kind == "put":
        return (
            lambda client: client.put(one, json=UPDATE, headers=headers).json(),
            lambda api: api.update_customer(CUSTOMER_ID, UPDATE),
        )
    page = MOCK_BASE + "/v3/ledger/customer"
    return (
        lambda client: client.get(page, params={"pageSize": 50}, headers=headers).json(),
        lambda api: api.find_all_customers(50),
    )


OVERHEAD_FIGURES = {
    "get": ("client overhead, GET by id", 1.10),
    "put": ("client overhead, PUT update", 1.10),
    "list": ("client overhead, list of 50", 1.25),
}


def bench_overhead(counts: Counts, kind: str = "get") -> Figure:
    """The SDK against raw httpx doing the same HTTP work and `json()`, both on the same MockTransport."""
    calls = counts.overhead_calls if kind != "list" else counts.overhead_calls // 5
    raw_work, sdk_work = _overhead_work(kind)
    raw_client = httpx.Client(transport=httpx.MockTransport(_answer))
    sdk = Sdk(
        api_key_mainnet=API_KEY,
        base_url=MOCK_BASE,
        http_client=httpx.Client(transport=httpx.MockTransport(_answer)),
    )
    api = sdk.mainnet().api().customer()

    def raw() -> float:
        started = time.perf_counter()
        for _ in range(calls):
            raw_work(raw_client)
        return time.perf_counter() - started

    def via_sdk() -> float:
        started = time.perf_counter()
        for _ in range(calls):
            sdk_work(api)
        return time.perf_counter() - started

    raw(), via_sdk()  # warm-up: first-call caches on both sides
    raw_times, sdk_times = interleaved(counts.overhead_rounds, raw, via_sdk)
    raw_client.close()
    sdk.close()
    name, limit = OVERHEAD_FIGURES[kind]
    return ratio_figure(name, raw_times, sdk_times, calls, limit)


def bench_tracing(counts: Counts) -> Figure:
    """What opentelemetry-api costs installed but unconfigured: the SDK with it against the SDK without."""
    from tatum import _tracing

    calls = counts.overhead_calls
    sdk = Sdk(
        api_key_mainnet=API_KEY,
        base_url=MOCK_BASE,
        http_client=httpx.Client(transport=httpx.MockTransport(_answer)),
    )
    api = sdk.mainnet().api().customer()
    available = _tracing._AVAILABLE
    assert available, "the otel extra (opentelemetry-api) is not installed: nothing to measure"

    def run(tracing: bool) -> float:
        _tracing._AVAILABLE = tracing
        started = time.perf_counter()
        for _ in range(calls):
            api.get_customer_by_external_or_internal_id(CUSTOMER_ID)
        return time.perf_counter() - started

    run(True), run(False)
    without, with_api = interleaved(counts.overhead_rounds, lambda: run(False), lambda: run(True))
    _tracing._AVAILABLE = available
    sdk.close()
    return ratio_figure(
        "tracing, no provider",
        without,
        with_api,
        calls,
        1.03,
        sides=("without opentelemetry", "with it, no provider"),
        ratio_name="with/without",
    )


# The canned-response server of the end-to-end figures, in its own process


RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
    + BODY
)


def serve(conn: Connection, max_requests: int, max_seconds: float) -> None:
    """Answer every HTTP/1.1 request (no body expected) with RESPONSE, keeping connections alive.

    Listens on 127.0.0.1 only; sends its port through `conn`; stops when `conn` says so or closes, after
    `max_requests` requests, or after `max_seconds`.
    """
    asyncio.run(_serve(conn, max_requests, max_seconds))


async def _serve(conn: Connection, max_requests: int, max_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    served = 0

    def finish() -> None:
        if not done.done():
            done.set_result(None)

    class Canned(asyncio.Protocol):
        def __init__(self) -> None:
            self.transport: asyncio.Transport | None = None
            self.pending = b""

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.transport = transport

        def data_received(self, data: bytes) -> None:
            nonlocal served
            self.pending += data
            complete = self.pending.count(b"\r\n\r\n")
            if complete and self.transport is not None:
                self.pending = self.pending[self.pending.rfind(b"\r\n\r\n") + 4 :]
                self.transport.write(RESPONSE * complete)
                served += complete
                if served >= max_requests:
                    finish()

    server = await loop.create_server(Canned, "127.0.0.1", 0, backlog=1024)
    conn.send(server.sockets[0].getsockname()[1])
    loop.add_reader(conn.fileno(), finish)  # any message, or the parent going away, stops the server
    loop.call_later(max_seconds, finish)
    try:
        await done
    finally:
        loop.remove_reader(conn.fileno())
        server.close()  # open keep-alive connections end with the process


class LocalServer:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=serve, args=(child, SERVER_MAX_REQUESTS, SERVER_MAX_SECONDS), daemon=True
        )

    def __enter__(self) -> str:
        self._process.start()
        if not self._conn.poll(30):
            raise RuntimeError("the local server did not start within 30 s")
        port: int = self._conn.recv()
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc_info: object) -> None:
        with contextlib.suppress(OSError):
            self._conn.send("stop")
        self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
        self._conn.close()


def bench_sync(counts: Counts, base: str) -> Figure:
    calls = counts.e2e_calls
    url = base + GET_PATH
    headers = {"x-api-key": API_KEY}

    def raw() -> float:
        with httpx.Client() as client:
            started = time.perf_counter()
            for _ in range(calls):
                data = client.get(url, headers=headers).json()
            elapsed = time.perf_counter() - started
        assert data["id"] == CUSTOMER_ID
        return elapsed

    def via_sdk() -> float:
        with Sdk(api_key_mainnet=API_KEY, base_url=base) as sdk:
            api = sdk.mainnet().api().customer()
            started = time.perf_counter()
            for _ in range(calls):
                customer = api.get_customer_by_external_or_internal_id(CUSTOMER_ID)
            elapsed = time.perf_counter() - started
        assert customer.id == CUSTOMER_ID
        return elapsed

    raw(), via_sdk()
    raw_times, sdk_times = interleaved(counts.e2e_rounds, raw, via_sdk)
    return ratio_figure("end to end, sync", raw_times, sdk_times, calls, 1.10)


async def _in_flight(calls: int, in_flight: int, get: Callable[[], Awaitable[str]]) -> float:
    """Seconds for `calls` awaits of `get`, `in_flight` at a time (one worker each)."""
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            assert await get() == CUSTOMER_ID

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return time.perf_counter() - started


def bench_async(counts: Counts, base: str) -> Figure:
    calls, in_flight = counts.e2e_calls, counts.in_flight
    url = base + GET_PATH
    headers = {"x-api-key": API_KEY}

    async def raw_run() -> float:
        async with httpx.AsyncClient() as client:

            async def get() -> str:
                data = (await client.get(url, headers=headers)).json()
                return str(data["id"])

            return await _in_flight(calls, in_flight, get)

    async def sdk_run() -> float:
        async with AsyncSdk(api_key_mainnet=API_KEY, base_url=base) as sdk:
            api = sdk.mainnet().api().customer()

            async def get() -> str:
                return (await api.get_customer_by_external_or_internal_id(CUSTOMER_ID)).id

            return await _in_flight(calls, in_flight, get)

    def raw() -> float:
        return asyncio.run(raw_run())

    def via_sdk() -> float:
        return asyncio.run(sdk_run())

    raw(), via_sdk()
    raw_times, sdk_times = interleaved(counts.async_rounds, raw, via_sdk)
    return ratio_figure(f"end to end, async ({in_flight} in flight)", raw_times, sdk_times, calls, 1.05)


# Import time, whole process


def _import_times(runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Whole-process seconds of `import httpx` and `import tatum`, `runs` of each, interleaved."""

    def run(module: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=ROOT, env=env)
        return time.perf_counter() - started

    run("httpx"), run("tatum")  # warm-up: bytecode caches written, files in the page cache
    httpx_times: list[float] = []
    tatum_times: list[float] = []
    for number in range(runs):
        pair = (("httpx", httpx_times), ("tatum", tatum_times))
        for module, times in pair if number % 2 == 0 else pair[::-1]:
            times.append(run(module))
    return httpx_times, tatum_times


def bench_import(counts: Counts) -> Figure:
    """Measured as installed code runs: with bytecode caches, kept in a temporary PYTHONPYCACHEPREFIX so that
    nothing is written to the tree (pip compiles a wheel's modules at install; an editable install caches
    them on first import). With PYTHONDONTWRITEBYTECODE set, every start would compile tatum from source
    while site-packages keeps its caches: that case is reported too, for information."""
    base = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory(prefix="tatum-bench-pycache-") as prefix:
        httpx_times, tatum_times = _import_times(counts.import_runs, {**base, "PYTHONPYCACHEPREFIX": prefix})
    httpx_ms, tatum_ms = statistics.median(httpx_times) * 1000, statistics.median(tatum_times) * 1000
    uncached = {**base, "PYTHONDONTWRITEBYTECODE": "1"}
    uncached_httpx, uncached_tatum = _import_times(max(3, counts.import_runs // 2), uncached)
    uncached_extra = (statistics.median(uncached_tatum) - statistics.median(uncached_httpx)) * 1000
    detail = (
        f"median of {counts.import_runs}, with bytecode caches: python -c 'import httpx' {httpx_ms:.1f} ms, "
        f"'import tatum' {tatum_ms:.1f} ms; without bytecode caches for tatum (PYTHONDONTWRITEBYTECODE=1, "
        f"median of {len(uncached_tatum)}): {uncached_extra:+.1f} ms"
    )
    extra = tatum_ms - httpx_ms
    return Figure("import", f"tatum - httpx = {extra:+.1f} ms", "<= +60 ms", extra <= 60, detail)


# Paging memory: peak RSS of a fresh process iterating every customer


def _page_server(total: int, requests: list[int]) -> Callable[[httpx.Request], httpx.Response]:
    """A MockTransport handler building each requested page on demand: it holds no customer between calls,
    only the count of requests in `requests[0]`."""

    def answer(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", "0"))
        size = int(request.url.params["pageSize"])
        page = [
            {**CUSTOMER, "id": f"{index:024x}", "externalId": str(index)}
            for index in range(offset, min(offset + size, total))
        ]
        requests[0] += 1
        return httpx.Response(200, content=json.dumps(page).encode(), headers=JSON_HEADERS)

    return answer


def paging_child(total: int, trace: bool) -> None:
    """Iterate `total` customers in pages of 50 and print what the process used, as one JSON line."""
    requests = [0]
    if trace:
        tracemalloc.start()
    http = httpx.Client(transport=httpx.MockTransport(_page_server(total, requests)))
    count = 0
    last = ""
    with Sdk(api_key_mainnet=API_KEY, base_url=MOCK_BASE, http_client=http) as sdk:
        for customer in sdk.mainnet().api().customer().iter_customers(page_size=50):
            count += 1
            last = customer.external_id
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if count != total or (total and last != str(total - 1)) or requests[0] != total // 50 + 1:
        raise SystemExit(f"paging went wrong: {count} customers, last {last!r}, {requests[0]} requests")
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"customers": count, "maxrss_kib": maxrss_kib, "traced_peak": peak}))


def _paging_run(total: int, trace: bool) -> dict[str, int]:
    command = [sys.executable, str(Path(__file__).resolve()), "--paging-child", str(total)]
    if trace:
        command.append("--trace")
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    result: dict[str, int] = json.loads(output.strip().splitlines()[-1])
    return result


def bench_paging(counts: Counts) -> Figure:
    small, large = counts.paging_small, counts.paging_large
    rss: dict[int, list[int]] = {small: [], large: []}
    for _ in range(counts.paging_runs):
        for total in (small, large):
            rss[total].append(_paging_run(total, trace=False)["maxrss_kib"])
    traced = {total: _paging_run(total, trace=True)["traced_peak"] for total in (small, large)}
    difference_mib = (statistics.median(rss[large]) - statistics.median(rss[small])) / 1024
    detail = (
        f"peak RSS (median of {counts.paging_runs}): {small:,} customers "
        f"{statistics.median(rss[small]) / 1024:.1f} MiB, {large:,} customers "
        f"{statistics.median(rss[large]) / 1024:.1f} MiB; tracemalloc peak: "
        f"{traced[small] / 1024:.0f} KiB vs {traced[large] / 1024:.0f} KiB"
    )
    return Figure(
        f"paging memory ({small:,} vs {large:,})",
        f"peak RSS {difference_mib:+.2f} MiB",
        "< 10 MB",
        difference_mib * 1024 * 1024 < 10_000_000,
        detail,
    )


FIGURES: dict[str, Callable[[Counts], Figure]] = {
    "overhead": bench_overhead,
    "put": lambda counts: bench_overhead(counts, "put"),
    "list": lambda counts: bench_overhead(counts, "list"),
    "tracing": bench_tracing,
    "sync": lambda counts: _with_server(bench_sync, counts),
    "async": lambda counts: _with_server(bench_async, counts),
    "import": bench_import,
    "paging": bench_paging,
    "sandbox": lambda counts: Figure(**bench_sandbox.figure(quick=counts == QUICK)),
    "fanout": lambda counts: Figure(**bench_workloads.figure("fanout", quick=counts == QUICK)),
    "threads": lambda counts: Figure(**bench_workloads.figure("threads", quick=counts == QUICK)),
    "fleet": lambda counts: Figure(**bench_workloads.figure("fleet", quick=counts == QUICK)),
    "limiter": lambda counts: Figure(**bench_workloads.figure("limiter", quick=counts == QUICK)),
}


def _with_server(measure: Callable[[Counts, str], Figure], counts: Counts) -> Figure:
    with LocalServer() as base:
        return measure(counts, base)


def run_figure(name: str, quick: bool) -> Figure:
    """Measure one figure in a fresh process, so that no figure runs on a heap or caches left by another."""
    command = [sys.executable, str(Path(__file__).resolve()), "--figure", name]
    if quick:
        command.append("--quick")
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT).stdout
    fields = json.loads(output.strip().splitlines()[-1])
    return Figure(**fields)


# Profiles: where the SDK's time goes, for the report of a missed target


def _self_times(frame: Frame | None, into: dict[str, float]) -> None:
    """Add each function's own time (its total less its callees') in a pyinstrument frame tree to `into`."""
    if frame is None:
        return
    callees = 0.0
    for child in frame.children:
        if not child.is_synthetic:
            callees += child.time
            _self_times(child, into)
    key = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
    into[key] = into.get(key, 0.0) + frame.time - callees


def profile(name: str, counts: Counts) -> None:
    """Print a pyinstrument profile of the SDK doing a timed figure's work (library frames folded), then the
    functions whose own time grew most per call against raw httpx doing the same work."""
    from pyinstrument import Profiler

    def own_times(work: Callable[[], object]) -> tuple[dict[str, float], str]:
        profiler = Profiler(interval=0.0001, async_mode="enabled")
        profiler.start()
        work()
        session = profiler.stop()
        times: dict[str, float] = {}
        _self_times(session.root_frame(), times)
        return times, profiler.output_text(unicode=False, color=False)

    with contextlib.ExitStack() as stack:
        base = stack.enter_context(LocalServer()) if name != "overhead" else MOCK_BASE
        raw_work, sdk_work, calls = _profile_work(name, counts, base, stack)
        raw_work(), sdk_work()  # warm-up
        raw_self, _ = own_times(raw_work)
        sdk_self, sdk_tree = own_times(sdk_work)
    print(f"==== {name}: SDK, {calls:,} calls ====")
    print(sdk_tree)
    raw_total, sdk_total = sum(raw_self.values()), sum(sdk_self.values())
    print(
        f"==== {name}: own time per call, SDK minus raw httpx (sampled; in all, raw "
        f"{raw_total / calls * 1e6:.1f} us and SDK {sdk_total / calls * 1e6:.1f} us per call) ===="
    )
    growth = {key: sdk_self.get(key, 0.0) - raw_self.get(key, 0.0) for key in raw_self.keys() | sdk_self}
    for key, extra in sorted(growth.items(), key=lambda item: -item[1])[:30]:
        print(f"{extra / calls * 1e6:+7.2f} us  {key}")


def _profile_work(
    name: str, counts: Counts, base: str, stack: contextlib.ExitStack
) -> tuple[Callable[[], object], Callable[[], object], int]:
    """The raw and the SDK side of a figure's work; their clients are opened here (on `stack`), not profiled."""
    headers = {"x-api-key": API_KEY}
    url = base + GET_PATH
    if name in ("overhead", "sync"):
        mock = name == "overhead"
        calls = counts.overhead_calls if mock else counts.e2e_calls * 5

        def client() -> httpx.Client:
            transport = httpx.MockTransport(_answer) if mock else None
            return stack.enter_context(httpx.Client(transport=transport))

        raw_client = client()
        sdk = stack.enter_context(Sdk(api_key_mainnet=API_KEY, base_url=base, http_client=client()))
        api = sdk.mainnet().api().customer()
        return (
            lambda: [raw_client.get(url, headers=headers).json() for _ in range(calls)],
            lambda: [api.get_customer_by_external_or_internal_id(CUSTOMER_ID) for _ in range(calls)],
            calls,
        )

    async def raw_run() -> float:
        async with httpx.AsyncClient() as client:

            async def get() -> str:
                return str((await client.get(url, headers=headers)).json()["id"])

            return await _in_flight(counts.e2e_calls, counts.in_flight, get)

    async def sdk_run() -> float:
        async with AsyncSdk(api_key_mainnet=API_KEY, base_url=base) as sdk:
            api = sdk.mainnet().api().customer()

            async def get() -> str:
                return (await api.get_customer_by_external_or_internal_id(CUSTOMER_ID)).id

            return await _in_flight(counts.e2e_calls, counts.in_flight, get)

    return lambda: asyncio.run(raw_run()), lambda: asyncio.run(sdk_run()), counts.e2e_calls


# Report


def machine() -> list[str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return [
        f"date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"machine: nproc {len(os.sched_getaffinity(0))}, {model}, {platform.machine()}, {platform.platform()}",
        f"python: {platform.python_implementation()} {platform.python_version()}, "
        f"httpx {httpx.__version__}, tatum {tatum.__version__}",
    ]


def report(figures: list[Figure], quick: bool) -> str:
    lines = [*machine(), ""]
    if quick:
        lines += ["QUICK RUN: smaller counts than the targets are defined for; not a record.", ""]
    lines += ["| figure | measured | target | verdict |", "| --- | --- | --- | --- |"]
    lines += [f"| {f.name} | {f.measured} | {f.target} | {'PASS' if f.passed else 'MISS'} |" for f in figures]
    lines += [""] + [f"- {f.name}: {f.detail}" for f in figures]
    missed = [f.name for f in figures if not f.passed]
    lines += ["", f"MISS: {', '.join(missed)}" if missed else "All targets met."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller counts: a smoke test, not a record")
    parser.add_argument(
        "--only", choices=list(FIGURES), action="append", help="measure only these figures (repeatable)"
    )
    parser.add_argument(
        "--profile",
        choices=["overhead", "sync", "async"],
        help="print pyinstrument profiles of raw httpx and the SDK doing that figure's work, then exit",
    )
    parser.add_argument("--figure", choices=list(FIGURES), help=argparse.SUPPRESS)
    parser.add_argument("--paging-child", type=int, metavar="N", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    counts = QUICK if args.quick else FULL
    if args.paging_child is not None:
        paging_child(args.paging_child, args.trace)
        return 0
    if args.figure is not None:
        print(json.dumps(dataclasses.asdict(FIGURES[args.figure](counts))))
        return 0
    if args.profile is not None:
        profile(args.profile, counts)
        return 0

    started = time.perf_counter()
    figures: list[Figure] = []
    for name in args.only or list(FIGURES):
        print(f"measuring {name}...", file=sys.stderr, flush=True)
        figures.append(run_figure(name, args.quick))
    print(report(figures, args.quick))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
