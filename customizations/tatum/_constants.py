"""Every default of the SDK, in one place (the README's table of defaults is this module)."""

from __future__ import annotations

from typing import Literal

from ._version import __version__

DEFAULT_BASE_URL = "https://api.tatum.io"
"""Tatum's API; override with `base_url=` or the TATUM_BASE_URL environment variable."""

ENV_API_KEY_MAINNET = "TATUM_API_KEY_MAINNET"
ENV_API_KEY_TESTNET = "TATUM_API_KEY_TESTNET"
ENV_BASE_URL = "TATUM_BASE_URL"
ENV_REDIS_URL = "TATUM_REDIS_URL"
ENV_LOG = "TATUM_LOG"

DEFAULT_TIMEOUT = 30.0
"""Seconds httpx may wait at each step of an attempt: to connect, for each read and write, for a pooled
connection. Not a deadline for the whole call (a slow but steady answer, or retries, can take longer)."""

DEFAULT_MAX_RETRIES = 2
"""Retries after the first attempt, so three attempts at most."""

INITIAL_RETRY_DELAY = 0.5
"""Seconds before the first retry; doubles on each further retry."""

MAX_RETRY_DELAY = 8.0
"""Cap on the exponential backoff, in seconds."""

RETRY_JITTER = 0.25
"""Each backoff delay is shortened by a random fraction up to this, so clients do not retry in lockstep."""

MAX_RETRY_AFTER = 60.0
"""The longest `Retry-After` honoured, in seconds; a server asking for more gets the error raised instead."""

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
"""Statuses worth another attempt; connection errors and timeouts are retried too."""

DEFAULT_RATE_LIMIT: Literal["auto"] = "auto"
"""Learn each API key's rate from `x-ratelimit-persec` and from 429s; calls wait their turn instead of failing."""

RATE_LIMIT_HEADER = "x-ratelimit-persec"
"""The response header in which Tatum states the key's rate: calls per second."""

RATE_LIMIT_MARGIN = 0.01
"""Seconds added to each one-second window of the limiter (1% below the plan's rate): a guard for an API whose
window is measured coarsely. Jitter on the way needs none, since each call is counted from its answer."""

RATE_LIMIT_RECOVERY = 0.1
"""After a 429 slowed the limiter down, the rate comes back up by this share of the key's rate every second
without another 429."""

MAX_RATE_LIMITED = 10
"""With the limiter on, a 429 puts the call back in line without using up `max_retries`; after this many 429s
in one call, RateLimitError is raised anyway (a key shared with clients the limiter does not know)."""

DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024
"""The largest response body read, in bytes, after decompression (a page of 50 customers is about 10 KB).
A larger success body raises UnexpectedResponseError; a larger error body is cut there."""

REQUEST_ID_HEADERS = ("x-request-id", "cf-ray")
"""Where a response's request id is read from, in order: the API's own, else Cloudflare's ray id."""

USER_AGENT = f"tatum-sdk-python/{__version__}"

ACCEPT_ENCODING = "gzip, deflate"
"""The content codings the SDK asks for: those tatum._body inflates with a bound."""

OWN_CLIENT_HEADERS = {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING}
"""The headers of the HTTP client an Sdk makes for itself; a client the user gives gets them on each request."""

LOGGER_NAME = "tatum"

BODY_EXCERPT_LENGTH = 200
"""How much of an unparseable response body an exception quotes."""
