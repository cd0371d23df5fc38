"""The Customer API: the seven operations of the PHP SDK's CustomerApi, in snake_case, plus pagination.

Reached as `sdk.mainnet().api().customer()` (or `.testnet()`); `AsyncCustomerApi` is the same with coroutines.
Every method checks its arguments before sending (ValidationError), may refuse to spend past the Sdk's
credit budget (CreditBudgetExceededError), retries what is worth retrying, and raises the typed errors of
`tatum.errors`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx
from tatum_client import Client
from tatum_client.api.customer import (
    activate_customer,
    deactivate_customer,
    disable_customer,
    enable_customer,
    find_all_customers,
    get_customer_by_external_or_internal_id,
    update_customer,
)
from tatum_client.models import Customer, CustomerUpdate
from tatum_client.types import UNSET

from ._operation import operation, twin
from ._spec import CUSTOMER_FIELDS, OPERATIONS, snake_case
from ._transport import AsyncTransport, SyncTransport, Transport
from ._validation import check_parameters, customer_update

__all__ = ["AsyncCustomerApi", "CustomerApi"]

# The generated parsers take a client only to read `raise_on_unexpected_status`; they are called on success
# statuses alone, so an unused client serves.
_PARSER_CLIENT = Client(base_url="")

# The four state changes: generated module, and the 403 errorCode saying "already in the target state".
_STATE_CHANGES = {
    "activate_customer": (activate_customer, "customer.active"),
    "deactivate_customer": (deactivate_customer, "customer.inactive"),
    "enable_customer": (enable_customer, "customer.enabled"),
    "disable_customer": (disable_customer, "customer.disabled"),
}

_FIND_ALL = OPERATIONS["find_all_customers"]
_GET = OPERATIONS["get_customer_by_external_or_internal_id"]
_UPDATE = OPERATIONS["update_customer"]


# Building requests (checked, then shaped by the generated client) and reading responses: shared by both APIs.


def _find_all_request(page_size: int, offset: int | None) -> dict[str, Any]:
    check_parameters(_FIND_ALL, {"pageSize": page_size, "offset": offset})
    return find_all_customers._get_kwargs(page_size=page_size, offset=UNSET if offset is None else offset)


def _get_request(id: str) -> dict[str, Any]:
    check_parameters(_GET, {"id": id})
    return get_customer_by_external_or_internal_id._get_kwargs(id)


def _update_request(id: str, update: CustomerUpdate | Mapping[str, Any]) -> dict[str, Any]:
    check_parameters(_UPDATE, {"id": id})
    return update_customer._get_kwargs(id, body=customer_update("customer_update", update))


def _state_request(name: str, id: str) -> tuple[dict[str, Any], str]:
    module, goal_code = _STATE_CHANGES[name]
    check_parameters(OPERATIONS[name], {"id": id})
    return module._get_kwargs(id), goal_code


# What a broken body can make the generated parsers raise (RecursionError: absurdly nested JSON).
_PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, RecursionError)
_JSON_TYPES: dict[str, type] = {"string": str, "boolean": bool, "integer": int}
# (API name, attribute, required, Python type) of each Customer property, from the spec.
_CUSTOMER_CHECKS = [
    (name, snake_case(name), limits.required, _JSON_TYPES[limits.type])
    for name, limits in CUSTOMER_FIELDS.items()
    if limits.type in _JSON_TYPES
]


def _contract_breach(customer: Customer) -> str | None:
    """What makes a parsed Customer break the spec (the generated parser checks presence, not types)."""
    for name, attribute, required, kind in _CUSTOMER_CHECKS:
        value = getattr(customer, attribute)
        if value is None or value is UNSET:
            if required:
                return f"customer field {name} is null"
        elif not isinstance(value, kind):
            return f"customer field {name} is a {type(value).__name__}, not a {kind.__name__}"
    return None


def _customers(transport: Transport, response: httpx.Response) -> list[Customer]:
    try:
        parsed = find_all_customers._parse_response(client=_PARSER_CLIENT, response=response)
    except _PARSE_ERRORS as error:
        reason = f"not a list of customers ({type(error).__name__}: {error})"
        raise transport.unexpected(reason, response) from error
    if not isinstance(parsed, list):
        raise transport.unexpected("not a list of customers", response)
    for customer in parsed:
        breach = _contract_breach(customer)
        if breach is not None:
            raise transport.unexpected(breach, response)
    return parsed


def _customer(transport: Transport, response: httpx.Response) -> Customer:
    parse = get_customer_by_external_or_internal_id._parse_response
    try:
        parsed = parse(client=_PARSER_CLIENT, response=response)
    except _PARSE_ERRORS as error:
        raise transport.unexpected(f"not a customer ({type(error).__name__}: {error})", response) from error
    if not isinstance(parsed, Customer):
        raise transport.unexpected("not a customer", response)
    breach = _contract_breach(parsed)
    if breach is not None:
        raise transport.unexpected(breach, response)
    return parsed


class CustomerApi:
    """The Customer API on one network. Get it from `sdk.mainnet().api().customer()`."""

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<CustomerApi {self._transport.network}>"

    @operation
    def find_all_customers(self, page_size: int, offset: int | None = None) -> list[Customer]:
        """List customers, one page: at most `page_size` (1..50) of them, skipping the first `offset`.

        Inactive and disabled customers are listed too. Credits: {credits} per call.
        For every customer, page after page, use `iter_customers()`.
        """
        return _customers(
            self._transport, self._transport.send(_FIND_ALL, _find_all_request(page_size, offset))
        )

    @operation
    def get_customer_by_external_or_internal_id(self, id: str) -> Customer:
        """Get a customer by its external ID (yours) or its internal ID (Tatum's, needed by the other methods).

        `id` is 1..100 characters. Credits: {credits} per call.
        """
        return _customer(self._transport, self._transport.send(_GET, _get_request(id)))

    @operation
    def update_customer(self, id: str, customer_update: CustomerUpdate | Mapping[str, Any]) -> Customer:
        """Update a customer's external ID, accounting currency or countries; returns the updated customer.

        `id` is the internal ID (10..50 characters). `customer_update` is a CustomerUpdate or a mapping with
        the API's field names (`{"externalId": "x", "accountingCurrency": "USD"}`); `externalId` is required,
        fields left out are not changed. Codes are checked against the FiatCurrency and CountryCode enums.
        Credits: {credits} per call.
        """
        return _customer(self._transport, self._transport.send(_UPDATE, _update_request(id, customer_update)))

    @operation
    def activate_customer(self, id: str) -> None:
        """Activate a customer: an active customer can do any operation. `id` is the internal ID.

        Credits: {credits} per call. If a retry follows an attempt whose outcome is unknown and the API answers
        `customer.active`, the earlier attempt did it and this returns normally.
        """
        self._change_state("activate_customer", id)

    @operation
    def deactivate_customer(self, id: str) -> None:
        """Deactivate a customer: it can then do no operation. Only possible once all its accounts are
        deactivated. `id` is the internal ID.

        Credits: {credits} per call. After an attempt with an unknown outcome, `customer.inactive` counts as done.
        """
        self._change_state("deactivate_customer", id)

    @operation
    def enable_customer(self, id: str) -> None:
        """Enable a customer: it can perform all operations again and its blocked balances are unblocked
        (customers are enabled by default). `id` is the internal ID.

        Credits: {credits} per call. After an attempt with an unknown outcome, `customer.enabled` counts as done.
        """
        self._change_state("enable_customer", id)

    @operation
    def disable_customer(self, id: str) -> None:
        """Disable a customer: no end-user operations (new accounts, transactions); the available balance of
        all its accounts is set to 0, the account balance stays. `id` is the internal ID.

        Credits: {credits} per call. After an attempt with an unknown outcome, `customer.disabled` counts as done.
        """
        self._change_state("disable_customer", id)

    def iter_customers(self, page_size: int = 50) -> Iterator[Customer]:
        """Every customer, fetching pages of `page_size` lazily, as you iterate; stops after the first short page.

        Holds one page in memory at a time. Each page is one `find_all_customers` call (and its credits).
        """
        check_parameters(_FIND_ALL, {"pageSize": page_size})
        return self._pages(page_size)

    def _pages(self, page_size: int) -> Iterator[Customer]:
        offset = 0
        while True:
            page = self.find_all_customers(page_size, offset)
            count = len(page)
            yield from page
            del page  # let the page go before the next one is fetched
            if count < page_size:
                return
            offset += count

    def _change_state(self, name: str, id: str) -> None:
        kwargs, goal_code = _state_request(name, id)
        self._transport.send(OPERATIONS[name], kwargs, goal_code)


class AsyncCustomerApi:
    """The Customer API on one network, with coroutines. Get it from `async_sdk.mainnet().api().customer()`."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<AsyncCustomerApi {self._transport.network}>"

    @twin(CustomerApi.find_all_customers)
    async def find_all_customers(self, page_size: int, offset: int | None = None) -> list[Customer]:
        response = await self._transport.send(_FIND_ALL, _find_all_request(page_size, offset))
        return _customers(self._transport, response)

    @twin(CustomerApi.get_customer_by_external_or_internal_id)
    async def get_customer_by_external_or_internal_id(self, id: str) -> Customer:
        return _customer(self._transport, await self._transport.send(_GET, _get_request(id)))

    @twin(CustomerApi.update_customer)
    async def update_customer(self, id: str, customer_update: CustomerUpdate | Mapping[str, Any]) -> Customer:
        response = await self._transport.send(_UPDATE, _update_request(id, customer_update))
        return _customer(self._transport, response)

    @twin(CustomerApi.activate_customer)
    async def activate_customer(self, id: str) -> None:
        await self._change_state("activate_customer", id)

    @twin(CustomerApi.deactivate_customer)
    async def deactivate_customer(self, id: str) -> None:
        await self._change_state("deactivate_customer", id)

    @twin(CustomerApi.enable_customer)
    async def enable_customer(self, id: str) -> None:
        await self._change_state("enable_customer", id)

    @twin(CustomerApi.disable_customer)
    async def disable_customer(self, id: str) -> None:
        await self._change_state("disable_customer", id)

    def aiter_customers(self, page_size: int = 50) -> AsyncIterator[Customer]:
        """Every customer, fetching pages of `page_size` lazily, as you iterate (`async for`); stops after the
        first short page. Holds one page in memory at a time; each page costs one `find_all_customers` call."""
        check_parameters(_FIND_ALL, {"pageSize": page_size})
        return self._pages(page_size)

    async def _pages(self, page_size: int) -> AsyncIterator[Customer]:
        offset = 0
        while True:
            page = await self.find_all_customers(page_size, offset)
            count = len(page)
            for customer in page:
                yield customer
            del page
            if count < page_size:
                return
            offset += count

    async def _change_state(self, name: str, id: str) -> None:
        kwargs, goal_code = _state_request(name, id)
        await self._transport.send(OPERATIONS[name], kwargs, goal_code)
