"""`--journal FILE`: what a bulk run has finished, so that an interrupted run resumes where it stopped.

The file is JSON lines. The first says what the run does and where:
`{"journal": "tatum customer", "operation": "disable_customer", "network": "mainnet", "baseUrl": "..."}`;
then one line per id as its call ends: `{"id": "...", "result": "done"}` (or `"already"`, or `"failed"` with
`errorCode` and `message`). Each line is flushed as it is written, so the journal is never behind what was
sent by more than the calls in flight. A resumed run skips the ids whose last result is done or already, and
sends the failed ones again. A journal of another operation, network or base URL is refused (it would skip
the wrong ids), as is one in use by another run (an exclusive lock, where the system has `fcntl`).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from typing import IO, Any

import click

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

    def _open(self, path: str, run: Run) -> IO[str]:
        try:
            stream = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open until close()
        except OSError as error:
            raise click.UsageError(f"--journal {path}: cannot open it ({error.strerror})") from None
        try:
            _lock(stream, path)
            stream.seek(0)
            self._read(stream, run)
            stream.seek(0, os.SEEK_END)
            if stream.tell() == 0:
                self._write(stream, run.header())
        except BaseException:
            stream.close()
            raise
        return stream

    def _read(self, stream: IO[str], run: Run) -> None:
        try:
            text = stream.read()
        except UnicodeDecodeError as error:
            raise click.UsageError(f"--journal {self.path}: not UTF-8 text ({error.reason})") from None
        if text and not text.endswith("\n"):
            # The last write was cut short (the process was killed mid-line): drop the partial line.
            text = text[: text.rfind("\n") + 1]
            stream.truncate(len(text.encode("utf-8")))
        self.finished = finished(text, self.path, run)

    def record(self, id: str, result: str, error_code: str | None = None, message: str | None = None) -> None:
        """Write one id's result, flushed at once."""
        entry: dict[str, Any] = {"id": id, "result": result}
        if error_code is not None:
            entry["errorCode"] = error_code
        if message is not None:
            entry["message"] = message
        self._write(self._stream, entry)
        if result in FINISHED:
            self.finished.add(id)

    @staticmethod
    def _write(stream: IO[str], entry: dict[str, Any]) -> None:
        stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
        stream.flush()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.fsync(self._stream.fileno())
        self._stream.close()


def read(path: str, run: Run) -> set[str]:
    """The ids a journal file records as finished, without changing it (none if it does not exist yet)."""
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError) as error:
        raise click.UsageError(f"--journal {path}: cannot read it ({error})") from None
    return finished(text[: text.rfind("\n") + 1], path, run)


def finished(text: str, path: str, run: Run) -> set[str]:
    """The ids whose last result in a journal's text is done or already; a usage error for a journal of
    another run, or for text that is not a journal."""
    done: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        record = _record(line)
        if number == 1:
            if record is None or record.get("journal") != _KIND:
                raise click.UsageError(f"--journal {path}: not a journal of tatum customer (line 1)")
            if record != run.header():
                raise click.UsageError(
                    f"--journal {path}: it records {record.get('operation')} on {record.get('network')} "
                    f"at {record.get('baseUrl')}; this run is {run.operation} on {run.network} at "
                    f"{run.base_url}. Give another --journal file."
                )
            continue
        if record is None or not isinstance(record.get("id"), str) or "result" not in record:
            raise click.UsageError(f"--journal {path}: line {number} is not a journal record")
        if record["result"] in FINISHED:
            done.add(record["id"])
        else:
            done.discard(record["id"])
    return done


def _record(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _lock(stream: IO[str], path: str) -> None:
    """Hold an exclusive lock on the journal while the run lasts; a usage error if another run holds it."""
    if fcntl is None:
        return
    try:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise click.UsageError(f"--journal {path}: another run is using it") from None
