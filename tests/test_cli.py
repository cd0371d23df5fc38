"""`tatum customer list|get|update|export`, help, errors and exit codes, over real HTTP against the sandbox.

Each test runs `tatum` in this process with output captured (not a terminal, so output is JSON lines),
and reads the sandbox's own counters (`stats()`) where it claims that nothing was sent.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shlex
import stat
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path

import click
import pytest
from support.cli import (
    SECRET_MAINNET,
    SECRET_TESTNET,
    TATUM,
    HostileApi,
    Tatum,
    echoing,
    environment,
    run_script,
)
from tatum import Customer
from tatum._spec import OPERATIONS
from tatum.cli import app
from tatum.cli.helptext import STATE_CHANGES
from tatum.sandbox import SandboxServer, Settings
from tatum.testing import TatumSandbox

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "CustomerApi.md"
UNKNOWN_INTERNAL_ID = "0123456789abcdef01234567"


def customers_of(sandbox: TatumSandbox) -> list[Customer]:
    return list(sandbox.sdk().mainnet().api().customer().iter_customers())


def flat(text: str) -> str:
    """Help text with its line wrapping undone."""
    return " ".join(text.split())


# list


def test_list_prints_one_page_as_json_lines_with_the_api_field_names(
    tatum: Tatum, tatum_sandbox: TatumSandbox
) -> None:
    ids = [tatum_sandbox.add_customer(f"c-{n}", accounting_currency="EUR") for n in range(5)]
    tatum_sandbox.add_customer("c-off", enabled=False, customer_country="DE")

    ran = tatum("customer", "list", "--page-size", "2", "--offset", "1", "--json")

    assert ran.code == 0, ran.err
    assert ran.json() == [c.to_dict() for c in customers_of(tatum_sandbox)[1:3]]
    assert [line["id"] for line in ran.json()] == ids[1:3]
    assert set(ran.json()[0]) >= {"id", "externalId", "active", "enabled", "accountingCurrency"}


def test_list_is_json_when_piped_even_without_json(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.add_customer("c-1")

    ran = tatum("customer", "list")

    assert ran.code == 0
    assert [line["externalId"] for line in ran.json()] == ["c-1"]
    assert "\x1b[" not in ran.out  # no colour off a terminal


def test_json_lines_keep_text_from_the_api_exact_with_its_controls_escaped(
    tatum: Tatum, tatum_sandbox: TatumSandbox
) -> None:
    hostile = "\x1b]0;PWNED\x07\x1b[31mred\u202eevil\u2028\x9b\x7f\U000e0001 Müller 🙂"
    tatum_sandbox.add_customer(hostile)

    listed = tatum("customer", "list")
    exported = tatum("customer", "export", "--format", "csv")

    assert [line["externalId"] for line in listed.json()] == [hostile]  # exact
    # One line, ended by its newline: every control, separator and override in it is a JSON escape.
    assert listed.out.endswith("\n") and listed.out[:-1].isprintable()
    assert "Müller 🙂" in listed.out  # text a person reads stays as it is
    assert '"\\u001b]0;PWNED\\u0007' in listed.out
    assert [row["externalId"] for row in csv.DictReader(io.StringIO(exported.out))] == [hostile]


def test_list_all_walks_every_page(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(7)]

    ran = tatum("customer", "list", "--all", "--page-size", "3")

    assert ran.code == 0
    assert [line["id"] for line in ran.json()] == ids
    assert tatum_sandbox.stats().requests == 3  # pages of 3, 3 and 1


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--page-size", "51"], "--page-size: must be <= 50, not 51"),
        (["--page-size", "0"], "--page-size: must be >= 1, not 0"),
        (["--offset", "-1"], "--offset: must be >= 0, not -1"),
        (["--page-size", "ten"], "'ten' is not a valid integer"),
    ],
)
def test_list_refuses_bad_paging_before_sending(
    tatum: Tatum, tatum_sandbox: TatumSandbox, args: list[str], named: str
) -> None:
    ran = tatum("customer", "list", *args)

    assert ran.code == 2
    assert named in ran.err
    assert "Traceback" not in ran.err
    assert tatum_sandbox.stats().requests == 0


def test_testnet_uses_the_testnet_key_and_its_ledger(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.add_customer("on-mainnet")
    tatum_sandbox.add_customer("on-testnet", network="testnet")

    ran = tatum("--network", "testnet", "customer", "list")

    assert [line["externalId"] for line in ran.json()] == ["on-testnet"]


# get


def test_get_by_external_or_internal_id(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    id = tatum_sandbox.add_customer("ext-7", accounting_currency="CZK", provider_country="DE")
    expected = customers_of(tatum_sandbox)[0].to_dict()

    by_external = tatum("customer", "get", "ext-7", "--json")
    by_internal = tatum("customer", "get", id)

    assert by_external.code == by_internal.code == 0
    assert by_external.json() == by_internal.json() == [expected]


def test_get_an_unknown_customer_names_it_and_exits_1(tatum: Tatum) -> None:
    ran = tatum("customer", "get", "nobody-here")

    assert ran.code == 1
    assert ran.out == ""
    assert ran.err.startswith("Error: no customer 'nobody-here' on mainnet (customer.not.exists: ")
    assert re.search(r"\[request id [0-9a-f]{24}\]\)$", ran.err.strip())  # what support asks for
    assert "Traceback" not in ran.err


def test_get_refuses_an_id_the_sdk_would_refuse(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    ran = tatum("customer", "get", "x" * 101)

    assert ran.code == 2
    assert "ID: must be at most 100 characters, not 101" in ran.err
    assert tatum_sandbox.stats().requests == 0


# update


def test_update_changes_the_given_fields_and_prints_the_customer(
    tatum: Tatum, tatum_sandbox: TatumSandbox
) -> None:
    id = tatum_sandbox.add_customer(
        "old", accounting_currency="USD", customer_country="US", provider_country="US"
    )

    ran = tatum("customer", "update", id, "--external-id", "new", "--accounting-currency", "EUR")

    assert ran.code == 0, ran.err
    (after,) = customers_of(tatum_sandbox)
    assert ran.json() == [after.to_dict()]
    assert (after.external_id, after.accounting_currency, after.customer_country) == ("new", "EUR", "US")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (
            ["--external-id", "x", "--accounting-currency", "eur"],
            "--accounting-currency: 'eur' is not a valid",
        ),
        (["--external-id", "x", "--customer-country", "XX"], "--customer-country: 'XX' is not a valid"),
        (["--external-id", ""], "--external-id: must be at least 1 characters"),
        (["--accounting-currency", "EUR"], "Missing option '--external-id'"),
    ],
)
def test_update_refuses_bad_fields_naming_the_option(
    tatum: Tatum, tatum_sandbox: TatumSandbox, args: list[str], named: str
) -> None:
    id = tatum_sandbox.add_customer("c-1")

    ran = tatum("customer", "update", id, *args)

    assert ran.code == 2
    assert named in ran.err
    assert tatum_sandbox.stats().requests == 0


def test_update_of_an_inactive_customer_is_refused_by_the_api(
    tatum: Tatum, tatum_sandbox: TatumSandbox
) -> None:
    id = tatum_sandbox.add_customer("c-1", active=False)

    ran = tatum("customer", "update", id, "--external-id", "c-2")

    assert ran.code == 1
    assert "customer.inactive" in ran.err


# export


def test_export_streams_every_customer_as_json_lines(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    for n in range(12):
        tatum_sandbox.add_customer(f"c-{n}", customer_country="CZ" if n % 2 else None)

    ran = tatum("customer", "export", "--page-size", "5")

    assert ran.code == 0, ran.err
    assert ran.json() == [c.to_dict() for c in customers_of(tatum_sandbox)]
    assert "Exported 12 customer(s) to standard output: 3 page(s), 3 credits." in ran.err


def test_export_as_csv_has_a_column_per_spec_field(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.add_customer("c,1", accounting_currency="EUR", enabled=False)
    tatum_sandbox.add_customer('c"2')

    ran = tatum("customer", "export", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(ran.out)))
    assert ran.code == 0
    assert list(rows[0]) == [
        "id",
        "externalId",
        "active",
        "enabled",
        "accountingCurrency",
        "customerCountry",
        "providerCountry",
    ]
    expected = customers_of(tatum_sandbox)
    assert [row["externalId"] for row in rows] == ["c,1", 'c"2']
    assert rows[0] == {
        "id": expected[0].id,
        "externalId": "c,1",
        "active": "true",
        "enabled": "false",
        "accountingCurrency": "EUR",
        "customerCountry": "",
        "providerCountry": "",
    }


class _Recording(io.StringIO):
    """A file that notes how many requests the sandbox had received when each line was written."""

    def __init__(self, sandbox: TatumSandbox) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.seen: list[int] = []

    def write(self, text: str) -> int:
        self.seen.extend(self.sandbox.stats().requests for _ in range(text.count("\n")))
        return super().write(text)


def test_csv_export_of_text_utf8_cannot_hold_fails_naming_the_customer_and_leaves_no_file(
    tatum: Tatum, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server can send a lone surrogate (JSON's "\\udfff"); CSV cannot escape it, JSON lines can."""
    customer = {
        "id": "5e68c66581f2ee32bc354087",
        "externalId": "bad\udfffid",
        "active": True,
        "enabled": True,
    }

    def answer(path: str, headers: Mapping[str, str]) -> tuple[int, object]:
        return 200, [customer] if "offset=0" in path else []

    with HostileApi(answer) as api:
        monkeypatch.setenv("TATUM_BASE_URL", api.url)
        as_csv = tatum("customer", "export", "--format", "csv", "--output", str(tmp_path / "c.csv"))
        piped = tatum("customer", "export", "--format", "csv")
        as_jsonl = tatum("customer", "export", "--output", str(tmp_path / "c.jsonl"))

    for ran in (as_csv, piped):
        assert ran.code == 1, ran.err
        assert "customer '5e68c66581f2ee32bc354087': its externalId holds text UTF-8 cannot encode" in ran.err
        assert "--format jsonl" in ran.err and "Traceback" not in ran.err
    assert not (tmp_path / "c.csv").exists()
    assert as_jsonl.code == 0, as_jsonl.err
    assert json.loads((tmp_path / "c.jsonl").read_text())["externalId"] == "bad\udfffid"


def test_output_in_an_encoding_too_narrow_for_the_data_says_how_to_fix_it(
    tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    tatum_sandbox.add_customer("žluťoučký")
    env = {**environment(tatum_sandbox), "PYTHONIOENCODING": "ascii"}

    runs = [
        ["customer", "list"],
        ["customer", "export", "--format", "csv"],
        ["customer", "export", "--output", str(tmp_path / "c.jsonl")],
    ]
    ran = [
        subprocess.run([TATUM, *args], env=env, capture_output=True, text=True, timeout=60) for args in runs
    ]

    for result in ran[:2]:
        assert result.returncode == 1, result.stderr
        assert "the output's encoding (ascii) cannot hold '\\u017e'" in result.stderr
        assert "PYTHONIOENCODING=utf-8" in result.stderr and "Traceback" not in result.stderr
    assert ran[2].returncode == 0, ran[2].stderr
    assert "žluťoučký" in (tmp_path / "c.jsonl").read_text(encoding="utf-8")


def test_export_writes_each_page_before_fetching_the_next(
    tatum: Tatum, tatum_sandbox: TatumSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(7):
        tatum_sandbox.add_customer()
    recording = _Recording(tatum_sandbox)
    monkeypatch.setattr(app, "_destination", lambda path: contextlib.nullcontext(recording))

    assert tatum("customer", "export", "--page-size", "3").code == 0

    # Page n (1..3) is written while the sandbox has received n requests: one page held at a time.
    assert recording.seen == [1, 1, 1, 2, 2, 2, 3]


def test_export_to_a_file_appears_whole_or_not_at_all(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    for n in range(4):
        tatum_sandbox.add_customer(f"c-{n}")
    target = tmp_path / "customers.jsonl"

    tatum_sandbox.inject_fault(status=400, body={"message": "refused", "statusCode": 400})
    failed = tatum("customer", "export", "--output", str(target))
    assert failed.code == 1
    assert os.listdir(tmp_path) == []  # not even the temporary file

    done = tatum("customer", "export", "--output", str(target), "--page-size", "3")
    assert done.code == 0
    assert done.out == ""
    assert [json.loads(line)["externalId"] for line in target.read_text().splitlines()] == [
        f"c-{n}" for n in range(4)
    ]
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    assert os.listdir(tmp_path) == ["customers.jsonl"]


def test_export_through_a_symlink_writes_its_target_and_keeps_the_link(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    tatum_sandbox.add_customer("c-1")
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "customers.csv"
    target.write_text("old\n")
    link, dangling = tmp_path / "link.csv", tmp_path / "new.csv"
    link.symlink_to(target)
    dangling.symlink_to(tmp_path / "data" / "new-target.csv")

    for path in (link, dangling):
        ran = tatum("customer", "export", "--format", "csv", "--output", str(path))
        assert ran.code == 0, ran.err
        assert path.is_symlink()
        assert path.read_text().splitlines()[1].split(",")[1] == "c-1"
    assert target.read_text().startswith("id,externalId,")
    assert sorted(os.listdir(tmp_path / "data")) == ["customers.csv", "new-target.csv"]  # no temporary file
    assert sorted(os.listdir(tmp_path)) == ["data", "link.csv", "new.csv"]


def test_export_over_a_file_keeps_its_permissions(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    tatum_sandbox.add_customer("c-1")
    target = tmp_path / "customers.jsonl"
    target.write_text("old\n")
    target.chmod(0o600)  # customer data, for its owner only

    ran = tatum("customer", "export", "--output", str(target))

    assert ran.code == 0, ran.err
    assert json.loads(target.read_text())["externalId"] == "c-1"
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)


def test_export_to_a_fifo_writes_into_it(tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path) -> None:
    tatum_sandbox.add_customer("c-1")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()

    ran = tatum("customer", "export", "--output", str(fifo))
    reader.join(timeout=10)

    assert ran.code == 0, ran.err
    assert [json.loads(line)["externalId"] for line in b"".join(received).splitlines()] == ["c-1"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still the FIFO, not a file renamed over it
    assert os.listdir(tmp_path) == ["fifo"]


def test_export_to_standard_output_named_as_a_path_writes_to_it(
    tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    tatum_sandbox.add_customer("c-1")
    link = tmp_path / "out"
    link.symlink_to("/dev/stdout")  # a link to it, so that a failure here replaces the link, not /dev/stdout

    ran = run_script(tatum_sandbox, "customer", "export", "--output", str(link))

    assert ran.code == 0, ran.err
    assert [line["externalId"] for line in ran.json()] == ["c-1"]  # standard output is this test's pipe
    assert link.is_symlink()
    assert os.listdir(tmp_path) == ["out"]


def test_export_to_a_directory_is_a_usage_error(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    (tmp_path / "taken").mkdir()

    ran = tatum("customer", "export", "--output", str(tmp_path / "taken"))

    assert ran.code == 2
    assert f"--output {tmp_path / 'taken'}: cannot write there (Is a directory)" in ran.err
    assert tatum_sandbox.stats().requests == 0
    assert os.listdir(tmp_path) == ["taken"]


def test_a_failure_outside_the_sdk_is_one_line_too(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    tatum_sandbox.add_customer("c-1")
    full = tmp_path / "full"
    full.symlink_to("/dev/full")  # every write fails: the disk is full (a link, so no failure can replace it)

    ran = tatum("customer", "export", "--output", str(full))

    assert ran.code == 1
    assert ran.err.startswith("Exported") is False
    assert "Error: OSError: [Errno 28] No space left on device" in ran.err
    assert "(--debug shows the traceback)" in ran.err
    assert "Traceback" not in ran.err


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# errors, keys, debug


def test_a_refused_key_names_the_variable_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with SandboxServer(Settings(seed=(), api_keys=frozenset({"the-right-key"}))) as server:
        monkeypatch.setenv("TATUM_BASE_URL", server.url)
        monkeypatch.setenv("TATUM_API_KEY_MAINNET", "a-wrong-key")
        wrong = app.run(["customer", "list"])
        wrong_err = capsys.readouterr().err
        monkeypatch.delenv("TATUM_API_KEY_MAINNET")
        missing = app.run(["customer", "list"])
        missing_err = capsys.readouterr().err
        monkeypatch.setenv("TATUM_API_KEY_TESTNET", "the-right-key")
        testnet = app.run(["--network", "testnet", "customer", "list"])

    assert (wrong, missing, testnet) == (1, 1, 0), (wrong_err, missing_err)
    assert "the API refused the mainnet key in TATUM_API_KEY_MAINNET (subscription.invalid" in wrong_err
    assert "set TATUM_API_KEY_MAINNET to a valid mainnet API key" in wrong_err
    assert "no mainnet API key: set TATUM_API_KEY_MAINNET to your mainnet API key" in missing_err
    assert "a-wrong-key" not in wrong_err


def test_an_api_key_never_appears_in_output_journal_or_export_even_echoed_by_the_api(
    tatum: Tatum, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TATUM_API_KEY_MAINNET", SECRET_MAINNET)
    monkeypatch.setenv("TATUM_API_KEY_TESTNET", SECRET_TESTNET)
    journal = tmp_path / "disable.journal"
    runs = [
        ["customer", "list"],
        ["customer", "get", "CUST-1"],
        ["--debug", "customer", "get", "CUST-1"],
        ["--network", "testnet", "customer", "get", "CUST-1"],
        ["customer", "update", UNKNOWN_INTERNAL_ID, "--external-id", "x"],
        ["customer", "export", "--output", str(tmp_path / "customers.jsonl")],
        ["customer", "export", "--format", "csv", "--output", str(tmp_path / "customers.csv")],
        ["--debug", "customer", "disable", UNKNOWN_INTERNAL_ID, "--journal", str(journal)],
        ["customer", "enable", UNKNOWN_INTERNAL_ID],  # 401: the key refused
        ["customer", "disable", SECRET_MAINNET, "--dry-run"],  # the key given as an id, by mistake
    ]
    with HostileApi(echoing) as api:
        monkeypatch.setenv("TATUM_BASE_URL", api.url)
        ran = [tatum(*args) for args in runs]

    assert [r.code for r in ran] == [0, 1, 1, 1, 1, 0, 0, 1, 1, 0], [r.err for r in ran]
    written = [r.out + r.err for r in ran] + [file.read_text() for file in sorted(tmp_path.iterdir())]
    assert len(written) == len(runs) + 3
    for text in written:
        assert SECRET_MAINNET not in text and SECRET_TESTNET not in text, text
    everything = "\n".join(written)
    assert everything.count("***") >= 20  # scrubbed where the API put it, not left out
    assert ran[0].json()[0]["externalId"] == "ext-***"


def test_no_option_takes_a_key(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    ran = tatum("--api-key", "secret", "customer", "list")

    assert ran.code == 2
    assert "No such option '--api-key'" in ran.err
    assert tatum_sandbox.stats().requests == 0
    for command in _commands():
        assert "key" not in " ".join(param.name or "" for param in command.params)


def test_no_traceback_unless_debug(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.inject_fault(status=400, count=2)  # not retried: refused at once, twice

    quiet = tatum("customer", "get", "c-1")
    loud = tatum("--debug", "customer", "get", "c-1")

    assert quiet.code == loud.code == 1
    assert "Traceback" not in quiet.err
    assert quiet.err.startswith("Error: HTTP 400: ")
    assert "Traceback (most recent call last)" in loud.err
    assert "tatum.errors.BadRequestError" in loud.err
    assert "GET /v3/ledger/customer/c-1 -> 400" in loud.err  # the SDK's log of each attempt


def test_debug_output_escapes_the_api_text_it_quotes(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    tatum_sandbox.inject_fault(status=400, body={"message": "bad\x1b[2J\x1b]0;PWNED\x07", "statusCode": 400})

    ran = tatum("--debug", "customer", "get", "c-1")

    assert ran.code == 1
    assert "Traceback (most recent call last)" in ran.err
    assert "\x1b" not in ran.err and "\x07" not in ran.err
    assert ran.err.count(r"bad\x1b[2J\x1b]0;PWNED\x07") == 2  # in the traceback, and the message


def test_a_base_url_the_sdk_refuses_is_a_usage_error(tatum: Tatum) -> None:
    ran = tatum("--base-url", "http://example.com", "customer", "list")

    assert ran.code == 2
    assert "--base-url (or TATUM_BASE_URL): must use https" in ran.err


# help


def _commands() -> list[click.Command]:
    group = app.customer
    assert isinstance(group, click.Group)
    return [app.cli, group, *group.commands.values()]


def help_of(tatum: Tatum, *path: str) -> str:
    ran = tatum(*path, "--help")
    assert ran.code == 0, ran.err
    return ran.out


COMMAND_OPERATIONS = {
    "list": "find_all_customers",
    "get": "get_customer_by_external_or_internal_id",
    "update": "update_customer",
    **STATE_CHANGES,
}


@pytest.mark.parametrize("command", sorted(COMMAND_OPERATIONS))
def test_help_of_each_command_is_the_spec_and_the_reference_page(tatum: Tatum, command: str) -> None:
    operation = OPERATIONS[COMMAND_OPERATIONS[command]]
    text = flat(help_of(tatum, "customer", command))
    reference = REFERENCE.read_text()

    assert text.startswith(f"Usage: tatum customer {command} [OPTIONS]")
    # The summary, description, request and credits, as the spec has them and the reference page shows them.
    assert f"{operation.summary}. {flat(operation.description)}" in text
    assert f"{operation.method} {operation.path}: {operation.credits} credit" in text
    assert f"**{operation.credits} credit" in reference and f"{operation.summary}." in reference
    assert f"From the API: {flat(operation.description)}" in flat(reference)
    for limits in operation.parameters.values():
        assert limits.description.rstrip(".") in text


def test_help_of_the_groups_and_export(tatum: Tatum) -> None:
    top = flat(help_of(tatum))
    group = help_of(tatum, "customer")
    export = flat(help_of(tatum, "customer", "export"))

    assert "TATUM_API_KEY_MAINNET" in top and "TATUM_API_KEY_TESTNET" in top
    assert "--network [mainnet|testnet]" in top and "--base-url URL" in top and "--debug" in top
    for command, operation in COMMAND_OPERATIONS.items():
        line = next(line for line in group.splitlines() if line.strip().startswith(command + " "))
        assert OPERATIONS[operation].summary in line and "credit" in line
    assert "export" in group
    assert "--format [jsonl|csv]" in export and "--output FILE" in export and "1 credit" in export


def test_update_help_lists_a_field_option_per_spec_field(tatum: Tatum) -> None:
    text = flat(help_of(tatum, "customer", "update"))

    for option in ("--external-id", "--accounting-currency", "--customer-country", "--provider-country"):
        assert option in text
    assert "ISO-4217 currency code" in text


def test_version(tatum: Tatum) -> None:
    from tatum import __version__

    ran = tatum("--version")

    assert ran.code == 0
    assert ran.out.strip() == f"tatum, version {__version__}"


def test_completion_scripts(tatum: Tatum) -> None:
    for shell in ("bash", "zsh", "fish"):
        ran = tatum("completion", shell)
        assert ran.code == 0
        assert "_TATUM_COMPLETE" in ran.out
    assert tatum("completion", "tcsh").code == 2


def test_state_change_help_tells_what_counts_as_done(tatum: Tatum) -> None:
    for command, operation in STATE_CHANGES.items():
        text = flat(help_of(tatum, "customer", command))
        assert f"already in that state ({OPERATIONS[operation].already_in_state}) counts as done" in text
        assert re.search(r"--journal FILE", text)
        assert "Exit status: 0 all done, 1 any failed, 2 usage error (nothing sent), 130 interrupted." in text


def test_every_command_the_readme_shows_is_one_tatum_has(tatum: Tatum) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
    commands = [
        shlex.split(re.split(r"\s(?:#|<|>|\|)\s", line[2:], maxsplit=1)[0])
        for line in section.splitlines()
        if line.startswith("$ tatum ")
    ]

    assert len(commands) >= 8
    for command in commands:
        # Unknown commands or options fail the parse; --help then stops before anything is sent.
        ran = tatum(*command[1:], "--help")
        assert ran.code == 0, (command, ran.err)
