"""Shared fixtures: the contract-validating loopback server; the sandbox's `tatum_sandbox` (tatum.testing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.contract_server import ContractServer

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
    for name in ("TATUM_API_KEY_MAINNET", "TATUM_API_KEY_TESTNET", "TATUM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def contract_server(request: pytest.FixtureRequest) -> Iterator[ContractServer]:
    """A loopback server validating every request and reply against the spec; violations fail the test."""
    extra = [Path(path) for path in request.config.getoption("--published-contract")]
    with ContractServer(extra) as server:
        yield server
    assert not server.violations, "contract violations:\n" + "\n".join(server.violations)
