"""Deactivate a customer: it can then do no operation (all its accounts must be deactivated first).

    python examples/customer/deactivate_customer.py INTERNAL_ID     # or set TATUM_CUSTOMER_ID

Reads TATUM_API_KEY_MAINNET and TATUM_BASE_URL: point TATUM_BASE_URL at a `tatum-sandbox` to run offline.
"""

import argparse
import os
import sys

from tatum import CustomerNotFoundError, CustomerStateError, Sdk, TatumError


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Deactivate a Tatum ledger customer (2 credits); its accounts must be deactivated first."
    )
    parser.add_argument(
        "id",
        nargs="?",
        default=os.environ.get("TATUM_CUSTOMER_ID"),
        metavar="ID",
        help="the customer's internal id (default: the TATUM_CUSTOMER_ID environment variable)",
    )
    id = parser.parse_args().id
    if not id:
        parser.error("give the customer's internal id (or set TATUM_CUSTOMER_ID)")
    with Sdk() as sdk:
        api = sdk.mainnet().api().customer()
        try:
            api.deactivate_customer(id)
        except CustomerNotFoundError as error:
            print(f"No such customer: {error.message}", file=sys.stderr)
            return 1
        except CustomerStateError as error:
            print(f"Cannot deactivate customer {id} ({error.error_code}): {error.message}", file=sys.stderr)
            return 1
        except TatumError as error:
            print(f"Could not deactivate customer {id}: {error}", file=sys.stderr)
            return 1
        print(f"Customer {id} deactivated. Credits used: {sdk.mainnet().credits_used}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
