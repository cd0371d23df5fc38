"""`make demo` (tools/demo.py): every example script runs against a fresh sandbox subprocess and ends as
expected, so the examples users copy keep working."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "tools" / "demo.py"


def test_the_demo_runs_every_example_against_the_sandbox() -> None:
    result = subprocess.run([sys.executable, str(DEMO)], capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "12 of 12 steps ended as expected; credits spent: 14" in result.stdout
    assert "(customer.deactivate.account.active)" in result.stdout
    assert "(external id CUST-RENAMED)" in result.stdout
