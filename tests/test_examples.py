"""The example scripts parse their arguments like any command: `--help` answers and sends nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tatum.testing import API_KEY_MAINNET, TatumSandbox

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "customer").glob("*.py"))


def run(script: Path, sandbox: TatumSandbox, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TATUM_BASE_URL": sandbox.url, "TATUM_API_KEY_MAINNET": API_KEY_MAINNET}
    env.pop("TATUM_CUSTOMER_ID", None)
    return subprocess.run(
        [sys.executable, str(script), *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("script", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_help_describes_the_example_and_sends_nothing(script: Path, tatum_sandbox: TatumSandbox) -> None:
    result = run(script, tatum_sandbox, "--help")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: {script.name}")
    assert "credit" in result.stdout  # each says what it costs
    assert tatum_sandbox.stats().requests == 0


@pytest.mark.parametrize("script", [path for path in EXAMPLES if path.stem != "find_all_customers"], ids=str)
def test_a_missing_id_is_a_usage_error_and_sends_nothing(script: Path, tatum_sandbox: TatumSandbox) -> None:
    result = run(script, tatum_sandbox, *(["--external-id", "x"] if script.stem == "update_customer" else []))

    assert result.returncode == 2
    assert "error:" in result.stderr
    assert tatum_sandbox.stats().requests == 0
