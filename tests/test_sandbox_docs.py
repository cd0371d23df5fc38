"""docs/SANDBOX.md's account of running a sandbox in-process matches the code: the example runs as written,
the table of `Settings` lists its fields, and `tatum.sandbox` shows the names it imports only when used."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import tatum.sandbox
from tatum.sandbox import Settings

SANDBOX_DOC = Path(__file__).resolve().parents[1] / "docs" / "SANDBOX.md"


def in_process_section() -> str:
    text = SANDBOX_DOC.read_text(encoding="utf-8")
    return text.split("\n## In-process: ", 1)[1].split("\n## ", 1)[0]


def test_the_in_process_example_runs_as_written() -> None:
    (example,) = re.findall(r"```python\n(.*?)```", in_process_section(), flags=re.S)

    exec(compile(example, str(SANDBOX_DOC), "exec"), {})


def test_the_settings_table_lists_every_field_of_settings() -> None:
    listed = re.findall(r"^\| `(\w+)` \|", in_process_section(), flags=re.M)

    assert listed == [field.name for field in dataclasses.fields(Settings)]


def test_dir_shows_the_names_the_package_imports_when_used() -> None:
    assert set(tatum.sandbox.__all__) <= set(dir(tatum.sandbox))
    assert "__getattr__" in dir(tatum.sandbox)  # and the module's own names
