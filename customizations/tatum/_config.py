"""Reading and checking configuration: the Sdk's (keys, base URL, timeout, retries, budget, rate limit...) and
each call's options. Every check raises ValidationError naming the option and the rule."""

from __future__ import annotations

import inspect
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import httpx

from ._constants import DEFAULT_BASE_URL, ENV_BASE_URL, ENV_REDIS_URL
from ._retry import Backoff
from ._validation import check_text, is_int, is_real
from .errors import ValidationError

RateLimit = float | Literal["auto"] | None
"""`rate_limit`: calls per second per API key, "auto" (learnt from the API), or None (no client-side limit)."""


@dataclass(frozen=True)
class Settings:
    """What one Sdk (or one `with_options` copy) applies to every call, checked."""

    base_url: str
    timeout: httpx.Timeout
    max_retries: int
    credit_budget: int | None
    deadline: float | None = None
    default_headers: Mapping[str, str] = field(default_factory=dict)
    backoff: Backoff = field(default_factory=Backoff)
    max_response_bytes: int = 0
    rate_limit: RateLimit = "auto"


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
    if "?" in url or "#" in url or "@" in parts.netloc:
        # Even empty ("https://api.tatum.io/#"): every path appended after it would be lost.
        raise ValidationError(
            "base_url",
            f"must not carry a query, a fragment or credentials, not {url!r}: give the scheme, host, optional "
            "port and optional path prefix, as in https://api.tatum.io (http:// only on a loopback host)",
        )
    return url.rstrip("/")


_MAX_SECONDS = 1e9
"""The most seconds a timeout or deadline may say (about 31 years: more is "never", and breaks arithmetic)."""


def _seconds(value: object) -> bool:
    """Whether `value` is a positive, finite number of seconds, at most _MAX_SECONDS."""
    return is_real(value) and 0 < value <= _MAX_SECONDS


def timeout(value: float | httpx.Timeout) -> httpx.Timeout:
    rule = (
        f"must be a number of seconds from 0 to {_MAX_SECONDS:g} (not 0), or an httpx.Timeout of such numbers"
    )
    if isinstance(value, httpx.Timeout):
        if not all(part is None or _seconds(part) for part in value.as_dict().values()):
            raise ValidationError("timeout", f"{rule}, not {value!r}")
        return value
    if not _seconds(value):
        raise ValidationError("timeout", f"{rule}, not {value!r}")
    return httpx.Timeout(float(value))


def deadline(value: float | None) -> float | None:
    """Seconds a whole call may take (attempts, retry waits, rate-limit waits); None: no deadline."""
    if value is not None and not _seconds(value):
        raise ValidationError(
            "deadline",
            f"must be None or a number of seconds from 0 to {_MAX_SECONDS:g} (not 0), not {value!r}",
        )
    return None if value is None else float(value)


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Headers the SDK owns: the key (one per request, never two), the request's framing, and the codings it reads.
_RESERVED_HEADERS = frozenset(
    {"x-api-key", "host", "content-length", "transfer-encoding", "connection", "accept-encoding"}
)


def headers(argument: str, value: Mapping[str, str] | None) -> dict[str, str]:
    """Extra request headers: names as HTTP tokens, values printable ASCII; never the key or the framing."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(
            argument, f"must be a mapping of header names to values, not {type(value).__name__}"
        )
    checked = {}
    for name, text in value.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ValidationError(argument, f"{name!r} is not a valid header name")
        if name.lower() in _RESERVED_HEADERS:
            raise ValidationError(argument, f"{name} cannot be set per call: the SDK sets it")
        if not isinstance(text, str) or not (text.isascii() and (text.isprintable() or text == "")):
            raise ValidationError(argument, f"header {name}: the value must be a str of printable ASCII")
        checked[name] = text
    return checked


def query(argument: str, value: Mapping[str, str] | None, taken: frozenset[str]) -> dict[str, str]:
    """Extra query parameters (str to str); never one the operation or the SDK sets (`taken`)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(argument, f"must be a mapping of names to values, not {type(value).__name__}")
    checked = {}
    for name, text in value.items():
        if not isinstance(name, str) or not name or not isinstance(text, str):
            raise ValidationError(argument, f"names and values must be non-empty str, not {name!r}: {text!r}")
        if name in taken:
            raise ValidationError(argument, f"{name} is set by the SDK (from the method's arguments)")
        check_text(f"{argument}[{name!r}]", name)
        check_text(f"{argument}[{name!r}]", text)
        checked[name] = text
    return checked


def max_response_bytes(value: int) -> int:
    if not is_int(value) or not 1 <= value <= 1 << 30:
        raise ValidationError(
            "max_response_bytes", f"must be an int from 1 to 1 GiB (1073741824), not {value!r}"
        )
    return value


def rate_limit(value: RateLimit) -> RateLimit:
    if value is None or value == "auto":
        return value
    if not is_real(value) or not 0.001 <= value <= 1e6:
        raise ValidationError(
            "rate_limit",
            f'must be "auto", None or a number of calls per second from 0.001 to 1e6, not {value!r}',
        )
    return float(value)


def redis_url(given: str | None) -> str | None:
    """The Redis URL given, else TATUM_REDIS_URL; None when neither is set."""
    url = given if given is not None else os.environ.get(ENV_REDIS_URL) or None
    if url is None:
        return None
    rule = "must be redis://[user:password@]host[:port][/db], rediss://... or unix:///path/to/socket"
    if not isinstance(url, str):
        raise ValidationError("redis_url", rule)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number in 0..65535)
    except ValueError:
        raise ValidationError("redis_url", rule) from None
    database = parts.path.lstrip("/")
    if parts.scheme in ("redis", "rediss"):
        if not parts.hostname or (database and not database.isdecimal()):
            raise ValidationError("redis_url", rule)
    elif parts.scheme != "unix" or not parts.path:
        raise ValidationError("redis_url", rule)
    return url


def max_retries(value: int) -> int:
    if not is_int(value) or value < 0:
        raise ValidationError("max_retries", f"must be an int >= 0, not {value!r}")
    return value


def credit_budget(value: int | None) -> int | None:
    if value is not None and (not is_int(value) or value < 0):
        raise ValidationError("credit_budget", f"must be None or an int >= 0, not {value!r}")
    return value


def sleep(value: object, *, coroutine: bool) -> None:
    """`sleep` must be a plain function for Sdk and a coroutine function for AsyncSdk."""
    if not callable(value) or inspect.iscoroutinefunction(value) != coroutine:
        kind = "a coroutine function (like asyncio.sleep)" if coroutine else "a function (like time.sleep)"
        raise ValidationError("sleep", f"must be {kind}")
