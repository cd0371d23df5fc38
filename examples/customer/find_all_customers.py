"""List customers, one page: `find_all_customers(page_size, offset)`.

    python examples/customer/find_all_customers.py [PAGE_SIZE [OFFSET]]

Reads TATUM_API_KEY_MAINNET and TATUM_BASE_URL: point TATUM_BASE_URL at a `tatum-sandbox` to run offline.
"""

import sys

from tatum import Sdk, TatumError, ValidationError


def main() -> int:
    numbers = sys.argv[1:3]
    if not all(number.isdigit() for number in numbers):
        print("usage: find_all_customers.py [PAGE_SIZE [OFFSET]]", file=sys.stderr)
        return 2
    page_size, offset = [int(number) for number in numbers] + [10, 0][len(numbers) :]
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
