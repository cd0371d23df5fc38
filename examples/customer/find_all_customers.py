"""List customers, one page: `find_all_customers(page_size, offset)`.

    python examples/customer/find_all_customers.py [PAGE_SIZE [OFFSET]]

Reads TATUM_API_KEY_MAINNET and TATUM_BASE_URL: point TATUM_BASE_URL at a `tatum-sandbox` to run offline.
"""

import argparse
import sys

from tatum import Sdk, TatumError, ValidationError


def main() -> int:
    parser = argparse.ArgumentParser(description="List Tatum ledger customers, one page (1 credit).")
    parser.add_argument(
        "page_size", nargs="?", type=int, default=10, help="customers per page, 1..50 (default 10)"
    )
    parser.add_argument("offset", nargs="?", type=int, default=0, help="customers to skip (default 0)")
    args = parser.parse_args()
    page_size, offset = args.page_size, args.offset
    with Sdk() as sdk:
        api = sdk.mainnet().api().customer()
        try:
            customers = api.find_all_customers(page_size, offset=offset)
        except ValidationError as error:
            print(f"Invalid input, nothing sent: {error}", file=sys.stderr)
            return 2
        except TatumError as error:
            print(f"Could not list customers: {error}", file=sys.stderr)
            return 1
        print(f"{'id':<24}  {'external id':<14} {'active':<6} {'enabled':<7} currency country")
        for customer in customers:
            print(
                f"{customer.id:<24}  {customer.external_id:<14} {customer.active!s:<6} {customer.enabled!s:<7} "
                f"{customer.accounting_currency or '-':<8} {customer.customer_country or '-'}"
            )
        print(
            f"{len(customers)} customer(s) from offset {offset}; credits used: {sdk.mainnet().credits_used}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
