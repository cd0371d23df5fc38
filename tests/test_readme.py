"""The README's SDK examples are code that runs: all of them, in order, against a fresh sandbox.

The `python` blocks of "Using the SDK" run as one script in a fresh interpreter, configured only by the
TATUM_* environment variables, as a user's script would be, against a sandbox as `tatum-sandbox` starts it
(its demo customers), so a block that only works on data of its own making fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tatum import Sdk
from tatum.sandbox import DEMO_CUSTOMERS, SandboxServer, Settings
from tatum.testing import API_KEY_MAINNET, API_KEY_TESTNET

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
        "pages(",
        "start_offset=",
        "credit_budget",
        "with_options",
        "with_raw_response",
        "deadline=",
        "extra_headers=",
        "request_id",
        "except tatum.",
        "fiat_currency(",
        "AsyncSdk",
        "asyncio.gather",
        "ThreadPoolExecutor",
        "redis_url=",
        'getLogger("tatum")',
        "TracerProvider",
    ):
        assert name in code, name


def test_the_readme_examples_run_in_order_against_a_fresh_sandbox(tmp_path: Path) -> None:
    """A fresh `tatum-sandbox --rate-limit 20`, as a new user would start it: the demo customers, any key."""
    script = tmp_path / "readme_examples.py"
    script.write_text("\n".join(usage_blocks()), encoding="utf-8")
    with SandboxServer(Settings(rate_limit=20)) as server:
        env = {
            **os.environ,
            "TATUM_BASE_URL": server.url,
            "TATUM_API_KEY_MAINNET": API_KEY_MAINNET,
            "TATUM_API_KEY_TESTNET": API_KEY_TESTNET,
        }
        result = subprocess.run(
            [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
        )
        with Sdk(API_KEY_MAINNET, base_url=server.url) as sdk:
            first = (
                sdk.mainnet().api().customer().get_customer_by_external_or_internal_id(DEMO_CUSTOMERS[0].id)
            )

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert (
        "not deactivated: customer.deactivate.account.active" in out
    )  # the first demo customer has accounts
    assert "403 customer.not.exists" in out
    assert "page_size must be <= 50, not 500" in out
    assert "20 customers from offset 0; resume from 20" in out
    assert (
        f"{len(DEMO_CUSTOMERS)} customers; 20.0 calls per second" in out
    )  # learnt from the sandbox's header
    assert "tatum find_all_customers 1" in out
    assert (first.accounting_currency, first.customer_country, first.active) == ("EUR", "DE", True)


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
