"""`tatum customer activate|deactivate|enable|disable`: bulk state changes over real HTTP against the sandbox.

The sandbox's own counters (`stats()`) prove what was sent: nothing on a dry run or a usage error, each id
once, and how many answers were faults or 429s. Interrupts are real SIGINTs to the console script.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from support.cli import HOSTILE_REQUEST_ID, TATUM, HostileApi, Ran, Tatum, environment, run_script
from tatum import Customer
from tatum._spec import OPERATIONS
from tatum.cli.helptext import STATE_CHANGES
from tatum.sandbox import SandboxServer, Settings
from tatum.testing import TatumSandbox

UNKNOWN_INTERNAL_ID = "0123456789abcdef01234567"


def customers(sandbox: TatumSandbox) -> dict[str, Customer]:
    return {c.id: c for c in sandbox.sdk().mainnet().api().customer().iter_customers()}


def results(ran: Ran) -> dict[str, str]:
    """Each id's result, from the JSON lines; an id reported twice fails the test."""
    lines = ran.json()
    ids = [line["id"] for line in lines]
    assert len(ids) == len(set(ids)), "an id was reported twice"
    return {line["id"]: line["result"] for line in lines}


def journal_records(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n")[1:-1]]


# ids: arguments, files, stdin, checks


def test_ids_from_arguments_and_a_file_are_each_sent_once(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(5)]
    listing = tmp_path / "ids.txt"
    listing.write_text(
        f"# customers flagged by the fraud review\n\n{ids[1]}\n  {ids[2]}  # a note\n{ids[0]}\n\n"
        f"{ids[3]}\n{ids[4]}\n{ids[3]}\n",
        encoding="utf-8",
    )

    ran = tatum("customer", "disable", ids[0], ids[1], "--from", str(listing))

    assert ran.code == 0, ran.err
    assert results(ran) == dict.fromkeys(ids, "done")
    assert tatum_sandbox.stats().requests == 5
    assert not any(c.enabled for c in customers(tatum_sandbox).values())
    assert "disable: 5 customer(s) x 2 credits = 10 credits at most" in ran.err
    assert "3 duplicate id(s) left out" in ran.err
    assert "disable on mainnet: 5 done, 0 already disabled, 0 failed; 10 credits spent." in ran.err


def test_ids_from_standard_input(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    ids = [tatum_sandbox.add_customer(active=False) for _ in range(3)]

    ran = tatum("customer", "activate", "--from", "-", stdin="\n".join(ids) + "\n")

    assert ran.code == 0, ran.err
    assert results(ran) == dict.fromkeys(ids, "done")
    assert all(c.active for c in customers(tatum_sandbox).values())


def test_the_json_lines_of_list_and_of_a_run_can_be_piped_in(
    tatum: Tatum, tatum_sandbox: TatumSandbox
) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(4)]
    tatum_sandbox.add_customer(active=False)
    listed = tatum("customer", "list", "--json")

    disabled = tatum("customer", "disable", "--from", "-", stdin=listed.out)
    failed = [line for line in disabled.json() if line["result"] == "failed"]
    again = tatum("customer", "disable", "--from", "-", stdin="\n".join(json.dumps(line) for line in failed))

    assert disabled.code == again.code == 1
    assert results(disabled) == {**dict.fromkeys(ids, "done"), failed[0]["id"]: "failed"}
    assert results(again) == {failed[0]["id"]: "failed"}


def test_a_json_line_without_an_id_is_a_usage_error(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    ran = tatum(
        "customer", "disable", "--from", "-", stdin=f'{UNKNOWN_INTERNAL_ID}\n{{"externalId": "c-1"}}\n'
    )

    assert ran.code == 2
    assert '--from stdin line 2: a JSON object, but not one with a string "id"; nothing was sent' in ran.err
    assert tatum_sandbox.stats().requests == 0


DEEP = '{"id": ' + "[" * 100_000 + "]" * 100_000 + "}"
"""A JSON line nested deeper than the parser's recursion limit."""


def test_a_json_line_nested_too_deep_is_a_usage_error_naming_it(
    tatum: Tatum, tatum_sandbox: TatumSandbox
) -> None:
    ran = tatum("customer", "disable", "--from", "-", stdin=f"{UNKNOWN_INTERNAL_ID}\n{DEEP}\n")

    assert ran.code == 2, ran.err
    assert '--from stdin line 2: a JSON object, but not one with a string "id"; nothing was sent' in ran.err
    assert tatum_sandbox.stats().requests == 0


def test_already_in_that_state_is_done_and_each_failure_is_listed(
    tatum: Tatum, tatum_sandbox: TatumSandbox
) -> None:
    enabled = tatum_sandbox.add_customer("enabled")
    disabled = tatum_sandbox.add_customer("disabled", enabled=False)
    inactive = tatum_sandbox.add_customer("inactive", active=False)

    ran = tatum("customer", "disable", enabled, disabled, inactive, UNKNOWN_INTERNAL_ID)

    assert ran.code == 1
    lines = {line["id"]: line for line in ran.json()}
    assert lines[enabled] == {"id": enabled, "result": "done"}
    assert lines[disabled] == {"id": disabled, "result": "already", "errorCode": "customer.disabled"}
    assert lines[inactive]["result"] == "failed"
    assert lines[inactive]["errorCode"] == "customer.inactive"
    assert lines[UNKNOWN_INTERNAL_ID]["errorCode"] == "customer.internal.not.exists"
    assert "disable on mainnet: 1 done, 1 already disabled, 2 failed; 2 credits spent." in ran.err
    failed_table = ran.err.split("Failed", 1)[1]
    assert inactive in failed_table and UNKNOWN_INTERNAL_ID in failed_table
    assert "customer.internal.not.exists" in failed_table


def test_each_failure_keeps_its_request_id(
    tatum: Tatum, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = tmp_path / "j"
    inactive = {"errorCode": "customer.inactive", "message": "Customer is inactive.", "statusCode": 403}
    with HostileApi(lambda path, headers: (403, inactive)) as api:
        monkeypatch.setenv("TATUM_BASE_URL", api.url)
        ran = tatum("customer", "disable", UNKNOWN_INTERNAL_ID, "--journal", str(journal))

    assert ran.code == 1
    expected = {
        "id": UNKNOWN_INTERNAL_ID,
        "result": "failed",
        "errorCode": "customer.inactive",
        "message": "Customer is inactive.",
        "requestId": HOSTILE_REQUEST_ID,
    }
    assert ran.json() == journal_records(journal) == [expected]
    failed_table = ran.err.split("Failed", 1)[1]
    assert "Customer is inactive." in failed_table and f"[request id {HOSTILE_REQUEST_ID}]" in failed_table


def test_a_refused_key_quotes_the_request_id(tatum: Tatum, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = {
        "errorCode": "subscription.invalid",
        "message": "Unable to find subscription",
        "statusCode": 401,
    }
    with HostileApi(lambda path, headers: (401, refused)) as api:
        monkeypatch.setenv("TATUM_BASE_URL", api.url)
        ran = [
            tatum("customer", "disable", UNKNOWN_INTERNAL_ID),
            tatum("customer", "list"),
        ]

    for each in ran:
        assert each.code == 1
        assert (
            f"subscription.invalid: Unable to find subscription [request id {HOSTILE_REQUEST_ID}])"
            in each.err
        )


@pytest.mark.parametrize(
    ("command", "before", "after"),
    [
        ("activate", {"active": False}, ("active", True)),
        ("deactivate", {"active": True}, ("active", False)),
        ("enable", {"enabled": False}, ("enabled", True)),
        ("disable", {"enabled": True}, ("enabled", False)),
    ],
)
def test_each_state_change_does_its_job_then_is_already_done(
    tatum: Tatum, tatum_sandbox: TatumSandbox, command: str, before: dict[str, bool], after: tuple[str, bool]
) -> None:
    id = tatum_sandbox.add_customer(**before)  # type: ignore[arg-type]
    operation = OPERATIONS[STATE_CHANGES[command]]

    first = tatum("customer", command, id)
    second = tatum("customer", command, id)

    assert (first.code, second.code) == (0, 0)
    assert first.json() == [{"id": id, "result": "done"}]
    assert second.json() == [{"id": id, "result": "already", "errorCode": operation.already_in_state}]
    assert getattr(customers(tatum_sandbox)[id], after[0]) is after[1]
    assert f"{command} on mainnet: 1 done, 0 already" in first.err
    assert f"{command} on mainnet: 0 done, 1 already" in second.err


def test_a_run_where_everything_already_was_exits_0(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(3)]

    ran = tatum("customer", "enable", *ids)

    assert ran.code == 0
    assert results(ran) == dict.fromkeys(ids, "already")
    assert "0 done, 3 already enabled, 0 failed; 0 credits spent." in ran.err


def test_a_bad_id_is_a_usage_error_naming_it_and_nothing_is_sent(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    good = tatum_sandbox.add_customer()
    listing = tmp_path / "ids.txt"
    listing.write_text(f"{good}\n# fine so far\nshort\n{'x' * 500}\n..\n", encoding="utf-8")

    ran = tatum("customer", "disable", "--from", str(listing))

    assert ran.code == 2
    assert ran.out == ""
    assert "3 ids are not valid; nothing was sent" in ran.err
    assert f"{listing} line 3: 'short': must be at least 10 characters, not 5" in ran.err
    assert f"{listing} line 4: '{'x' * 60}...': must be at most 50 characters, not 500" in ran.err
    assert f"{listing} line 5: '..'" in ran.err
    assert tatum_sandbox.stats().requests == 0


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        ([], "", "no ids: give them as arguments"),
        (["--from", "-"], "# only a comment\n\n", "no ids: give them as arguments"),
        (["--from", "/no/such/file"], "", "--from /no/such/file: cannot read it"),
        (["--concurrency", "0", UNKNOWN_INTERNAL_ID], "", "--concurrency"),
    ],
)
def test_usage_errors_send_nothing(
    tatum: Tatum, tatum_sandbox: TatumSandbox, args: list[str], stdin: str, message: str
) -> None:
    ran = tatum("customer", "disable", *args, stdin=stdin)

    assert ran.code == 2
    assert message in ran.err
    assert tatum_sandbox.stats().requests == 0


def test_a_file_that_is_not_utf8_is_a_usage_error(tatum: Tatum, tmp_path: Path) -> None:
    listing = tmp_path / "ids.bin"
    listing.write_bytes(b"\xff\xfe0123456789abcdef01234567\n")

    ran = tatum("customer", "disable", "--from", str(listing))

    assert ran.code == 2
    assert "not UTF-8 text" in ran.err


# dry run, credits, confirmation


def test_dry_run_prints_each_request_and_sends_nothing(tatum: Tatum, tatum_sandbox: TatumSandbox) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(3)]

    ran = tatum("customer", "deactivate", *ids, "--dry-run", "--yes")

    assert ran.code == 0
    assert ran.json() == [
        {"method": "PUT", "url": f"{tatum_sandbox.url}/v3/ledger/customer/{id}/deactivate", "credits": 2}
        for id in ids
    ]
    assert "Dry run: 3 request(s), 6 credits (2 credits each); nothing was sent." in ran.err
    assert tatum_sandbox.stats().requests == 0
    assert all(c.active for c in customers(tatum_sandbox).values())
    # The printed request is the one the SDK sends.
    raw = tatum_sandbox.sdk().mainnet().api().customer().with_raw_response.deactivate_customer(ids[0])
    assert str(raw.http_response.request.url) == ran.json()[0]["url"]


def test_dry_run_on_testnet_without_a_key_shows_the_query_the_sdk_adds(
    tatum: Tatum, tatum_sandbox: TatumSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TATUM_API_KEY_TESTNET")
    id = tatum_sandbox.add_customer(keyless=True, network="testnet")

    ran = tatum("--network", "testnet", "customer", "disable", id, "--dry-run")

    (line,) = ran.json()
    sdk = tatum_sandbox.sdk(api_key_testnet=None)
    raw = sdk.testnet().api().customer().with_raw_response.disable_customer(id)
    assert line["url"] == str(raw.http_response.request.url)
    assert line["url"].endswith("/disable?type=testnet")


def test_above_the_threshold_a_run_without_a_terminal_refuses_unless_yes(
    tatum: Tatum, tatum_sandbox: TatumSandbox
) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(6)]

    refused = tatum("customer", "disable", *ids, "--confirm-above", "10")
    assert refused.code == 2
    assert "disable: 6 customer(s) x 2 credits = 12 credits at most" in refused.err
    assert "more than --confirm-above 10, and there is no terminal to ask: pass --yes" in refused.err
    assert tatum_sandbox.stats().requests == 0

    at_threshold = tatum("customer", "disable", *ids[:5], "--confirm-above", "10")
    assert at_threshold.code == 0
    assert tatum_sandbox.stats().requests == 5

    confirmed = tatum("customer", "disable", *ids, "--confirm-above", "10", "--yes")
    assert confirmed.code == 0
    assert results(confirmed) == {**dict.fromkeys(ids[:5], "already"), ids[5]: "done"}


# many ids, faults and a rate limit


def test_a_few_hundred_ids_through_a_503_and_a_rate_limit(
    tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(300)]
    already = set(ids[1::50])  # not the first: after its 503s, "already" would mean done (the SDK)
    for id in already:
        tatum_sandbox.sdk().mainnet().api().customer().disable_customer(id)
    listing = tmp_path / "ids.txt"
    listing.write_text("\n".join(ids) + "\n", encoding="utf-8")
    before = tatum_sandbox.stats().requests
    tatum_sandbox.set_rate_limit(100, retry_after=0.2)
    tatum_sandbox.inject_fault(status=503, retry_after=0, count=2)

    ran = run_script(
        tatum_sandbox, "customer", "disable", "--from", str(listing), "--yes", "--concurrency", "5"
    )

    stats = tatum_sandbox.stats()
    assert ran.code == 0, ran.err
    assert results(ran) == {id: "already" if id in already else "done" for id in ids}  # none lost
    # Each id sent once; the only other requests are the 2 faults' retries and the 429s' retries.
    assert stats.requests - before == 300 + 2 + stats.rate_limited
    # The SDK's limiter paced the calls: without it, 300 calls in a burst would meet hundreds of 429s.
    assert stats.rate_limited < 30, stats
    assert not any(c.enabled for c in customers(tatum_sandbox).values())
    assert (
        f"disable on mainnet: {300 - len(already)} done, {len(already)} already disabled, 0 failed; "
        in ran.err
    )
    assert f"{(300 - len(already)) * 2} credits spent." in ran.err


# the journal


def test_a_journal_skips_what_an_earlier_run_finished(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(8)]
    inactive = tatum_sandbox.add_customer(active=False)
    journal = tmp_path / "disable.journal"

    first = tatum("customer", "disable", *ids[:4], inactive, "--journal", str(journal))
    assert first.code == 1
    header = json.loads(journal.read_text().splitlines()[0])
    assert header == {
        "journal": "tatum customer",
        "operation": "disable_customer",
        "network": "mainnet",
        "baseUrl": tatum_sandbox.url,
    }
    assert {r["id"]: r["result"] for r in journal_records(journal)} == {
        **dict.fromkeys(ids[:4], "done"),
        inactive: "failed",
    }
    # The inactive one failed; once activated, a run with the journal sends it again.
    tatum_sandbox.sdk().mainnet().api().customer().activate_customer(inactive)
    sent_before = tatum_sandbox.stats().requests

    second = tatum("customer", "disable", *ids, inactive, "--journal", str(journal))

    assert second.code == 0, second.err
    assert results(second) == dict.fromkeys([*ids[4:], inactive], "done")  # the failed one is sent again
    assert tatum_sandbox.stats().requests - sent_before == 5
    assert "4 id(s) skipped, finished in an earlier run" in second.err

    third = tatum("customer", "disable", *ids, "--journal", str(journal))
    assert third.code == 0
    assert "Nothing to send: every id is finished" in third.err

    dry = tatum("customer", "disable", *ids, UNKNOWN_INTERNAL_ID, "--journal", str(journal), "--dry-run")
    assert [line["url"].split("/")[-2] for line in dry.json()] == [UNKNOWN_INTERNAL_ID]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json\n", "not a journal of tatum customer"),
        (
            '{"journal": "tatum customer", "operation": "enable_customer", "network": "mainnet", "baseUrl": "URL"}\n',
            "it records enable_customer on mainnet",
        ),
        (
            '{"journal": "tatum customer", "operation": "disable_customer", "network": "testnet", "baseUrl": "URL"}\n',
            "it records disable_customer on testnet",
        ),
        (
            '{"journal": "tatum customer", "operation": "disable_customer", "network": "mainnet", "baseUrl": "URL"}\n[1]\n',
            "line 2 is not a journal record",
        ),
    ],
)
def test_a_journal_of_another_run_is_refused(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path, content: str, message: str
) -> None:
    journal = tmp_path / "j"
    journal.write_text(content.replace("URL", tatum_sandbox.url), encoding="utf-8")

    for extra in ([], ["--dry-run"]):
        ran = tatum("customer", "disable", UNKNOWN_INTERNAL_ID, "--journal", str(journal), *extra)
        assert ran.code == 2
        assert message in ran.err
    assert tatum_sandbox.stats().requests == 0


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([DEEP], "not a journal of tatum customer (line 1)"),
        (["HEADER", DEEP], "line 2 is not a journal record"),
    ],
)
def test_a_journal_line_nested_too_deep_is_a_usage_error_naming_it(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path, lines: list[str], message: str
) -> None:
    journal = tmp_path / "j"
    content = "".join(line.replace("HEADER", _header(tatum_sandbox)) + "\n" for line in lines)
    journal.write_text(content, encoding="utf-8")

    for extra in ([], ["--dry-run"]):
        ran = tatum("customer", "disable", UNKNOWN_INTERNAL_ID, "--journal", str(journal), *extra)
        assert ran.code == 2, ran.err
        assert message in ran.err
    assert journal.read_text(encoding="utf-8") == content
    assert tatum_sandbox.stats().requests == 0


def test_a_journal_line_cut_short_by_a_crash_is_dropped(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(2)]
    journal = tmp_path / "j"
    journal.write_text(
        _header(tatum_sandbox) + "\n" + json.dumps({"id": ids[0], "result": "done"}) + '\n{"id": "',
        encoding="utf-8",
    )

    ran = tatum("customer", "disable", *ids, "--journal", str(journal))

    assert ran.code == 0, ran.err
    assert results(ran) == {ids[1]: "done"}
    assert [r["id"] for r in journal_records(journal)] == [ids[0], ids[1]]


def _header(sandbox: TatumSandbox, operation: str = "disable_customer") -> str:
    """The first line of a journal of `operation` on mainnet against the sandbox."""
    return json.dumps(
        {"journal": "tatum customer", "operation": operation, "network": "mainnet", "baseUrl": sandbox.url}
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"my notes\nlast line without newline", "not a journal of tatum customer (line 1)"),
        (b"one line of notes, no newline", "not a journal of tatum customer (line 1)"),
        (b"HEADER\nnot a record, and no newline", "line 2 is not a journal record"),
        (b'OTHER\n{"id": "', "it records enable_customer on mainnet"),
    ],
)
def test_a_file_that_is_not_a_journal_of_this_run_is_left_as_it_was(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path, content: bytes, message: str
) -> None:
    journal = tmp_path / "notes.txt"
    content = content.replace(b"HEADER", _header(tatum_sandbox).encode())
    content = content.replace(b"OTHER", _header(tatum_sandbox, "enable_customer").encode())
    journal.write_bytes(content)

    for extra in ([], ["--dry-run"]):
        ran = tatum("customer", "disable", UNKNOWN_INTERNAL_ID, "--journal", str(journal), "--yes", *extra)
        assert ran.code == 2, ran.err
        assert message in ran.err
    assert journal.read_bytes() == content
    assert tatum_sandbox.stats().requests == 0


def test_a_journal_with_crlf_line_ends_loses_only_its_cut_short_line(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(2)]
    journal = tmp_path / "j"
    kept = (_header(tatum_sandbox) + "\r\n" + json.dumps({"id": ids[0], "result": "done"}) + "\r\n").encode()
    journal.write_bytes(kept + b'{"id": "')

    ran = tatum("customer", "disable", *ids, "--journal", str(journal))

    assert ran.code == 0, ran.err
    assert results(ran) == {ids[1]: "done"}
    assert journal.read_bytes() == kept + (json.dumps({"id": ids[1], "result": "done"}) + "\n").encode()


def test_a_journal_whose_header_was_cut_short_starts_again(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    id = tatum_sandbox.add_customer()
    journal = tmp_path / "j"
    journal.write_bytes(_header(tatum_sandbox).encode()[:30])

    ran = tatum("customer", "disable", id, "--journal", str(journal))

    assert ran.code == 0, ran.err
    assert journal.read_text().splitlines() == [
        _header(tatum_sandbox),
        json.dumps({"id": id, "result": "done"}),
    ]


def test_a_message_with_a_unicode_line_separator_keeps_the_journal_readable(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    id = tatum_sandbox.add_customer()
    journal = tmp_path / "j"
    tatum_sandbox.inject_fault(status=403, body={"message": "one\u2028two\x85three", "statusCode": 403})

    first = tatum("customer", "disable", id, "--journal", str(journal))
    second = tatum("customer", "disable", id, "--journal", str(journal))

    assert first.code == 1
    assert second.code == 0, second.err
    assert "1 done" in second.err
    failed, done = journal_records(journal)
    assert (failed["result"], done["result"]) == ("failed", "done")
    assert "one\u2028two\x85three" in failed["message"]


def test_an_authentication_failure_stops_the_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tatum.cli.app import run

    ids = [f"{n:024x}" for n in range(5)]
    with SandboxServer(Settings(seed=(), api_keys=frozenset({"right"}))) as server:
        monkeypatch.setenv("TATUM_BASE_URL", server.url)
        monkeypatch.setenv("TATUM_API_KEY_MAINNET", "wrong")
        code = run(["customer", "enable", *ids, "--json"])
    out, err = capsys.readouterr()

    assert code == 1
    assert out == ""  # no id has a result: the first call was refused, and nothing else was sent
    assert "Stopped: 0 of 5 finished, 5 not sent" in err
    assert "set TATUM_API_KEY_MAINNET to a valid mainnet API key" in err


# Ctrl-C: real signals to the console script


def _start(sandbox: TatumSandbox, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [TATUM, "customer", *args],
        env=environment(sandbox),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition: object, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_ctrl_c_finishes_the_calls_in_flight_and_the_journal_resumes_the_rest(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(90)]
    listing, journal = tmp_path / "ids.txt", tmp_path / "disable.journal"
    listing.write_text("\n".join(ids) + "\n", encoding="utf-8")
    tatum_sandbox.set_rate_limit(30, retry_after=0.2)

    run = (
        "disable",
        "--from",
        str(listing),
        "--journal",
        str(journal),
        "--yes",
        "--json",
        "--concurrency",
        "3",
    )
    process = _start(tatum_sandbox, *run)
    _wait_for(lambda: journal.exists() and len(journal.read_text().splitlines()) > 15, "15 finished ids")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)

    assert process.returncode == 130, err
    assert "Interrupted: finishing the calls in flight" in err
    first = {line["id"]: line["result"] for line in map(json.loads, out.splitlines())}
    recorded = {r["id"]: r["result"] for r in journal_records(journal)}
    disabled = {id for id, c in customers(tatum_sandbox).items() if not c.enabled}
    # Every call that reached the API was finished and journaled: none lost, none left unknown.
    assert recorded == first == dict.fromkeys(disabled, "done")
    assert 15 <= len(recorded) < 90
    assert f"Interrupted: {len(recorded)} of 90 finished, {90 - len(recorded)} not sent" in err
    sent_before = tatum_sandbox.stats()

    resumed = run_script(tatum_sandbox, "customer", *run)

    assert resumed.code == 0, resumed.err
    # Only what was left is sent, and nothing twice: no "already".
    assert results(resumed) == {id: "done" for id in ids if id not in recorded}
    after = tatum_sandbox.stats()
    assert (
        after.requests - sent_before.requests
        == 90 - len(recorded) + after.rate_limited - sent_before.rate_limited
    )
    assert not any(c.enabled for c in customers(tatum_sandbox).values())
    assert len(journal_records(journal)) == 90


def test_a_second_ctrl_c_abandons_the_calls_in_flight(
    tatum: Tatum, tatum_sandbox: TatumSandbox, tmp_path: Path
) -> None:
    ids = [tatum_sandbox.add_customer() for _ in range(4)]
    journal = tmp_path / "j"
    tatum_sandbox.inject_fault(delay=1.5)  # the first call is answered only after 1.5 s

    process = _start(tatum_sandbox, "disable", *ids, "--journal", str(journal), "--json")
    _wait_for(lambda: tatum_sandbox.stats().requests == 1, "the first call")
    process.send_signal(signal.SIGINT)
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)

    assert process.returncode == 130, err
    assert out == ""
    assert journal_records(journal) == []  # its outcome is unknown: not journaled
    assert "0 of 4 finished, 4 not sent" in err

    resumed = tatum("customer", "disable", *ids, "--journal", str(journal))

    # Sent again: "done", or "already" had the abandoned call reached its goal (both count as done).
    assert resumed.code == 0
    assert set(results(resumed)) == set(ids)
    assert set(results(resumed).values()) <= {"done", "already"}
    assert not any(c.enabled for c in customers(tatum_sandbox).values())
