"""`tatum-sandbox` (or `python -m tatum.sandbox`): serve a local Tatum Customer API.

The first line printed is `Tatum sandbox listening on http://HOST:PORT`, flushed at once, so a script that
starts the sandbox with `--port 0` can read the URL from it.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from .limits import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_CUSTOMERS_IN_MEMORY,
    DEFAULT_MAX_CUSTOMERS_PER_LEDGER,
    DEFAULT_MAX_LEDGERS,
    DEFAULT_REQUEST_TIMEOUT,
)

# The modules of the `sandbox` extra (pyproject.toml): without one of them, say which extra to install.
_EXTRA_MODULES = {"starlette", "uvicorn", "httptools", "openapi_core", "fastjsonschema", "cachetools"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tatum-sandbox",
        description="A local, stateful Tatum Customer API, checked against the SDK's spec.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8700, help="port (default 8700; 0 picks a free one)")
    parser.add_argument(
        "--db", metavar="PATH", help="keep the state in this SQLite file (default: in memory)"
    )
    seeding = parser.add_mutually_exclusive_group()
    seeding.add_argument(
        "--seed", metavar="FILE", type=Path, help="JSON list of customers every new ledger starts with"
    )
    seeding.add_argument("--empty", action="store_true", help="new ledgers start with no customers")
    parser.add_argument(
        "--api-key",
        metavar="KEY",
        action="append",
        default=[],
        help="accept only this API key (repeatable); others, and requests without a key, get 401",
    )
    parser.add_argument(
        "--rate-limit", metavar="N", type=int, help="answer 429 past N calls per second per API key"
    )
    parser.add_argument(
        "--max-body-bytes",
        metavar="N",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        help=f"answer 413 to request bodies longer than N bytes (default {DEFAULT_MAX_BODY_BYTES})",
    )
    parser.add_argument(
        "--max-ledgers",
        metavar="N",
        type=int,
        default=DEFAULT_MAX_LEDGERS,
        help=f"keep at most N ledgers in memory (default {DEFAULT_MAX_LEDGERS}); a --db file keeps them all",
    )
    parser.add_argument(
        "--max-customers-per-ledger",
        metavar="N",
        type=int,
        default=DEFAULT_MAX_CUSTOMERS_PER_LEDGER,
        help=f"refuse (409) to create customers past N in a ledger (default {DEFAULT_MAX_CUSTOMERS_PER_LEDGER})",
    )
    parser.add_argument(
        "--max-customers-in-memory",
        metavar="N",
        type=int,
        default=DEFAULT_MAX_CUSTOMERS_IN_MEMORY,
        help=f"keep at most N customers in memory, all ledgers together (default {DEFAULT_MAX_CUSTOMERS_IN_MEMORY}); "
        "not a --db file's",
    )
    parser.add_argument(
        "--max-connections",
        metavar="N",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        help=f"keep at most N connections open; one more is closed at once (default {DEFAULT_MAX_CONNECTIONS})",
    )
    parser.add_argument(
        "--request-timeout",
        metavar="SECONDS",
        type=float,
        default=DEFAULT_REQUEST_TIMEOUT,
        help="answer 408 and close a connection whose request has not come whole in SECONDS "
        f"(default {DEFAULT_REQUEST_TIMEOUT:g})",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        from .app import Sandbox, Settings
        from .seed import DEMO_CUSTOMERS, load_seed
        from .server import listen, url_of, uvicorn_server
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in _EXTRA_MODULES:
            raise
        print(
            f'tatum-sandbox: needs the "sandbox" extra ({(error.name or "").split(".")[0]} is missing): '
            f'pip install "tatum-sdk[sandbox]"',
            file=sys.stderr,
        )
        return 2
    parser = _parser()
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be from 0 to 65535")
    try:
        seed = () if args.empty else load_seed(args.seed) if args.seed else DEMO_CUSTOMERS
    except ValueError as error:
        parser.error(str(error))
    try:
        settings = Settings(
            db=args.db or ":memory:",
            seed=seed,
            api_keys=frozenset(args.api_key),
            rate_limit=args.rate_limit,
            max_body_bytes=args.max_body_bytes,
            max_ledgers=args.max_ledgers,
            max_customers_per_ledger=args.max_customers_per_ledger,
            max_customers_in_memory=args.max_customers_in_memory,
            max_connections=args.max_connections,
            request_timeout=args.request_timeout,
        )
    except ValueError as error:
        parser.error(str(error))
    try:
        sandbox = Sandbox(settings)
    except sqlite3.Error as error:
        print(f"tatum-sandbox: cannot use the database {args.db}: {error}", file=sys.stderr)
        return 1
    try:
        sock = listen(args.host, args.port)
    except OSError as error:
        print(f"tatum-sandbox: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        sandbox.close()
        return 1
    print(f"Tatum sandbox listening on {url_of(sock)}", flush=True)
    server = uvicorn_server(sandbox, log_level="warning" if args.quiet else "info", access_log=not args.quiet)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        sandbox.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
