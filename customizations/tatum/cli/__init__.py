"""`tatum`: the Customer API from a shell (needs the `cli` extra: `pip install "tatum-sdk[cli]"`).

    tatum customer list                         # a table on a terminal, JSON lines when piped or with --json
    tatum customer disable --from ids.txt --journal disable.journal
    tatum customer export --format csv --output customers.csv

Keys come from TATUM_API_KEY_MAINNET / TATUM_API_KEY_TESTNET only. Importing `tatum` never imports this
package; this module imports nothing of the extra until `main()` runs, so that without it `tatum` can say
which extra to install.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

# The modules of the `cli` extra (pyproject.toml): without one of them, say which extra to install.
_EXTRA_MODULES = {"click", "rich"}


def main(argv: Sequence[str] | None = None) -> int:
    """The `tatum` console script: run the command line and return its exit status."""
    try:
        from .app import run
    except ModuleNotFoundError as error:
        missing = (error.name or "").split(".")[0]
        if missing not in _EXTRA_MODULES:
            raise
        print(
            f'tatum: needs the "cli" extra ({missing} is missing): pip install "tatum-sdk[cli]"',
            file=sys.stderr,
        )
        return 2
    return run(argv)
