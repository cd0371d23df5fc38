"""Reading one header of a response, for the headers every answer is looked at for (the stated rate, the
request id, Content-Encoding, Retry-After).

httpx's `Headers.get` finds an absent header by raising and catching a KeyError, which costs more than the
lookup itself, and most of these headers are absent from most answers; `Headers.get_list` does not raise.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name` (case-insensitive in httpx.Headers; repeated ones joined with ", ", as
    httpx does), or None."""
    if isinstance(headers, httpx.Headers):
        values = headers.get_list(name)
        return ", ".join(values) if values else None
    return headers.get(name)
