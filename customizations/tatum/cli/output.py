"""What the commands print: tables for a person on a terminal, JSON lines or CSV for a program.

Standard output carries the data (a table, or one JSON object a line with the API's field names); standard
error carries what a person reads beside it (estimates, progress, summaries). Colour only on a terminal,
never with NO_COLOR set (Rich honours both). Text from the API reaches a terminal escaped, and is never read
as Rich markup (`safe`); JSON lines keep it exact.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable, Mapping
from typing import IO, Any

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from tatum_client.models import Customer

from .._spec import fields_of
from .._validation import check_text
from ..errors import ValidationError
from . import safe
from .errors import Failure

CUSTOMER_FIELDS: tuple[str, ...] = tuple(fields_of("Customer"))
"""The Customer fields of the spec, in its order: table columns and CSV headers."""


def is_terminal(stream: IO[str]) -> bool:
    """Whether a person is reading `stream` (a TTY)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def wants_json(json_flag: bool, stream: IO[str] | None = None) -> bool:
    """JSON lines with `--json`, or whenever standard output is not a terminal."""
    return json_flag or not is_terminal(stream or sys.stdout)


def console(stream: IO[str] | None = None) -> Console:
    """A Rich console writing to `stream` (default standard output; standard error for `stderr()`); strings it
    prints are never read as markup or emoji codes."""
    return Console(file=stream or sys.stdout, highlight=False, soft_wrap=False, markup=False, emoji=False)


def stderr() -> Console:
    """The console for what a person reads beside the data: estimates, progress, summaries."""
    return Console(file=sys.stderr, highlight=False, soft_wrap=True, markup=False, emoji=False)


def heading(name: str) -> str:
    """A column heading from an API field name: `externalId` -> `External ID`."""
    words = re.sub(r"(?<=[a-z])([A-Z])", r" \1", name).lower().split()
    words = ["ID" if word == "id" else word for word in words]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def cell(value: Any) -> Text:
    """A value in a table: yes/no for booleans, a dim dash for a missing or null field; text escaped."""
    if value is None:
        return Text("-", style="dim")
    if isinstance(value, bool):
        return Text("yes", style="green") if value else Text("no", style="red")
    return Text(safe.text(str(value)))


def customers_table(customers: Iterable[Customer], title: str | None = None) -> Table:
    """Customers as a table, one row each, a column per field of the spec."""
    table = Table(title=title, title_justify="left", caption_justify="left", header_style="bold")
    for name in CUSTOMER_FIELDS:
        # On a narrow terminal values wrap (never cut short with an ellipsis); ids stay on one line.
        title = heading(name)
        longest_word = max(len(word) for word in title.split())
        table.add_column(title, no_wrap=name == "id", overflow="fold", min_width=longest_word)
    for customer in customers:
        data = customer.to_dict()
        table.add_row(*(cell(data.get(name)) for name in CUSTOMER_FIELDS))  # cell() escapes and scrubs
    return table


def print_customers(console: Console, customers: list[Customer], caption: str) -> None:
    """Customers as a table, or, on a terminal too narrow for its columns, as one card each."""
    table = customers_table(customers)
    table.caption = caption
    unbounded = console.options.update(max_width=10_000)
    if Measurement.get(console, unbounded, table).minimum <= console.width:
        console.print(table)
        return
    for customer in customers:
        console.print(customer_card(customer))
        console.print()
    console.print(Text(caption, style="dim italic"))


def customer_card(customer: Customer) -> Table:
    """One customer as a two-column table, field and value."""
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_column(style="bold")
    table.add_column(overflow="fold")  # wrapped, never cut short, as in the table
    data = customer.to_dict()
    for name in (*CUSTOMER_FIELDS, *sorted(set(data) - set(CUSTOMER_FIELDS))):
        # A name the API may choose: scrubbed before heading() changes it; cell() scrubs the value.
        table.add_row(Text(safe.text(heading(safe.scrub(name)))), cell(data.get(name)))
    return table


def json_line(stream: IO[str], data: Mapping[str, Any]) -> None:
    """One JSON object on one line (non-ASCII kept as is, controls escaped: `safe.json_text`)."""
    stream.write(safe.json_text(data) + "\n")


class CsvWriter:
    """Customers as CSV rows under a header of the spec's field names (fields the spec lacks are left out).
    The values are exact (but for API keys: `safe`), except on a terminal, where they are escaped."""

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream, lineterminator="\n")
        self._writer.writerow(CUSTOMER_FIELDS)
        self._terminal = is_terminal(stream)

    def write(self, customer: Customer) -> None:
        """One row; `Failure` (nothing of the row written) for text UTF-8 cannot hold, which CSV cannot
        escape: a lone surrogate, which only a faulty or hostile server sends."""
        data = customer.to_dict()
        values = [_csv_value(data.get(name)) for name in CUSTOMER_FIELDS]
        if not self._terminal:
            for name, value in zip(CUSTOMER_FIELDS, values, strict=True):
                try:
                    check_text(name, value)
                except ValidationError:
                    raise Failure(
                        safe.text(
                            f"customer {customer.id!r}: its {name} holds text UTF-8 cannot encode (a lone "
                            "surrogate), which CSV cannot escape; --format jsonl writes it as a JSON escape"
                        )
                    ) from None
        self._writer.writerow(safe.text(value) if self._terminal else safe.scrub(value) for value in values)


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
