"""Text from outside `tatum` (the API's above all) made safe to write where a person or a program reads it.

The API controls the customers' values, the names of fields the spec lacks, error codes and messages.

- It may echo the API key back (Tatum's 401 message quotes it), and the SDK scrubs only some of what an
  error carries. So every API key set in the environment is replaced by "***" in everything `tatum` writes:
  terminal, JSON lines, CSV, journal.
- Written raw to a terminal, an ESC or a C1 character is a command to it (retitle the window, clear the
  screen, hide text), and a bidi override or a line separator makes text read as something it is not. So
  before a terminal sees such text, every character Python does not call printable is written as Python
  escapes it (`\\x1b`, `\\u202e`, `\\n`). JSON lines keep the data exact: the same characters become JSON
  escapes (`\\u001b`), so no line of JSON holds a raw control character or line separator either.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .._constants import ENV_API_KEY_MAINNET, ENV_API_KEY_TESTNET
from .._secrets import scrub as _scrub


def keys() -> tuple[str, ...]:
    """The API keys set in the environment: the secrets no output may hold."""
    found = (os.environ.get(name) for name in (ENV_API_KEY_MAINNET, ENV_API_KEY_TESTNET))
    return tuple(key for key in found if key)


def scrub(value: Any) -> Any:
    """`value` (text, or lists and dicts of it, keys included) with each API key replaced by "***"."""
    return _scrub(value, keys())


def text(value: str, *, newlines: bool = False) -> str:
    """`value` for a terminal: API keys replaced, and each character that is not printable escaped as Python
    writes it (`\\x1b`, `\\u202e`); with `newlines`, "\\n" is kept (a message of several lines)."""
    value = scrub(value)
    if value.isprintable():
        return value
    return "".join(
        char if char.isprintable() or (newlines and char == "\n") else repr(char)[1:-1] for char in value
    )


def json_text(data: Any) -> str:
    """`data` as one line of JSON, API keys replaced: non-ASCII text as it is, but every character that is not
    printable (ESC, DEL, C1, bidi overrides, U+2028, lone surrogates) as a JSON escape, which decodes to the
    same data."""
    line = json.dumps(scrub(data), ensure_ascii=False)
    if line.isprintable():
        return line
    return "".join(char if char.isprintable() else _json_escape(char) for char in line)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP: a surrogate pair, as JSON writes it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
