"""Keeping API keys out of exception text: the API itself may echo a key in an error message."""

from __future__ import annotations

from typing import Any

REDACTED = "***"


_MAX_DEPTH = 50
"""Deeper than this, a value is dropped (as "***") rather than walked: no JSON an API sends nests so deep."""


def scrub(value: Any, secrets: tuple[str, ...], depth: int = 0) -> Any:
    """`value` with every occurrence of each secret replaced, through strings, lists and dicts."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if depth >= _MAX_DEPTH and isinstance(value, list | dict):
        return REDACTED
    if isinstance(value, list):
        return [scrub(item, secrets, depth + 1) for item in value]
    if isinstance(value, dict):
        return {
            scrub(key, secrets, depth + 1): scrub(item, secrets, depth + 1) for key, item in value.items()
        }
    return value


def scrub_cut(text: str, secrets: tuple[str, ...]) -> str:
    """`text` scrubbed, for text that was cut short: a key's first characters at its very end go too."""
    text = scrub(text, secrets)
    for secret in secrets:
        for length in range(len(secret) - 1, 3, -1):
            if text.endswith(secret[:length]):
                return text[:-length] + REDACTED
    return text
