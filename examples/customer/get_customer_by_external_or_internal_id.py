"""Get one customer by its external id (yours) or its internal id (Tatum's).

    python examples/customer/get_customer_by_external_or_internal_id.py ID     # or set TATUM_CUSTOMER_ID

Reads TATUM_API_KEY_MAINNET and TATUM_BASE_URL: point TATUM_BASE_URL at a `tatum-sandbox` to run offline.
"""

import argparse
import os
import sys

from tatum import CustomerNotFoundError, Sdk, TatumError


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Get a Tatum ledger customer by its external or internal id (1 credit)."
    )
    parser.add_argument(
        "id",
        nargs="?",
        default=os.environ.get("TATUM_CUSTOMER_ID"),
        metavar="ID",
        help="the customer's external or internal id (default: the TATUM_CUSTOMER_ID environment variable)",
    )
    id = parser.parse_args().id
    if not id:
        parser.error("give the customer's external or internal id (or set TATUM_CUSTOMER_ID)")
    with Sdk() as sdk:
        api = sdk.mainnet().api().customer()
        try:
            customer = api.get_customer_by_external_or_internal_id(id)
        except CustomerNotFoundError as error:
            print(f"No such customer: {error.message}", file=sys.stderr)
            return 1
        except TatumError as error:
            print(f"Could not get customer {id}: {error}", file=sys.stderr)
            return 1
        print(f"Customer {customer.id} (external id {customer.external_id})")
        print(f"  active: {customer.active}, enabled: {customer.enabled}")
        print(f"  accounting currency: {customer.accounting_currency or '-'}")
        print(
            f"  customer country: {customer.customer_country or '-'}, provider: {customer.provider_country or '-'}"
        )
        print(f"Credits used: {sdk.mainnet().credits_used}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
