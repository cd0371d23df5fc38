"""Text from outside `tatum` (the API's above all) made safe to write where a person or a program reads it.

The API controls the customers' values, the names of fields the spec lacks, error codes and messages. Written
raw to a terminal, an ESC or a C1 character is a command to it (retitle the window, clear the screen, hide
text), and a bidi override or a line separator makes text read as something it is not. So before a terminal
sees such text, every character Python does not call printable is written as Python escapes it (`\\x1b`,
`\\u202e`, `\\n`). JSON lines keep the data exact: the same characters become JSON escapes (`\\u001b`), so no
line of JSON holds a raw control character or line separator either.
"""

from __future__ import annotations

import json
from typing import Any


def printable(text: str, *, newlines: bool = False) -> str:
    """`text` with each character that is not printable escaped as Python writes it (`\\x1b`, `\\u202e`);
    with `newlines`, "\\n" is kept (a message of several lines)."""
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() or (newlines and char == "\n") else repr(char)[1:-1] for char in text
    )


def json_text(data: Any) -> str:
    """`data` as one line of JSON: non-ASCII text as it is, but every character that is not printable (ESC,
    DEL, C1, bidi overrides, U+2028, lone surrogates) as a JSON escape, which decodes to the same data."""
    text = json.dumps(data, ensure_ascii=False)
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _json_escape(char) for char in text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP: a surrogate pair, as JSON writes it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
