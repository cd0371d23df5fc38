"""The `tatum_sandbox` fixture as a user meets it: the example of docs/SANDBOX.md, verbatim, in a fresh
project directory outside this repository (no pytest configuration of ours but the doc's), passes without
a warning."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import get_type_hints

import pytest
from tatum import AsyncSdk, Sdk, ValidationError
from tatum.testing import AsyncSdkOptions, SdkOptions, TatumSandbox

SANDBOX_DOC = Path(__file__).resolve().parents[1] / "docs" / "SANDBOX.md"


def example_files() -> dict[str, str]:
    """The python and TOML blocks of the doc's pytest section that name their file in their first line."""
    section = SANDBOX_DOC.read_text(encoding="utf-8").split("\n## pytest: ", 1)[1].split("\n## ", 1)[0]
    files = {}
    for block in re.findall(r"```(?:python|toml)\n(.*?)```", section, flags=re.S):
        first = block.splitlines()[0]
        if re.fullmatch(r"# \w+\.(py|toml)", first):
            files[first[2:]] = block
    return files


def test_the_fixture_example_passes_verbatim_in_a_fresh_project(tmp_path: Path) -> None:
    files = example_files()
    assert set(files) == {"conftest.py", "pyproject.toml", "test_customers.py"}
    assert "async def" in files["test_customers.py"]
    for name, code in files.items():
        (tmp_path / name).write_text(code, encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PYTEST", "TATUM_"))}

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b3 passed\b", result.stdout), result.stdout
    assert f"rootdir: {tmp_path}" in result.stdout
    assert "configfile: pyproject.toml" in result.stdout
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("options", "constructor"), [(SdkOptions, Sdk.__init__), (AsyncSdkOptions, AsyncSdk.__init__)]
)
def test_the_fixtures_sdk_options_are_the_sdks_keyword_arguments(options: type, constructor: object) -> None:
    arguments = get_type_hints(constructor)
    del arguments["return"]

    assert get_type_hints(options) == arguments


def test_an_sdk_option_the_sdk_lacks_is_refused(tatum_sandbox: TatumSandbox) -> None:
    # mypy --strict (make typecheck) refuses these calls: each `ignore` it did not need would be an error.
    with pytest.raises(TypeError, match="bogus"):
        tatum_sandbox.sdk(bogus=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="bogus"):
        tatum_sandbox.async_sdk(bogus=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="max_retries"):
        tatum_sandbox.sdk(max_retries="2")  # type: ignore[arg-type]
