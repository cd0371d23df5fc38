"""The ids of a bulk command: from its arguments and `--from FILE|-`, deduplicated, and checked by the SDK.

A file holds one id a line; blank lines, lines starting with `#`, and anything after ` #` on a line are
ignored. A line that is a JSON object gives its `id`, so the JSON lines of `tatum customer list --json`,
`export` or a bulk run's results can be piped in as they are. Each id is checked with the SDK's own validation
(the same code a call runs before sending), so a bad id is a usage error that names it and where it came from,
and nothing is sent.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import click

from ..customer import requests
from ..errors import ValidationError
from . import safe
from .journal import json_object

_COMMENT = re.compile(r"\s+#.*$")
_SHOWN_ERRORS = 5
"""Bad ids named in the usage error; the rest are counted."""
_SHOWN_LENGTH = 60
"""Characters of a bad id quoted in the usage error."""


@dataclass(frozen=True)
class Ids:
    """The ids to work on, each once, in the order first given."""

    ids: list[str]
    duplicates: int
    """Ids given more than once (each is sent once)."""
    where: dict[str, str]
    """Where each id was first given ("argument 2", "ids.txt line 7"), for error messages."""


def _lines(path: str) -> Iterator[tuple[int, str]]:
    """The numbered lines of a file, or of standard input for `-`; a usage error if it cannot be read."""
    name = "standard input" if path == "-" else path
    try:
        if path == "-":
            yield from enumerate(sys.stdin, 1)
            return
        with open(path, encoding="utf-8") as stream:
            yield from enumerate(stream, 1)
    except UnicodeDecodeError as error:
        raise click.UsageError(f"--from {name}: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise click.UsageError(f"--from {name}: cannot read it ({error.strerror})") from None


def parse_line(line: str) -> str | None:
    """The id on a line of an ids file, or None for a blank line or a comment; ValueError for a JSON object
    without a string `id`."""
    text = line.strip()
    if text.startswith("{"):
        data = json_object(text)
        if data is None or not isinstance(data.get("id"), str):
            raise ValueError('a JSON object, but not one with a string "id"')
        id: str = data["id"]
        return id
    text = _COMMENT.sub("", text)
    if not text or text.startswith("#"):
        return None
    return text


def collect(arguments: Sequence[str], from_file: str | None) -> Ids:
    """The ids of the arguments, then of `from_file`, each once."""
    seen: dict[str, str] = {}
    duplicates = 0

    def add(id: str, where: str) -> None:
        nonlocal duplicates
        if id in seen:
            duplicates += 1
        else:
            seen[id] = where

    for number, argument in enumerate(arguments, 1):
        add(argument, f"argument {number}")
    if from_file is not None:
        name = "stdin" if from_file == "-" else from_file
        for number, line in _lines(from_file):
            try:
                id = parse_line(line)
            except ValueError as error:
                raise click.UsageError(f"--from {name} line {number}: {error}; nothing was sent") from None
            if id is not None:
                add(id, f"{name} line {number}")
    return Ids(list(seen), duplicates, seen)


def build(method: str, id: str) -> dict[str, Any]:
    """The request the SDK method `method` would send for `id` (method, url), after the SDK's own checks of
    the id; ValidationError if it breaks them."""
    request = getattr(requests, method)(id)
    built: dict[str, Any] = request.call.request
    return built


def check(ids: Ids, method: str) -> None:
    """A usage error naming the ids the SDK method `method` would refuse, and where each was given."""
    errors = []
    for id in ids.ids:
        try:
            build(method, id)
        except ValidationError as error:
            quoted = id if len(id) <= _SHOWN_LENGTH else id[:_SHOWN_LENGTH] + "..."
            errors.append(safe.text(f"{ids.where[id]}: {quoted!r}: {error.rule}"))
    if errors:
        shown = errors[:_SHOWN_ERRORS]
        more = len(errors) - len(shown)
        if more:
            shown.append(f"... and {more} more")
        noun = "id is" if len(errors) == 1 else "ids are"
        raise click.UsageError(f"{len(errors)} {noun} not valid; nothing was sent:\n  " + "\n  ".join(shown))
