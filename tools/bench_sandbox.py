"""The sandbox against Prism: requests per second, same load generator, same machine, same run.

`make bench` runs this as its `sandbox` figure (tools/bench.py); alone:

    python tools/bench_sandbox.py            # the full figure
    python tools/bench_sandbox.py --quick    # shorter rounds: a smoke test, not a record
    python tools/bench_sandbox.py --profile get|put   # pyinstrument profile of the sandbox under the load

Both servers mock `openapi/customer.yaml` on 127.0.0.1 and answer with logging off: the sandbox
(`tatum-sandbox --quiet`, its default in-memory store, the demo customers) and Prism (`@stoplight/prism-cli`
`mock`, `-v silent`), which this script installs with npm into a cache directory outside the repository
(`$XDG_CACHE_HOME/tatum-sdk-bench`, else `~/.cache/tatum-sdk-bench`) the first time. The load generator is a
raw asyncio HTTP/1.1 client in its own process: 10 keep-alive connections, each sending its next request as
soon as the previous answer is complete. Rounds alternate (sandbox, Prism, then Prism, sandbox, ...); the
figure is the ratio of the median requests per second, with the spread of the per-pair ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypedDict

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "customer.yaml"
PRISM_PACKAGE = "@stoplight/prism-cli"
PRISM_VERSION = "5.16.0"
API_KEY = "bench-sandbox-key"
CLIENTS = 10
TARGET = 1.0


@dataclass(frozen=True)
class Load:
    """One kind of request the figure measures."""

    name: str
    method: str
    path: str
    body: bytes = b""

    def request(self, port: int) -> bytes:
        """The request's bytes, as a keep-alive HTTP/1.1 client sends them."""
        head = [
            f"{self.method} {self.path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            f"x-api-key: {API_KEY}",
            "Accept: application/json",
        ]
        if self.body:
            head += ["Content-Type: application/json", f"Content-Length: {len(self.body)}"]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + self.body


def loads(customer_id: str, external_id: str) -> list[Load]:
    """GET by id, and PUT update of an active customer to its own external id (every rule accepts it)."""
    body = json.dumps({"externalId": external_id, "accountingCurrency": "EUR"}).encode()
    return [
        Load("GET by id", "GET", f"/v3/ledger/customer/{customer_id}"),
        Load("PUT update", "PUT", f"/v3/ledger/customer/{customer_id}", body),
    ]


# The load generator, in its own process


@dataclass(frozen=True)
class Result:
    """What one load round measured."""

    requests: int
    seconds: float
    statuses: dict[int, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def _generate(
    conn: Connection, port: int, request: bytes, clients: int, warmup: float, seconds: float
) -> None:
    conn.send(asdict(asyncio.run(_load(port, request, clients, warmup, seconds))))
    conn.close()


async def _load(port: int, request: bytes, clients: int, warmup: float, seconds: float) -> Result:
    loop = asyncio.get_running_loop()
    start = loop.time()
    window = (start + warmup, start + warmup + seconds)
    counted = 0
    statuses: dict[int, int] = {}
    finished: list[asyncio.Future[None]] = []

    class Client(asyncio.Protocol):
        """One keep-alive connection: a request, its whole answer, the next request."""

        def __init__(self, done: asyncio.Future[None]) -> None:
            self.done = done
            self.buffer = b""
            self.transport: asyncio.Transport | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.transport = transport
            transport.write(request)

        def data_received(self, data: bytes) -> None:
            nonlocal counted
            self.buffer += data
            while True:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = self.buffer[:end].decode("latin-1").split("\r\n")
                status = int(head[0].split()[1])
                length = 0
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                if len(self.buffer) < end + 4 + length:
                    return
                self.buffer = self.buffer[end + 4 + length :]
                now = loop.time()
                if window[0] <= now < window[1]:
                    counted += 1
                    statuses[status] = statuses.get(status, 0) + 1
                assert self.transport is not None
                if now >= window[1]:
                    self.transport.close()
                    return
                self.transport.write(request)

        def connection_lost(self, exc: Exception | None) -> None:
            if not self.done.done():
                self.done.set_result(None)

    for _ in range(clients):
        done: asyncio.Future[None] = loop.create_future()
        finished.append(done)
        await loop.create_connection(lambda done=done: Client(done), "127.0.0.1", port)  # type: ignore[misc]
    await asyncio.wait_for(asyncio.gather(*finished), warmup + seconds + 30)
    return Result(counted, seconds, statuses)


def generate_load(port: int, load: Load, warmup: float, seconds: float) -> Result:
    """Run one round of `load` against 127.0.0.1:`port` from a separate process."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(
        target=_generate, args=(child, port, load.request(port), CLIENTS, warmup, seconds), daemon=True
    )
    process.start()
    try:
        if not parent.poll(warmup + seconds + 60):
            raise RuntimeError("the load generator did not finish")
        fields = parent.recv()
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
    return Result(fields["requests"], fields["seconds"], {int(k): v for k, v in fields["statuses"].items()})


# The servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s")


@contextlib.contextmanager
def running(command: list[str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A server subprocess (its output discarded), stopped at the end."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tatum-sdk-bench" / f"prism-{PRISM_VERSION}"


def prism_command() -> list[str]:
    """Prism's command line, installing the pinned version with npm into the cache directory if needed."""
    directory = cache_dir()
    entry = directory / "node_modules" / PRISM_PACKAGE / "dist" / "index.js"
    if not entry.exists():
        npm, node = shutil.which("npm"), shutil.which("node")
        if npm is None or node is None:
            raise RuntimeError("the Prism figure needs Node.js and npm on PATH")
        directory.mkdir(parents=True, exist_ok=True)
        print(f"installing {PRISM_PACKAGE}@{PRISM_VERSION} into {directory} ...", file=sys.stderr, flush=True)
        subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
                str(directory),
                f"{PRISM_PACKAGE}@{PRISM_VERSION}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("the Prism figure needs Node.js on PATH")
    return [node, str(entry), "mock", str(SPEC), "-h", "127.0.0.1", "-v", "silent"]


@contextlib.contextmanager
def prism() -> Iterator[int]:
    port = free_port()
    with running([*prism_command(), "-p", str(port)], port):
        yield port


@contextlib.contextmanager
def sandbox(*options: str) -> Iterator[int]:
    port = free_port()
    command = [sys.executable, "-m", "tatum.sandbox", "--port", str(port), "--quiet", *options]
    with running(command, port):
        yield port


# The figure


@dataclass(frozen=True)
class Comparison:
    """Requests per second of each server, round by round, for one kind of request."""

    load: Load
    sandbox: list[float]
    prism: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.sandbox) / statistics.median(self.prism)

    @property
    def spread(self) -> tuple[float, float]:
        """The lowest and highest ratio of a round's sandbox figure to the Prism round beside it."""
        ratios = [mine / theirs for mine, theirs in zip(self.sandbox, self.prism, strict=True)]
        return min(ratios), max(ratios)

    def summary(self) -> str:
        low, high = self.spread
        return f"{self.load.name} {self.ratio:.2f}x ({low:.2f}-{high:.2f})"

    def detail(self) -> str:
        return (
            f"{self.load.name}: median sandbox {statistics.median(self.sandbox):,.0f} req/s, Prism "
            f"{statistics.median(self.prism):,.0f} req/s (rounds sandbox {_rates(self.sandbox)}; "
            f"Prism {_rates(self.prism)})"
        )


def _rates(rates: list[float]) -> str:
    return "/".join(f"{rate:,.0f}" for rate in rates)


def _round(port: int, load: Load, warmup: float, seconds: float) -> float:
    result = generate_load(port, load, warmup, seconds)
    if set(result.statuses) != {200}:
        raise RuntimeError(f"{load.name} on port {port} answered {result.statuses}, not only 200")
    return result.per_second


def compare(rounds: int, warmup: float, seconds: float) -> list[Comparison]:
    """Interleaved rounds of each load against the sandbox and Prism, both running (an idle one costs nothing)."""
    from tatum.sandbox import DEMO_CUSTOMERS

    customer = next(c for c in DEMO_CUSTOMERS if c.active and not c.active_accounts)
    comparisons = []
    with sandbox() as sandbox_port, prism() as prism_port:
        for load in loads(customer.id, customer.external_id):
            mine: list[float] = []
            theirs: list[float] = []
            pair = ((sandbox_port, mine), (prism_port, theirs))
            for port, _ in pair:  # a warm-up round each, not counted (Node's JIT needs a few seconds)
                _round(port, load, 0.5, seconds)
            for number in range(rounds):
                for port, rates in pair if number % 2 == 0 else pair[::-1]:
                    rates.append(_round(port, load, warmup, seconds))
            comparisons.append(Comparison(load, mine, theirs))
    return comparisons


class FigureFields(TypedDict):
    """The fields of tools/bench.py's Figure."""

    name: str
    measured: str
    target: str
    passed: bool
    detail: str


def figure(quick: bool = False) -> FigureFields:
    """The `sandbox` figure of `make bench`, as tools/bench.py's Figure fields."""
    comparisons = compare(rounds=2 if quick else 5, warmup=0.5, seconds=1.0 if quick else 3.0)
    measured = "sandbox/Prism req/s: " + ", ".join(comparison.summary() for comparison in comparisons)
    return {
        "name": f"sandbox vs Prism ({CLIENTS} keep-alive clients)",
        "measured": measured,
        "target": f">= {TARGET:.1f}x each",
        "passed": all(comparison.ratio >= TARGET for comparison in comparisons),
        "detail": "; ".join(comparison.detail() for comparison in comparisons),
    }


def profile(kind: str, seconds: float) -> str:
    """A pyinstrument profile of the sandbox (served on this process's main thread, its settings the
    command line's defaults) answering `seconds` of one load from the load generator."""
    from pyinstrument import Profiler
    from tatum.sandbox import DEMO_CUSTOMERS, Sandbox
    from tatum.sandbox.server import listen, uvicorn_server

    customer = next(c for c in DEMO_CUSTOMERS if c.active and not c.active_accounts)
    load = {load.method: load for load in loads(customer.id, customer.external_id)}[kind.upper()]
    sandbox = Sandbox()
    sock = listen("127.0.0.1", 0)
    server = uvicorn_server(sandbox, log_config=None, log_level="warning", access_log=False)
    rates: list[float] = []

    def drive() -> None:
        try:
            while not server.started:
                time.sleep(0.01)
            rates.append(_round(sock.getsockname()[1], load, 0.5, seconds))
        finally:
            server.should_exit = True

    threading.Thread(target=drive, daemon=True).start()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        server.run(sockets=[sock])
    finally:
        profiler.stop()
        sock.close()
        sandbox.close()
    rate = f"{rates[0]:,.0f} req/s" if rates else "no figure (the load failed)"
    return f"{load.name}: {rate} under the profiler\n" + profiler.output_text(unicode=False, color=False)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="shorter rounds: a smoke test, not a record")
    parser.add_argument("--profile", choices=["get", "put"], help="print a profile of the sandbox, then exit")
    args = parser.parse_args()
    if args.profile:
        print(profile(args.profile, 5.0))
        return 0
    result = figure(args.quick)
    print(f"{result['name']}: {result['measured']} (target {result['target']}: "
          f"{'PASS' if result['passed'] else 'MISS'})\n- {result['detail']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
