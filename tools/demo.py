"""`make demo`: every example of examples/customer/ against a local Tatum sandbox, with no account or network.

Starts `python -m tatum.sandbox --port 0` (new ledgers hold the demo customers), runs each example script as
a user would, with TATUM_BASE_URL pointing at the sandbox, prints what each one printed, checks that each
ended as expected (refusals included), then prints the credits spent and stops the sandbox. Exits 0 when
every step went as expected.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tatum import CREDIT_COSTS
from tatum.sandbox import DEMO_CUSTOMERS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "customer"

# Two demo customers: one active without accounts, one active with accounts.
IDLE = next(c for c in DEMO_CUSTOMERS if c.active and c.enabled and not c.active_accounts)
BUSY = next(c for c in DEMO_CUSTOMERS if c.active and c.active_accounts)


@dataclass(frozen=True)
class Step:
    """One run of one example, and the exit status it should end with (1: the API refused, as intended)."""

    title: str
    example: str
    args: tuple[str, ...]
    expected: int = 0


STEPS = [
    Step("List the first customers", "find_all_customers", ("8",)),
    Step("Look one up by its external id", "get_customer_by_external_or_internal_id", (IDLE.external_id,)),
    Step("Deactivate it", "deactivate_customer", (IDLE.id,)),
    Step("It is inactive now", "get_customer_by_external_or_internal_id", (IDLE.id,)),
    Step("Activate it again", "activate_customer", (IDLE.id,)),
    Step("Activating an active customer is refused", "activate_customer", (IDLE.id,), 1),
    Step("Disable it", "disable_customer", (IDLE.id,)),
    Step("Enable it again", "enable_customer", (IDLE.id,)),
    Step("A customer with active accounts cannot be deactivated", "deactivate_customer", (BUSY.id,), 1),
    Step(
        "Rename it and change its currency",
        "update_customer",
        (IDLE.id, "--external-id", "CUST-RENAMED", "--currency", "EUR"),
    ),
    Step("Find it by its new external id", "get_customer_by_external_or_internal_id", ("CUST-RENAMED",)),
    Step("An unknown customer", "get_customer_by_external_or_internal_id", ("CUST-0000",), 1),
]


@contextmanager
def sandbox() -> Iterator[str]:
    """A sandbox on a free port, as a subprocess; yields its URL."""
    command = [sys.executable, "-m", "tatum.sandbox", "--port", "0", "--quiet"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            first = process.stdout.readline().strip()
            if not first.startswith("Tatum sandbox listening on "):
                raise SystemExit(f"the sandbox did not start: {first!r}")
            print(first)
            yield first.rsplit(" ", 1)[-1]
        finally:
            process.terminate()
            process.wait(timeout=10)


def run(step: Step, env: dict[str, str]) -> int:
    """Run one step and print its output; its exit status."""
    script = EXAMPLES / f"{step.example}.py"
    print(f"\n## {step.title}\n$ python examples/customer/{script.name} {' '.join(step.args)}")
    result = subprocess.run(
        [sys.executable, str(script), *step.args], env=env, capture_output=True, text=True, timeout=60
    )
    for line in (result.stdout + result.stderr).splitlines():
        print(f"    {line}")
    if result.returncode != step.expected:
        print(f"!! exit status {result.returncode}, expected {step.expected}")
    return result.returncode


def main() -> int:
    if {step.example for step in STEPS} != set(CREDIT_COSTS):
        print("the demo must run the example of every SDK method", file=sys.stderr)
        return 1
    with sandbox() as url:
        env = {key: value for key, value in os.environ.items() if not key.startswith("TATUM_")}
        env.update(TATUM_BASE_URL=url, TATUM_API_KEY_MAINNET="demo-mainnet-key")
        statuses = [run(step, env) for step in STEPS]
    expected = sum(status == step.expected for status, step in zip(statuses, STEPS, strict=True))
    credits = sum(
        CREDIT_COSTS[step.example] for status, step in zip(statuses, STEPS, strict=True) if status == 0
    )
    print(
        f"\n{expected} of {len(STEPS)} steps ended as expected; credits spent: {credits} (refusals cost none)"
    )
    return 0 if expected == len(STEPS) else 1


if __name__ == "__main__":
    sys.exit(main())
