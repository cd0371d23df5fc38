"""Reading and checking the Sdk's configuration: API keys, base URL, timeout, retries, budget."""

from __future__ import annotations

import inspect
import ipaddress
import math
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from ._constants import DEFAULT_BASE_URL, ENV_BASE_URL
from .errors import ValidationError


@dataclass(frozen=True)
class Settings:
    """What one Sdk (or one `with_options` copy) applies to every call, checked."""

    base_url: str
    timeout: httpx.Timeout
    max_retries: int
    credit_budget: int | None


def api_key(argument: str, given: str | None, env_var: str) -> str | None:
    """The key given, else the environment's; None when neither is set (or is empty)."""
    key = given if given is not None else os.environ.get(env_var)
    if key is None or key == "":
        return None
    if not isinstance(key, str):
        raise ValidationError(argument, f"must be a str, not {type(key).__name__}")
    if not key.isascii() or not key.isprintable() or key != key.strip():
        # The key itself is never quoted: it is a secret.
        raise ValidationError(argument, "must be printable ASCII without surrounding spaces")
    return key


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url(given: str | None) -> str:
    """The base URL given, else TATUM_BASE_URL, else Tatum's; https only, except on a loopback host."""
    url = given if given is not None else os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    if not isinstance(url, str):
        raise ValidationError("base_url", f"must be a str, not {type(url).__name__}")
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number in 0..65535)
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as error:
        raise ValidationError("base_url", f"{url!r} is not a valid URL: {error}") from None
    if parts.scheme not in ("http", "https") or not host or not url.isprintable() or " " in url:
        raise ValidationError("base_url", f"{url!r} is not an http(s) URL")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ValidationError(
            "base_url", f"must use https (plain http is allowed only on loopback), not {url!r}"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError("base_url", "must not carry a query, a fragment or credentials")
    return url.rstrip("/")


def timeout(value: float | httpx.Timeout) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ValidationError(
            "timeout", f"must be a positive, finite number of seconds or an httpx.Timeout, not {value!r}"
        )
    return httpx.Timeout(float(value))


def max_retries(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError("max_retries", f"must be an int >= 0, not {value!r}")
    return value


def credit_budget(value: int | None) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValidationError("credit_budget", f"must be None or an int >= 0, not {value!r}")
    return value


def sleep(value: object, *, coroutine: bool) -> None:
    """`sleep` must be a plain function for Sdk and a coroutine function for AsyncSdk."""
    if not callable(value) or inspect.iscoroutinefunction(value) != coroutine:
        kind = "a coroutine function (like asyncio.sleep)" if coroutine else "a function (like time.sleep)"
        raise ValidationError("sleep", f"must be {kind}")
