"""`make demo`: every example of examples/customer/ against a local Tatum sandbox, with no account or network,
then the `tatum` command line.

Starts `python -m tatum.sandbox --port 0` (new ledgers hold the demo customers), runs each example script as
a user would, with TATUM_BASE_URL pointing at the sandbox, prints what each one printed, checks that each
ended as expected (refusals included), then prints the credits spent. Then it runs `tatum` in a
pseudo-terminal, as a person would: a table, a bulk disable with its summary, an export. It stops the
sandbox and exits 0 when every step went as expected.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import tempfile
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
# For the command line's bulk disable: two it disables, one already disabled, one it cannot (inactive).
ENABLED = [c for c in DEMO_CUSTOMERS if c.active and c.enabled and c not in (IDLE, BUSY)][:2]
DISABLED = next(c for c in DEMO_CUSTOMERS if c.active and not c.enabled)
INACTIVE = next(c for c in DEMO_CUSTOMERS if not c.active)
TATUM = os.path.join(os.path.dirname(sys.executable), "tatum")


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


_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def in_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run a command with a pseudo-terminal (120 columns) as its output; its exit status and the text a
    person would be left with on screen (control sequences dropped, each line's last redraw kept)."""
    master, terminal = pty.openpty()
    env = {**env, "COLUMNS": "120", "LINES": "40", "NO_COLOR": "1"}
    with subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal, env=env
    ) as process:
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the command closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        status = process.wait(timeout=60)
    os.close(master)
    text = _CONTROL.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r\n", "\n")
    return status, "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n")).rstrip()


def command_line(env: dict[str, str]) -> int:
    """The `tatum` command line against the same sandbox; how many of its steps ended as expected."""
    ids = [c.id for c in (*ENABLED, DISABLED, INACTIVE)]
    with tempfile.TemporaryDirectory() as directory:
        export = os.path.join(directory, "customers.csv")
        steps = [
            ("A table of the first customers", ["customer", "list", "--page-size", "6"], 0),
            ("Disable four customers: two done, one already, one refused", ["customer", "disable", *ids], 1),
            ("Export every customer", ["customer", "export", "--format", "csv", "--output", export], 0),
        ]
        expected = 0
        for title, args, status in steps:
            print(f"\n## {title}\n$ tatum {' '.join(args).replace(directory, '.')}")
            code, text = in_terminal([TATUM, *args], env)
            for line in text.replace(directory, ".").splitlines():
                print(f"    {line}")
            if args[1] == "export" and code == 0:
                with open(export, encoding="utf-8") as exported:
                    print(f"$ head -3 customers.csv\n    {'    '.join(exported.readlines()[:3])}", end="")
            if code != status:
                print(f"!! exit status {code}, expected {status}")
            expected += code == status
    print(f"\n{expected} of {len(steps)} command-line steps ended as expected")
    return len(steps) - expected


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
        cli_failures = command_line(env)
    return 0 if expected == len(STEPS) and not cli_failures else 1


if __name__ == "__main__":
    sys.exit(main())
