"""`--journal FILE`: what a bulk run has finished, so that an interrupted run resumes where it stopped.

The file is JSON lines. The first says what the run does and where: `{"journal": "tatum customer",
"operation": "disable_customer", "network": "mainnet", "baseUrl": "..."}`; then one line per id as its call
ends, as the run's JSON results: `{"id": "...", "result": "done"}` (or `"already"`, or `"failed"` with
`errorCode`, `message` and `requestId` when the API gave them). Each line is flushed as it is written, so the
journal is never behind what was sent by more than the calls in flight. A resumed run skips the ids whose last
result is done or already, and sends the failed ones again. A journal of another operation, network or base
URL is refused (it would skip the wrong ids), as is one in use by another run (an exclusive lock, where the
system has `fcntl`). A file that is not a journal of this run is never changed: a last line cut short by a
killed run is dropped only once the rest has been read as this run's journal. The file is read and cut in
bytes, whatever its line ends.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

import click

from . import safe

try:
    import fcntl
except ImportError:  # Windows: no lock
    fcntl = None  # type: ignore[assignment]

_KIND = "tatum customer"
FINISHED = frozenset({"done", "already"})
"""Results that need no new call."""


@dataclass(frozen=True)
class Run:
    """What a bulk run does, and where: a journal belongs to one."""

    operation: str
    network: str
    base_url: str

    def header(self) -> dict[str, str]:
        return {
            "journal": _KIND,
            "operation": self.operation,
            "network": self.network,
            "baseUrl": self.base_url,
        }


class Journal:
    """An open journal file: the ids it records as finished, and `record()` for each id's result."""

    def __init__(self, path: str, run: Run) -> None:
        self.path = path
        self.finished: set[str] = set()
        self._stream = self._open(path, run)

    def _open(self, path: str, run: Run) -> IO[bytes]:
        try:
            stream = open(path, "a+b")  # noqa: SIM115 - kept open until close()
        except OSError as error:
            raise click.UsageError(f"--journal {path}: cannot open it ({error.strerror})") from None
        try:
            _lock(stream, path)
            stream.seek(0)
            content = stream.read()
            self.finished, length = parse(content, path, run)
            # Only now that it is known to be a journal of this run may the file change.
            if length < len(content):
                stream.truncate(length)  # the last write was cut short (the process was killed mid-line)
            if length == 0:
                self._write(stream, run.header())
        except BaseException:
            stream.close()
            raise
        return stream

    def record(self, entry: Mapping[str, str]) -> None:
        """Write one id's result (`{"id": ..., "result": ...}`, as `bulk.Outcome.to_dict()`), flushed at once."""
        self._write(self._stream, entry)
        if entry["result"] in FINISHED:
            self.finished.add(entry["id"])

    @staticmethod
    def _write(stream: IO[bytes], entry: Mapping[str, Any]) -> None:
        stream.write(_line(entry))
        stream.flush()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.fsync(self._stream.fileno())
        self._stream.close()


def read(path: str, run: Run) -> set[str]:
    """The ids a journal file records as finished, without changing it (none if it does not exist yet)."""
    try:
        with open(path, "rb") as stream:
            content = stream.read()
    except FileNotFoundError:
        return set()
    except OSError as error:
        raise click.UsageError(f"--journal {path}: cannot read it ({error.strerror})") from None
    return parse(content, path, run)[0]


def parse(content: bytes, path: str, run: Run) -> tuple[set[str], int]:
    """The ids a journal's bytes record as finished, and the length in bytes of its whole lines; a usage
    error for a file that is not a journal of `run`.

    A last line without its newline is a write cut short: it is left out, if it is the start of a line this
    run writes (its header, in an empty journal, or a record); anything else there is not a journal's.
    """
    length = content.rfind(b"\n") + 1
    text = _decoded(content[:length], path)
    done = finished(text, path, run)
    cut = content[length:]
    start = _line(run.header()) if length == 0 else _RECORD_START
    if cut and not (start.startswith(cut) or cut.startswith(start)):
        if length == 0:
            raise click.UsageError(f"--journal {path}: not a journal of tatum customer (line 1)")
        raise click.UsageError(f"--journal {path}: line {text.count(chr(10)) + 1} is not a journal record")
    return done, length


def _decoded(content: bytes, path: str) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise click.UsageError(f"--journal {path}: not UTF-8 text ({error.reason})") from None


def finished(text: str, path: str, run: Run) -> set[str]:
    """The ids whose last result in a journal's text (whole lines) is done or already; a usage error for a
    journal of another run, or for text that is not a journal."""
    done: set[str] = set()
    # Lines end at "\n" only (a "\r" before it is JSON whitespace): str.splitlines() would also split at
    # U+2028 and the like, which a message from the API may hold.
    for number, line in enumerate(text.split("\n")[:-1], 1):
        record = json_object(line)
        if number == 1:
            if record is None or record.get("journal") != _KIND:
                raise click.UsageError(f"--journal {path}: not a journal of tatum customer (line 1)")
            if record != run.header():
                operation, network, base_url = (
                    safe.text(str(record.get(name))) for name in ("operation", "network", "baseUrl")
                )
                raise click.UsageError(
                    f"--journal {path}: it records {operation} on {network} at {base_url}; this run is "
                    f"{run.operation} on {run.network} at {run.base_url}. Give another --journal file."
                )
            continue
        if record is None or not isinstance(record.get("id"), str) or "result" not in record:
            raise click.UsageError(f"--journal {path}: line {number} is not a journal record")
        if record["result"] in FINISHED:
            done.add(record["id"])
        else:
            done.discard(record["id"])
    return done


def _line(entry: Mapping[str, Any]) -> bytes:
    """One journal line, as written."""
    return (safe.json_text(entry) + "\n").encode("utf-8")


_RECORD_START = _line({"id": ""})[: len(b'{"id": "')]
"""How every record line begins."""


def json_object(line: str) -> dict[str, Any] | None:
    """The JSON object on `line`, or None when the line is not one (not JSON, too deep, or another value)."""
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return None
    return value if isinstance(value, dict) else None


def _lock(stream: IO[bytes], path: str) -> None:
    """Hold an exclusive lock on the journal while the run lasts; a usage error if another run holds it."""
    if fcntl is None:
        return
    try:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise click.UsageError(f"--journal {path}: another run is using it") from None
