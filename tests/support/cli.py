"""Running the `tatum` command line in tests: in this process (`Tatum`), or as the installed console script in
a subprocess or a pseudo-terminal (`TATUM`, `environment`), always against the `tatum_sandbox` fixture."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tatum.cli.app import run
from tatum.testing import API_KEY_MAINNET, API_KEY_TESTNET, TatumSandbox

TATUM = str(Path(sys.executable).parent / "tatum")
"""The console script `pip install` made for the `cli` extra."""


def environment(sandbox: TatumSandbox, **extra: str) -> dict[str, str]:
    """This process's environment, less any TATUM_ variable, pointed at the sandbox with the fixture's keys."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TATUM_")}
    env.update(
        TATUM_BASE_URL=sandbox.url,
        TATUM_API_KEY_MAINNET=API_KEY_MAINNET,
        TATUM_API_KEY_TESTNET=API_KEY_TESTNET,
        **extra,
    )
    return env


@dataclass(frozen=True)
class Ran:
    """What one run of `tatum` did: its exit status and what it printed."""

    code: int
    out: str
    err: str

    def json(self) -> list[dict[str, Any]]:
        """Standard output as JSON lines, each parsed (a line that is not JSON fails the test)."""
        return [json.loads(line) for line in self.out.splitlines()]


def run_script(sandbox: TatumSandbox, *args: str, timeout: float = 60) -> Ran:
    """`tatum ...` as the console script in a subprocess (its own process: no lock shared with the sandbox's
    thread, as a user's run would be)."""
    result = subprocess.run(
        [TATUM, *args], env=environment(sandbox), capture_output=True, text=True, timeout=timeout
    )
    return Ran(result.returncode, result.stdout, result.stderr)


class Tatum:
    """`tatum ...` run in this process (through `tatum.cli.app.run`, as the console script runs it), with
    standard output and error captured; neither is a terminal."""

    def __init__(
        self, sandbox: TatumSandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ):
        self._monkeypatch = monkeypatch
        self._capsys = capsys
        for name, value in environment(sandbox).items():
            if name.startswith("TATUM_"):
                monkeypatch.setenv(name, value)

    def __call__(self, *args: str, stdin: str = "") -> Ran:
        self._capsys.readouterr()
        self._monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = run(list(args))
        out, err = self._capsys.readouterr()
        return Ran(code, out, err)
