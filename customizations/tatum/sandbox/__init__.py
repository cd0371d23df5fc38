"""A local, stateful Tatum Customer API, for demos and tests without an account or the internet.

    tatum-sandbox --port 0          # or: python -m tatum.sandbox; prints "Tatum sandbox listening on URL"
    TATUM_BASE_URL=URL python examples/customer/find_all_customers.py

Every request to `/v3/` is checked against the spec shipped in the package, so the sandbox and the client
cannot drift apart; state changes follow Tatum's rules and 403 codes (see `rules`). `/_sandbox/` routes seed
customers, reset ledgers, inject faults, set rate limits and read counters; they are not part of Tatum's API.
Needs the `sandbox` extra (`pip install tatum-sdk[sandbox]`); importing `tatum` never imports this package,
and importing this package imports the extra only when one of the names below is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Sandbox, Settings
    from .seed import DEMO_CUSTOMERS
    from .server import SandboxServer
    from .store import CustomerRecord

__all__ = ["DEMO_CUSTOMERS", "CustomerRecord", "Sandbox", "SandboxServer", "Settings"]

_HOMES = {
    "DEMO_CUSTOMERS": ".seed",
    "CustomerRecord": ".store",
    "Sandbox": ".app",
    "SandboxServer": ".server",
    "Settings": ".app",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home, __name__), name)


def __dir__() -> list[str]:
    """The module's names, with those it imports only when first used (for `dir()` and completion)."""
    return sorted({*globals(), *__all__})
