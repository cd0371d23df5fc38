"""The README's SDK examples are code that runs: all of them, in order, against the sandbox.

The `python` blocks of "Using the SDK" run as one script in a fresh interpreter, configured only by the
TATUM_* environment variables, as a user's script would be.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tatum.testing import API_KEY_MAINNET, API_KEY_TESTNET, TatumSandbox

README = Path(__file__).resolve().parent.parent / "README.md"


def usage_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Using the SDK\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_usage_section_has_an_example_of_every_topic() -> None:
    code = "\n".join(usage_blocks())
    for name in (
        "find_all_customers",
        "get_customer_by_external_or_internal_id",
        "update_customer",
        "activate_customer",
        "deactivate_customer",
        "enable_customer",
        "disable_customer",
        "iter_customers",
        "aiter_customers",
        "credit_budget",
        "with_options",
        "except tatum.",
        "AsyncSdk",
        'getLogger("tatum")',
    ):
        assert name in code, name


def test_the_readme_examples_run_against_the_sandbox(tatum_sandbox: TatumSandbox, tmp_path: Path) -> None:
    for n in range(3):
        tatum_sandbox.add_customer(f"readme-{n}", accounting_currency="USD", customer_country="US")
    tatum_sandbox.add_customer("readme-inactive", active=False)
    for n in range(2):
        tatum_sandbox.add_customer(f"readme-test-{n}", network="testnet")
    script = tmp_path / "readme_examples.py"
    script.write_text("\n".join(usage_blocks()), encoding="utf-8")
    env = {
        **os.environ,
        "TATUM_BASE_URL": tatum_sandbox.url,
        "TATUM_API_KEY_MAINNET": API_KEY_MAINNET,
        "TATUM_API_KEY_TESTNET": API_KEY_TESTNET,
    }

    result = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "customer.not.exists" in result.stdout
    assert "page_size must be <= 50, not 500" in result.stdout
    assert "readme-inactive" in result.stdout  # iter_customers printed every customer
    with tatum_sandbox.sdk() as sdk:
        updated = sdk.mainnet().api().customer().get_customer_by_external_or_internal_id("readme-0")
    assert (updated.accounting_currency, updated.customer_country, updated.enabled) == ("EUR", "DE", True)


def test_the_readme_fixture_example_passes_as_a_users_test(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Sandbox\n", 1)[1].split("\n## ", 1)[0]
    (example,) = [block for block in re.findall(r"```python\n(.*?)```", section, flags=re.S)]
    (tmp_path / "test_users_example.py").write_text(example, encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
