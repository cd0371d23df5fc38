"""`TATUM_LOG=debug` (or `info`): the `tatum` logger prints to stderr, with no code.

DEBUG gives one record per attempt; INFO the records of retries and rate-limit waits (how long and why) and what
the rate limiter learns. Keys never appear in any record.
"""

from __future__ import annotations

import logging
import os
import sys

from ._constants import ENV_LOG, LOGGER_NAME

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def from_environment() -> None:
    """Turn the `tatum` logger on as TATUM_LOG says (unset or empty: leave logging to the application)."""
    value = os.environ.get(ENV_LOG, "").strip().lower()
    if not value:
        return
    level = _LEVELS.get(value)
    if level is None:
        print(f"tatum: {ENV_LOG}={value!r} is not one of debug, info; logging stays off", file=sys.stderr)
        return
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level)
    if not any(getattr(handler, "_tatum", False) for handler in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._tatum = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
