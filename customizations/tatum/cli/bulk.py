"""Bulk state changes: one SDK call per id, concurrently, under the API key's rate limit.

The first call goes alone, so that the SDK learns the key's rate (`x-ratelimit-persec`) before the others
fan out; then `concurrency` tasks share the rest. The SDK's rate limiter decides when each call may go, and
its retries handle 429s and 5xx. "Already in that state" (the operation's `already_in_state` error code)
counts as done. An AuthenticationError stops the run: every other call would get it too.

Ctrl-C (SIGINT) stops handing out ids; the calls in flight finish and are reported (and journaled), then the
run ends as interrupted. A second Ctrl-C abandons the calls in flight: their outcome is unknown, so they are
not journaled, and a resumed run sends them again (where "already in that state" then counts as done).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from .._spec import Operation
from ..customer import AsyncCustomerApi
from ..errors import ApiError, AuthenticationError, CustomerStateError, TatumError
from .errors import code, with_request_id

Result = Literal["done", "already", "failed"]


@dataclass(frozen=True)
class Outcome:
    """How the call for one id ended."""

    id: str
    result: Result
    error_code: str | None = None
    message: str | None = None
    request_id: str | None = None
    """The API's id of the failed call's answer (`x-request-id`): what Tatum's support asks for."""

    def to_dict(self) -> dict[str, str]:
        """The outcome as a JSON line (and journal record): `{"id": ..., "result": ...}`, plus `errorCode`,
        `message` and `requestId` if any."""
        data = {"id": self.id, "result": self.result}
        if self.error_code is not None:
            data["errorCode"] = self.error_code
        if self.message is not None:
            data["message"] = self.message
        if self.request_id is not None:
            data["requestId"] = self.request_id
        return data

    def reason(self) -> str:
        """Why it failed, for a person: the message and the request id."""
        return with_request_id(self.message or "", self.request_id)


@dataclass
class Summary:
    """What a bulk run did."""

    to_send: int
    done: int = 0
    already: int = 0
    failed: list[Outcome] = field(default_factory=list)
    credits: int = 0
    interrupted: bool = False
    fatal: AuthenticationError | None = None
    """The error that stopped the run, if one did."""

    @property
    def finished(self) -> int:
        return self.done + self.already + len(self.failed)

    @property
    def not_sent(self) -> int:
        """Ids whose call never ended: not sent after Ctrl-C or a fatal error (or abandoned in flight)."""
        return self.to_send - self.finished

    def add(self, outcome: Outcome) -> None:
        if outcome.result == "done":
            self.done += 1
        elif outcome.result == "already":
            self.already += 1
        else:
            self.failed.append(outcome)


async def change_state(api: AsyncCustomerApi, operation: Operation, id: str) -> Outcome:
    """Call the state change `operation` for one id; AuthenticationError is raised, every other error is a
    failed outcome."""
    method = getattr(api, operation.name)
    try:
        await method(id)
    except AuthenticationError:
        raise
    except CustomerStateError as error:
        if error.error_code == operation.already_in_state:
            return Outcome(id, "already", error.error_code)
        return _failed(id, error)
    except TatumError as error:
        return _failed(id, error)
    return Outcome(id, "done")


def _failed(id: str, error: TatumError) -> Outcome:
    if isinstance(error, ApiError):
        return Outcome(id, "failed", code(error), error.message, error.request_id)
    return Outcome(id, "failed", type(error).__name__, str(error))  # its text has any request id


class _RateColumn(ProgressColumn):
    """Calls finished per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f}/s", style="progress.data.speed")


def progress_bar(console: Console, redirect_stdout: bool) -> Progress:
    """The bar a terminal shows during a run: done / total, rate, time left.

    `redirect_stdout`: print what is written to standard output above the bar; only when standard output is
    the same terminal (otherwise it is data going to a file or a pipe, and must stay there).
    """
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        redirect_stdout=redirect_stdout,
        redirect_stderr=False,
    )


class Interrupts:
    """Ctrl-C during a run: the first sets `stop`, the second cancels the run's task."""

    def __init__(self, notify: Callable[[str], None]) -> None:
        self.stop = asyncio.Event()
        self._notify = notify
        self._task: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def handling(self, task: asyncio.Task[None]) -> Iterator[None]:
        self._task = task
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, self._interrupted)
        except (NotImplementedError, RuntimeError):  # no signal handlers on this loop (Windows, a thread)
            yield
            return
        try:
            yield
        finally:
            loop.remove_signal_handler(signal.SIGINT)

    def _interrupted(self) -> None:
        if not self.stop.is_set():
            self.stop.set()
            self._notify("Interrupted: finishing the calls in flight (Ctrl-C again to abandon them)...")
        elif self._task is not None:
            self._task.cancel()


async def run(
    api: AsyncCustomerApi,
    operation: Operation,
    ids: list[str],
    concurrency: int,
    report: Callable[[Outcome], None],
    interrupts: Interrupts,
    summary: Summary,
) -> None:
    """Change the state of every id, `concurrency` at a time, reporting each outcome as it ends.

    Returns when every id is done, when `interrupts.stop` is set (after the calls in flight end), or after
    an AuthenticationError (then `summary.fatal`). A second Ctrl-C cancels it (`summary.interrupted`).
    """
    pending = iter(ids)
    stop = interrupts.stop

    async def work(limit: int | None = None) -> None:
        count = 0
        while not stop.is_set() and (limit is None or count < limit):
            id = next(pending, None)
            if id is None:
                return
            count += 1
            try:
                outcome = await change_state(api, operation, id)
            except AuthenticationError as error:
                summary.fatal = error
                stop.set()
                return
            summary.add(outcome)
            report(outcome)

    async def everything() -> None:
        await work(limit=1)  # alone: the SDK learns the key's rate from its answer
        await asyncio.gather(*(work() for _ in range(concurrency)))

    task = asyncio.ensure_future(everything())
    with interrupts.handling(task):
        try:
            await task
        except asyncio.CancelledError:
            if not stop.is_set():
                raise
    summary.interrupted = stop.is_set() and summary.fatal is None
