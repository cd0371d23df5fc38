"""`make demo` (tools/demo.py): every example script runs against a fresh sandbox subprocess and ends as
expected, so the examples users copy keep working; so do the command line's steps."""

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
    # Then the command line, in a pseudo-terminal: a table, a bulk disable's summary, an export.
    assert "3 of 3 command-line steps ended as expected" in result.stdout
    assert "│ CUST-RENAMED " in result.stdout
    assert "disable on mainnet: 2 done, 1 already disabled, 1 failed; 4 credits spent." in result.stdout
    assert "Exported 36 customer(s) to ./customers.csv: 1 page(s), 1 credit." in result.stdout
