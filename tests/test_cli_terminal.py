"""`tatum` as a person sees it, in a pseudo-terminal (pexpect): tables, colour (and NO_COLOR), the progress bar,
the credit question; and as a shell sees it: completion, and the one line printed without the `cli` extra."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pexpect
from support.cli import SECRET_MAINNET, TATUM, HostileApi, echoing, environment
from tatum.testing import TatumSandbox

COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-7]|38;[25];[0-9;]+|9[0-7])m")
"""An SGR sequence that sets a foreground colour (bold, dim and italic are not colour)."""
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def spawn(sandbox: TatumSandbox, *args: str, columns: int = 140, **env: str) -> pexpect.spawn[str]:
    return pexpect.spawn(
        TATUM,
        list(args),
        env=environment(sandbox, **env),
        encoding="utf-8",
        dimensions=(40, columns),
        timeout=30,
    )


def finish(child: pexpect.spawn[str]) -> tuple[int, str]:
    """Everything the child printed, and its exit status."""
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None
    assert isinstance(child.before, str)
    return child.exitstatus, child.before


def test_list_is_a_coloured_table_on_a_terminal(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.add_customer("CUST-1001", accounting_currency="EUR", customer_country="DE")
    tatum_sandbox.add_customer("CUST-1002", enabled=False)

    status, raw = finish(spawn(tatum_sandbox, "customer", "list"))

    text = ANSI.sub("", raw)
    assert status == 0
    assert re.search(r"┃ ID\s+┃ External ID\s+┃ Active\s+┃ Enabled\s+┃ Accounting currency", text)
    assert re.search(r"│ [0-9a-f]{24} │ CUST-1001\s+│ yes\s+│ yes\s+│ EUR\s+│ DE\s+│ -", text)
    assert re.search(r"│ CUST-1002\s+│ yes\s+│ no\s+│", text)
    assert "2 customer(s) from offset 0 on mainnet; 1 credit spent" in text
    assert COLOUR.search(raw)  # yes in green, no in red
    assert "{" not in text  # not JSON


def test_no_color_turns_the_colour_off(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.add_customer("CUST-1001", enabled=False)

    status, raw = finish(spawn(tatum_sandbox, "customer", "list", NO_COLOR="1"))

    assert status == 0
    assert "CUST-1001" in raw
    assert not COLOUR.search(raw)


def test_a_narrow_terminal_gets_one_card_per_customer(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.add_customer("CUST-1001", accounting_currency="EUR")

    status, raw = finish(spawn(tatum_sandbox, "customer", "get", "CUST-1001", columns=60))

    text = ANSI.sub("", raw)
    assert status == 0
    assert re.search(r"External ID\s+CUST-1001", text)
    assert re.search(r"Accounting currency\s+EUR", text)


def test_json_on_a_terminal_is_plain_json(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.add_customer("CUST-1001")

    status, raw = finish(spawn(tatum_sandbox, "customer", "list", "--json"))

    assert status == 0
    assert "\x1b[" not in raw
    assert '"externalId": "CUST-1001"' in raw


def test_a_bulk_run_shows_a_progress_bar_then_its_summary(tatum_sandbox: TatumSandbox) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(40)]
    tatum_sandbox.set_rate_limit(20, retry_after=0.2)  # about two seconds: the bar is drawn several times

    status, raw = finish(spawn(tatum_sandbox, "customer", "disable", *ids, "--concurrency", "4"))

    text = ANSI.sub("", raw)
    assert status == 0, text
    assert "disable: 40 customer(s) x 2 credits = 80 credits at most" in text
    bars = re.findall(r"disable ━*[━╸╺ ]*\s+(\d+)/40\s+(?:[\d.]+/s)?\s+ETA", text)
    assert bars, text
    assert bars[-1] == "40"
    assert len(set(bars)) > 1  # it moved
    assert "disable on mainnet: 40 done, 0 already disabled, 0 failed; 80 credits spent." in text


def test_results_piped_to_a_file_stay_there_while_the_bar_is_on_the_terminal(
    tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(20)]
    results = tmp_path / "results.jsonl"
    command = " ".join([TATUM, "customer", "enable", *ids, "--json", ">", str(results)])
    child = pexpect.spawn(
        "bash",
        ["-c", command],
        env=environment(tatum_sandbox),
        encoding="utf-8",
        dimensions=(40, 140),
        timeout=30,
    )

    status, raw = finish(child)

    assert status == 0
    assert "enable on mainnet: 0 done, 20 already enabled" in ANSI.sub("", raw)
    assert "20/20" in ANSI.sub("", raw)
    assert '"result"' not in raw  # the data went to the file, not to the terminal
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(line["id"] for line in lines) == sorted(ids)


def test_above_the_threshold_a_terminal_asks_first(tatum_sandbox: TatumSandbox) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(3)]

    declined = spawn(tatum_sandbox, "customer", "disable", *ids, "--confirm-above", "5")
    declined.expect_exact("Spend up to 6 credits? [y/N]: ")
    declined.sendline("n")
    status, raw = finish(declined)
    assert status == 1
    assert "Nothing was sent." in raw
    assert tatum_sandbox.stats().requests == 0

    accepted = spawn(tatum_sandbox, "customer", "disable", *ids, "--confirm-above", "5")
    accepted.expect_exact("Spend up to 6 credits? [y/N]: ")
    accepted.sendline("y")
    status, raw = finish(accepted)
    assert status == 0
    assert "3 done" in ANSI.sub("", raw)
    assert tatum_sandbox.stats().requests == 3


HOSTILE = "\x1b]0;PWNED\x07\x1b[31mred\u202eevil\u2028\x9b2Jnext\nline"
"""An external id that would retitle the window, turn the text red, reverse it, break the line, clear the
screen (C1 CSI) on a terminal that took it raw."""
ESCAPED = r"\x1b]0;PWNED\x07\x1b[31mred\u202eevil\u2028\x9b2Jnext\nline"
RAW = ("\x1b]", "\x07", "\x1b[31mred", "\u202e", "\u2028", "\x9b", "\x1b[2J", "next\nline", "next\r\nline")
"""What must not reach the terminal (a pty turns a newline into CR LF)."""


def test_text_from_the_api_reaches_the_terminal_escaped(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer(HOSTILE)

    for args, columns in ((["list"], 250), (["get", id], 140), (["list"], 60)):  # a table, a card, cards
        status, raw = finish(spawn(tatum_sandbox, "customer", *args, columns=columns))

        assert status == 0, raw
        for sequence in RAW:
            assert sequence not in raw, (args, sequence)
        assert ESCAPED in re.sub(r"\s", "", ANSI.sub("", raw)), (
            raw
        )  # shown (maybe wrapped), as Python writes it


def test_an_error_message_from_the_api_reaches_the_terminal_escaped(tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer()
    body = {"message": f"gone {HOSTILE}", "errorCode": "code\x1b[2J", "statusCode": 403}
    tatum_sandbox.inject_fault(status=403, body=body)
    tatum_sandbox.inject_fault(status=403, body=body)

    for args in (["get", id], ["disable", id]):  # the error of a command; the failed table of a bulk run
        status, raw = finish(spawn(tatum_sandbox, "customer", *args))

        assert status == 1, raw
        for sequence in RAW:
            assert sequence not in raw, (args, sequence)
        assert r"code\x1b[2J" in raw
        assert r"gone\x1b]0;PWNED\x07" in re.sub(r"\s", "", ANSI.sub("", raw))


def test_field_names_and_values_from_the_api_are_never_read_as_markup(tatum_sandbox: TatumSandbox) -> None:
    customer = {"id": "0123456789abcdef01234567", "externalId": "[bold]x[/bold]", "active": True}
    customer.update({"enabled": True, "[/bad]": "[/also bad]", "\x1b[2Jname": ":smile:"})
    with HostileApi(lambda path, headers: (200, customer)) as api:
        status, raw = finish(spawn(tatum_sandbox, "customer", "get", "CUST-1", TATUM_BASE_URL=api.url))

    text = ANSI.sub("", raw)
    assert status == 0, text
    assert re.search(r"External ID\s+\[bold\]x\[/bold\]", text)
    assert re.search(r"\[/bad\]\s+\[/also bad\]", text)
    assert re.search(r"\\x1b\[2jname\s+:smile:", text)  # its heading, escaped
    assert "\x1b[2J" not in raw


def test_an_api_key_echoed_by_the_api_never_reaches_the_terminal(tatum_sandbox: TatumSandbox) -> None:
    id = "0123456789abcdef01234567"
    with HostileApi(echoing) as api:
        env = {"TATUM_BASE_URL": api.url, "TATUM_API_KEY_MAINNET": SECRET_MAINNET}
        shown = [
            finish(spawn(tatum_sandbox, "customer", *args, columns=columns, **env))
            for args, columns in ((["list"], 250), (["list"], 60), (["disable", id], 140))
        ]

    assert [status for status, _ in shown] == [0, 0, 1]
    for _, raw in shown:
        assert SECRET_MAINNET not in re.sub(r"\s", "", ANSI.sub("", raw)), raw  # nor wrapped over lines
        assert "***" in raw


def test_csv_on_a_terminal_is_escaped(tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.add_customer(HOSTILE)

    status, raw = finish(spawn(tatum_sandbox, "customer", "export", "--format", "csv"))

    assert status == 0, raw
    for sequence in RAW:
        assert sequence not in raw, sequence
    assert ESCAPED in raw


def test_completion_offers_the_spec_codes(tatum_sandbox: TatumSandbox) -> None:
    env = environment(
        tatum_sandbox,
        _TATUM_COMPLETE="bash_complete",
        COMP_WORDS="tatum customer update abc --accounting-currency EU",
        COMP_CWORD="5",
    )

    result = subprocess.run([TATUM], env=env, capture_output=True, text=True, timeout=30)

    assert result.returncode == 0
    assert "plain,EUR" in result.stdout.splitlines()
    assert all(line.split(",")[1].startswith("EU") for line in result.stdout.splitlines())
    assert tatum_sandbox.stats().requests == 0


def test_without_the_cli_extra_tatum_says_which_to_install() -> None:
    # The console script's own entry point, run with each of the extra's modules made unimportable.
    for module in ("click", "rich"):
        code = (
            "import sys\n"
            f"sys.modules[{module!r}] = None\n"
            "from importlib.metadata import entry_points\n"
            "(script,) = [e for e in entry_points(group='console_scripts') if e.name == 'tatum']\n"
            "sys.exit(script.load()(['customer', 'list']))\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)

        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            f'tatum: needs the "cli" extra ({module} is missing): pip install "tatum-sdk[cli]"'
        ]
