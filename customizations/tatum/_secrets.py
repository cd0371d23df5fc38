"""Keeping API keys out of exception text: the API itself may echo a key in an error message."""

from __future__ import annotations

from typing import Any

REDACTED = "***"


def scrub(value: Any, secrets: tuple[str, ...]) -> Any:
    """`value` with every occurrence of each secret replaced, through strings, lists and dicts."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, list):
        return [scrub(item, secrets) for item in value]
    if isinstance(value, dict):
        return {scrub(key, secrets): scrub(item, secrets) for key, item in value.items()}
    return value
