"""One bulk state-change command (`tatum customer disable ...`), from its arguments to its exit status.

In order: collect and check the ids (a usage error names a bad one; nothing is sent), leave out those the
journal records as finished, then either print the dry run, or print the credit estimate, ask (or refuse)
above the threshold, run the calls (`bulk`) with a progress bar on a terminal, and print the summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import click
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from .._spec import Operation
from . import bulk, helptext, ids, journal, output, safe
from .errors import FAILED, INTERRUPTED, KEY_VARIABLES, OK, Failure, authentication
from .options import Options, current


@dataclass(frozen=True)
class BulkRequest:
    """The arguments of one bulk command."""

    name: str
    """The command (`disable`)."""
    operation: Operation
    id_arguments: tuple[str, ...]
    from_file: str | None
    journal_path: str | None
    concurrency: int
    confirm_above: int
    yes: bool
    as_json: bool

    def _ids(self) -> ids.Ids:
        given = ids.collect(self.id_arguments, self.from_file)
        if not given.ids:
            raise click.UsageError(
                "no ids: give them as arguments, or one a line with --from FILE (- for standard input)"
            )
        ids.check(given, self.operation.name)
        return given

    def _run(self, options: Options, base_url: str) -> journal.Run:
        return journal.Run(self.operation.name, options.network, base_url)

    def dry_run(self) -> int:
        """Print each request that would be sent and the credits they would cost; send nothing."""
        options = current()
        given = self._ids()
        base_url = options.resolved_base_url()
        finished = set()
        if self.journal_path is not None:
            finished = journal.read(self.journal_path, self._run(options, base_url))
        to_send = [id for id in given.ids if id not in finished]
        query = _network_query(options)
        as_json = output.wants_json(self.as_json)
        for id in to_send:
            request = ids.build(self.operation.name, id)
            method, url = request["method"].upper(), base_url + request["url"] + query
            if as_json:
                output.json_line(
                    sys.stdout, {"method": method, "url": url, "credits": self.operation.credits}
                )
            else:
                click.echo(safe.text(f"{method} {url}"))
        notes = _notes(given, len(given.ids) - len(to_send), self.journal_path)
        total = helptext.credits(len(to_send) * self.operation.credits)
        click.echo(
            f"Dry run: {len(to_send)} request(s), {total} ({helptext.credits(self.operation.credits)} each)"
            f"{notes}; nothing was sent.",
            err=True,
        )
        return OK

    def run(self) -> int:
        """Send the calls, after the estimate (and the question, above the threshold); the exit status."""
        options = current()
        given = self._ids()
        record = None
        if self.journal_path is not None:
            record = journal.Journal(self.journal_path, self._run(options, options.resolved_base_url()))
        try:
            return self._send(options, given, record)
        finally:
            if record is not None:
                record.close()

    def _send(self, options: Options, given: ids.Ids, record: journal.Journal | None) -> int:
        err = output.stderr()
        finished = set() if record is None else record.finished
        to_send = [id for id in given.ids if id not in finished]
        notes = _notes(given, len(given.ids) - len(to_send), self.journal_path)
        if not to_send:
            err.print(f"Nothing to send: every id is finished{notes}.")
            return OK
        estimate = len(to_send) * self.operation.credits
        err.print(
            f"{self.name}: {len(to_send)} customer(s) x {helptext.credits(self.operation.credits)} = "
            f"{helptext.credits(estimate)} at most (refusals cost none){notes}."
        )
        if not self._confirmed(estimate):
            err.print("Nothing was sent.")
            return FAILED
        as_json = output.wants_json(self.as_json)
        summary = bulk.Summary(len(to_send))
        with _progress(err, self.name, len(to_send)) as advance:

            def report(outcome: bulk.Outcome) -> None:
                entry = outcome.to_dict()
                if record is not None:
                    record.record(entry)
                if as_json:
                    output.json_line(sys.stdout, entry)
                    sys.stdout.flush()
                advance()

            interrupts = bulk.Interrupts(lambda text: err.print(text, style="yellow"))
            asyncio.run(self._calls(options, to_send, estimate, report, interrupts, summary))
        self._print_summary(summary, err if as_json else output.console(), options)
        if summary.fatal is not None:
            raise Failure(authentication(summary.fatal, options.network))
        if summary.interrupted:
            return INTERRUPTED
        return FAILED if summary.failed else OK

    async def _calls(
        self,
        options: Options,
        to_send: list[str],
        estimate: int,
        report: Callable[[bulk.Outcome], None],
        interrupts: bulk.Interrupts,
        summary: bulk.Summary,
    ) -> None:
        # The budget makes the SDK itself refuse to spend more than the estimate shown.
        sdk = options.async_sdk(credit_budget=estimate)
        network = options.network_of(sdk)
        try:
            api = network.api().customer()
            await bulk.run(api, self.operation, to_send, self.concurrency, report, interrupts, summary)
        finally:
            summary.credits = network.credits_used
            await sdk.aclose()

    def _confirmed(self, estimate: int) -> bool:
        """Whether the run may spend `estimate` credits: at or below the threshold, with --yes, or if the
        person at the terminal says so. Without a terminal to ask, a usage error says how to go ahead."""
        if self.yes or estimate <= self.confirm_above:
            return True
        if not output.is_terminal(sys.stdin):
            raise click.UsageError(
                f"this run may spend {helptext.credits(estimate)}, more than --confirm-above "
                f"{self.confirm_above}, and there is no terminal to ask: pass --yes to go ahead "
                "(or --dry-run to see the requests)"
            )
        return click.confirm(f"Spend up to {helptext.credits(estimate)}?", default=False, err=True)

    def _print_summary(self, summary: bulk.Summary, console: Console, options: Options) -> None:
        already = (self.operation.already_in_state or "").rsplit(".", 1)[-1]
        console.print(
            f"{self.name} on {options.network}: {summary.done} done, {summary.already} already {already}, "
            f"{len(summary.failed)} failed; {helptext.credits(summary.credits)} spent."
        )
        if summary.failed:
            table = Table(title="Failed", title_justify="left", header_style="bold")
            table.add_column("ID", no_wrap=True)
            table.add_column("Error", no_wrap=True)
            table.add_column("Reason")
            for outcome in summary.failed:
                table.add_row(*map(output.cell, (outcome.id, outcome.error_code, outcome.reason())))
            console.print(table)
        if summary.interrupted or summary.fatal is not None:
            what = "Interrupted" if summary.interrupted else "Stopped"
            resume = (
                f"run the same command again to send the rest (the journal {self.journal_path} has the "
                "finished ids)"
                if self.journal_path
                else "a new run sends every id again (where 'already' counts as done); --journal FILE would "
                "skip the finished ones"
            )
            console.print(
                f"{what}: {summary.finished} of {summary.to_send} finished, {summary.not_sent} not sent; {resume}."
            )


def _notes(given: ids.Ids, skipped: int, journal_path: str | None) -> str:
    notes = ""
    if given.duplicates:
        notes += f"; {given.duplicates} duplicate id(s) left out"
    if skipped:
        notes += f"; {skipped} id(s) skipped, finished in an earlier run (journal {journal_path})"
    return notes


def _network_query(options: Options) -> str:
    """The query the SDK adds on testnet without a testnet key (DESIGN.md, "Networks")."""
    if options.network == "testnet" and not os.environ.get(KEY_VARIABLES["testnet"]):
        return "?type=testnet"
    return ""


@contextlib.contextmanager
def _progress(console: Console, label: str, total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on standard error if it is a terminal; yields the function that advances it."""
    if not console.is_terminal or not output.is_terminal(sys.stderr):
        yield lambda: None
        return
    progress: Progress = bulk.progress_bar(console, redirect_stdout=output.is_terminal(sys.stdout))
    task: TaskID = progress.add_task(label, total=total)
    with progress:
        yield lambda: progress.advance(task)
