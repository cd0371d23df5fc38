"""Every default of the SDK, in one place (the README's table of defaults is this module)."""

from __future__ import annotations

from ._version import __version__

DEFAULT_BASE_URL = "https://api.tatum.io"
"""Tatum's API; override with `base_url=` or the TATUM_BASE_URL environment variable."""

ENV_API_KEY_MAINNET = "TATUM_API_KEY_MAINNET"
ENV_API_KEY_TESTNET = "TATUM_API_KEY_TESTNET"
ENV_BASE_URL = "TATUM_BASE_URL"

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

USER_AGENT = f"tatum-sdk-python/{__version__}"

LOGGER_NAME = "tatum"

BODY_EXCERPT_LENGTH = 200
"""How much of an unparseable response body an exception quotes."""
