"""The sandbox's bounds that the command line also names (no third-party import here: `tatum-sandbox` reads
them before it knows whether the `sandbox` extra is installed)."""

DEFAULT_MAX_BODY_BYTES = 64 * 1024
"""`--max-body-bytes`' default: a CustomerUpdate or a control body is well under 1 KiB."""
DEFAULT_MAX_LEDGERS = 1000
"""`--max-ledgers`' default: a ledger of the demo customers takes about 15 KiB."""
DEFAULT_MAX_CUSTOMERS_PER_LEDGER = 10_000
"""`--max-customers-per-ledger`' default: many pages of 50, far more than a test creates."""
DEFAULT_MAX_CUSTOMERS_IN_MEMORY = 50_000
"""`--max-customers-in-memory`' default: `DEFAULT_MAX_LEDGERS` ledgers of the 36 demo customers fit (15 MB),
and customers with the longest fields take about 600 bytes each (30 MB)."""
DEFAULT_MAX_CONNECTIONS = 256
"""`--max-connections`' default: a connection holds at most a request head and a body (64 KiB each by
default) while it is read, so open connections hold at most about 50 MB."""
DEFAULT_REQUEST_TIMEOUT = 10.0
"""`--request-timeout`' default: seconds to receive a whole request (head and body) from its first byte, or
from the opening of the connection for its first request."""
MAX_PER_SECOND = 100_000
"""The highest rate limit a ledger can have (its window holds that many timestamps)."""
