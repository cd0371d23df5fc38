"""The seven Customer operations and Tatum's rules for them, on one ledger.

Each operation takes the ledger and the request's validated parameters and body, and returns a `Reply` or
raises `Refusal` (a 403 with Tatum's `errorCode`). Which code when:

- an unknown id: `customer.internal.not.exists` for the five PUTs (they take internal ids only), and for GET
  when the id has the shape of an internal id (24 lowercase hex); otherwise GET says `customer.not.exists`.
- activate an active customer: `customer.active`.
- update, deactivate, enable or disable an inactive customer: `customer.inactive`.
- deactivate a customer with active accounts: `customer.deactivate.account.active`.
- enable an enabled customer: `customer.enabled`; disable a disabled one: `customer.disabled`.
- update to an external id another customer of the ledger has: `customer.exists` (a sandbox decision:
  external ids identify customers, so they stay unique within a ledger).

Every other code a rule raises is one the spec lists in the operation's `x-tatum-error-codes`, and `OPERATIONS`
holds exactly the spec's operations (tests/test_sandbox_rules.py checks both against the spec).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .seed import looks_internal
from .store import CustomerRecord, Ledger


@dataclass(frozen=True)
class Reply:
    """A successful answer: a status and a JSON body (None: no body)."""

    status: int
    body: Any = None


class Refusal(Exception):
    """A 403 answer with Tatum's error body."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"errorCode": self.error_code, "message": self.message, "statusCode": 403}


Operation = Callable[[Ledger, Mapping[str, Any], Any], Reply]

SANDBOX_ONLY_CODES = frozenset({"customer.exists"})
"""403 codes the sandbox raises that the spec does not list (documented in docs/SANDBOX.md)."""


def _internal(ledger: Ledger, id: str) -> CustomerRecord:
    customer = ledger.get(id)
    if customer is None:
        raise Refusal("customer.internal.not.exists", f"No customer with given internal ID {id} exists.")
    return customer


def _active(ledger: Ledger, id: str) -> CustomerRecord:
    customer = _internal(ledger, id)
    if not customer.active:
        raise Refusal("customer.inactive", f"Customer {id} is inactive.")
    return customer


def find_all_customers(ledger: Ledger, parameters: Mapping[str, Any], body: Any) -> Reply:
    customers = ledger.page(parameters["pageSize"], parameters.get("offset", 0))
    return Reply(200, [customer.to_api() for customer in customers])


def get_customer(ledger: Ledger, parameters: Mapping[str, Any], body: Any) -> Reply:
    id = parameters["id"]
    customer = ledger.get(id) or ledger.get_by_external_id(id)
    if customer is None:
        if looks_internal(id):
            raise Refusal("customer.internal.not.exists", f"No customer with given internal ID {id} exists.")
        raise Refusal("customer.not.exists", f"No customer with given external ID {id} exists.")
    return Reply(200, customer.to_api())


def update_customer(ledger: Ledger, parameters: Mapping[str, Any], body: Any) -> Reply:
    customer = _active(ledger, parameters["id"])
    external_id = body["externalId"]
    holder = ledger.get_by_external_id(external_id)
    if holder is not None and holder.id != customer.id:
        raise Refusal("customer.exists", f"Customer with external ID {external_id} already exists.")
    changes = {
        "external_id": external_id,
        "accounting_currency": body.get("accountingCurrency", customer.accounting_currency),
        "customer_country": body.get("customerCountry", customer.customer_country),
        "provider_country": body.get("providerCountry", customer.provider_country),
    }
    updated = replace(customer, **changes)
    ledger.save(updated)
    return Reply(200, updated.to_api())


def activate_customer(ledger: Ledger, parameters: Mapping[str, Any], body: Any) -> Reply:
    customer = _internal(ledger, parameters["id"])
    if customer.active:
        raise Refusal("customer.active", f"Customer {customer.id} is already active.")
    ledger.save(replace(customer, active=True))
    return Reply(204)


def deactivate_customer(ledger: Ledger, parameters: Mapping[str, Any], body: Any) -> Reply:
    customer = _active(ledger, parameters["id"])
    if customer.active_accounts:
        raise Refusal(
            "customer.deactivate.account.active",
            f"Customer {customer.id} has {customer.active_accounts} active account(s); "
            "deactivate them first.",
        )
    ledger.save(replace(customer, active=False))
    return Reply(204)


def enable_customer(ledger: Ledger, parameters: Mapping[str, Any], body: Any) -> Reply:
    customer = _active(ledger, parameters["id"])
    if customer.enabled:
        raise Refusal("customer.enabled", f"Customer {customer.id} is already enabled.")
    ledger.save(replace(customer, enabled=True))
    return Reply(204)


def disable_customer(ledger: Ledger, parameters: Mapping[str, Any], body: Any) -> Reply:
    customer = _active(ledger, parameters["id"])
    if not customer.enabled:
        raise Refusal("customer.disabled", f"Customer {customer.id} is already disabled.")
    ledger.save(replace(customer, enabled=False))
    return Reply(204)


OPERATIONS: dict[str, Operation] = {
    "findAllCustomers": find_all_customers,
    "getCustomerByExternalOrInternalId": get_customer,
    "updateCustomer": update_customer,
    "activateCustomer": activate_customer,
    "deactivateCustomer": deactivate_customer,
    "enableCustomer": enable_customer,
    "disableCustomer": disable_customer,
}
"""Each operation of the spec, by operationId."""
