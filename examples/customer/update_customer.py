"""Update a customer's external id, and optionally its accounting currency and country.

    python examples/customer/update_customer.py INTERNAL_ID --external-id NEW [--currency EUR] [--country DE]

INTERNAL_ID defaults to TATUM_CUSTOMER_ID. Reads TATUM_API_KEY_MAINNET and TATUM_BASE_URL: point
TATUM_BASE_URL at a `tatum-sandbox` to run offline.
"""

import argparse
import os
import sys
from typing import Any

from tatum import CustomerNotFoundError, CustomerStateError, Sdk, TatumError, ValidationError


def main() -> int:
    parser = argparse.ArgumentParser(description="Update a Tatum ledger customer (2 credits).")
    parser.add_argument("id", nargs="?", default=os.environ.get("TATUM_CUSTOMER_ID"), help="internal id")
    parser.add_argument("--external-id", required=True, help="the customer's new external id")
    parser.add_argument("--currency", help="accounting currency (ISO-4217, such as EUR)")
    parser.add_argument("--country", help="customer country (ISO-3166-1 alpha-2, such as DE)")
    args = parser.parse_args()
    if not args.id:
        parser.error("give the customer's internal id (or set TATUM_CUSTOMER_ID)")

    # A CustomerUpdate, or a mapping with the API's field names; fields left out are not changed.
    update: dict[str, Any] = {"externalId": args.external_id}
    if args.currency:
        update["accountingCurrency"] = args.currency
    if args.country:
        update["customerCountry"] = args.country

    with Sdk() as sdk:
        api = sdk.mainnet().api().customer()
        try:
            customer = api.update_customer(args.id, update)
        except ValidationError as error:  # checked against the spec before anything is sent
            print(f"Invalid input, nothing sent: {error}", file=sys.stderr)
            return 2
        except CustomerNotFoundError as error:
            print(f"No such customer: {error.message}", file=sys.stderr)
            return 1
        except CustomerStateError as error:
            print(f"Cannot update customer {args.id} ({error.error_code}): {error.message}", file=sys.stderr)
            return 1
        except TatumError as error:
            print(f"Could not update customer {args.id}: {error}", file=sys.stderr)
            return 1
        print(
            f"Customer {customer.id} updated: external id {customer.external_id}, "
            f"currency {customer.accounting_currency or '-'}, country {customer.customer_country or '-'}"
        )
        print(f"Credits used: {sdk.mainnet().credits_used}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
