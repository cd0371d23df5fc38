"""The Customer API: the seven operations of the PHP SDK's CustomerApi, in snake_case, plus pagination.

Reached as `sdk.mainnet().api().customer()` (or `.testnet()`); `AsyncCustomerApi` is the same with coroutines.
Every method checks its arguments before sending (ValidationError), may refuse to spend past the Sdk's
credit budget (CreditBudgetExceededError), retries what is worth retrying, and raises the typed errors of
`tatum.errors`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from types import ModuleType
from typing import Any

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
from ._pipeline import AsyncPipeline, Call, SyncPipeline
from ._spec import OPERATIONS
from ._validation import check_parameters, customer_update

__all__ = ["AsyncCustomerApi", "CustomerApi"]

_FIND_ALL = OPERATIONS["find_all_customers"]
_GET = OPERATIONS["get_customer_by_external_or_internal_id"]
_UPDATE = OPERATIONS["update_customer"]


# The calls, checked and built by the generated client: shared by both APIs.


def _find_all(page_size: int, offset: int | None) -> Call[list[Customer]]:
    check_parameters(_FIND_ALL, {"pageSize": page_size, "offset": offset})
    request = find_all_customers.build_request(
        page_size=page_size, offset=UNSET if offset is None else offset
    )
    return Call(_FIND_ALL, request, find_all_customers.parse_success, "a list of customers")


def _get(id: str) -> Call[Customer]:
    check_parameters(_GET, {"id": id})
    request = get_customer_by_external_or_internal_id.build_request(id)
    return Call(_GET, request, get_customer_by_external_or_internal_id.parse_success, "a customer")


def _update(id: str, update: CustomerUpdate | Mapping[str, Any]) -> Call[Customer]:
    check_parameters(_UPDATE, {"id": id})
    request = update_customer.build_request(id, body=customer_update("customer_update", update))
    return Call(_UPDATE, request, update_customer.parse_success, "a customer")


def _change_state(module: ModuleType, id: str) -> Call[None]:
    """A state change: `module` is its generated module, named as the SDK method (`activate_customer`)."""
    operation = OPERATIONS[module.__name__.rpartition(".")[2]]
    check_parameters(operation, {"id": id})
    return Call(operation, module.build_request(id), module.parse_success, "no content")


class CustomerApi:
    """The Customer API on one network. Get it from `sdk.mainnet().api().customer()`."""

    def __init__(self, pipeline: SyncPipeline) -> None:
        self._pipeline = pipeline

    def __repr__(self) -> str:
        return f"<CustomerApi {self._pipeline.network}>"

    @operation
    def find_all_customers(self, page_size: int, offset: int | None = None) -> list[Customer]:
        """List customers, one page: at most `page_size` (1..50) of them, skipping the first `offset`.

        Inactive and disabled customers are listed too. Credits: {credits} per call.
        For every customer, page after page, use `iter_customers()`.
        """
        return self._pipeline.send(_find_all(page_size, offset))

    @operation
    def get_customer_by_external_or_internal_id(self, id: str) -> Customer:
        """Get a customer by its external ID (yours) or its internal ID (Tatum's, needed by the other methods).

        `id` is 1..100 characters. Credits: {credits} per call.
        """
        return self._pipeline.send(_get(id))

    @operation
    def update_customer(self, id: str, customer_update: CustomerUpdate | Mapping[str, Any]) -> Customer:
        """Update a customer's external ID, accounting currency or countries; returns the updated customer.

        `id` is the internal ID (10..50 characters). `customer_update` is a CustomerUpdate or a mapping with
        the API's field names (`{"externalId": "x", "accountingCurrency": "USD"}`); `externalId` is required,
        fields left out are not changed. Codes are checked against the FiatCurrency and CountryCode enums.
        Credits: {credits} per call.
        """
        return self._pipeline.send(_update(id, customer_update))

    @operation
    def activate_customer(self, id: str) -> None:
        """Activate a customer: an active customer can do any operation. `id` is the internal ID.

        Credits: {credits} per call. If a retry follows an attempt whose outcome is unknown and the API answers
        `customer.active`, the earlier attempt did it and this returns normally.
        """
        self._pipeline.send(_change_state(activate_customer, id))

    @operation
    def deactivate_customer(self, id: str) -> None:
        """Deactivate a customer: it can then do no operation. Only possible once all its accounts are
        deactivated. `id` is the internal ID.

        Credits: {credits} per call. After an attempt with an unknown outcome, `customer.inactive` counts as done.
        """
        self._pipeline.send(_change_state(deactivate_customer, id))

    @operation
    def enable_customer(self, id: str) -> None:
        """Enable a customer: it can perform all operations again and its blocked balances are unblocked
        (customers are enabled by default). `id` is the internal ID.

        Credits: {credits} per call. After an attempt with an unknown outcome, `customer.enabled` counts as done.
        """
        self._pipeline.send(_change_state(enable_customer, id))

    @operation
    def disable_customer(self, id: str) -> None:
        """Disable a customer: no end-user operations (new accounts, transactions); the available balance of
        all its accounts is set to 0, the account balance stays. `id` is the internal ID.

        Credits: {credits} per call. After an attempt with an unknown outcome, `customer.disabled` counts as done.
        """
        self._pipeline.send(_change_state(disable_customer, id))

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


class AsyncCustomerApi:
    """The Customer API on one network, with coroutines. Get it from `async_sdk.mainnet().api().customer()`."""

    def __init__(self, pipeline: AsyncPipeline) -> None:
        self._pipeline = pipeline

    def __repr__(self) -> str:
        return f"<AsyncCustomerApi {self._pipeline.network}>"

    @twin(CustomerApi.find_all_customers)
    async def find_all_customers(self, page_size: int, offset: int | None = None) -> list[Customer]:
        return await self._pipeline.send(_find_all(page_size, offset))

    @twin(CustomerApi.get_customer_by_external_or_internal_id)
    async def get_customer_by_external_or_internal_id(self, id: str) -> Customer:
        return await self._pipeline.send(_get(id))

    @twin(CustomerApi.update_customer)
    async def update_customer(self, id: str, customer_update: CustomerUpdate | Mapping[str, Any]) -> Customer:
        return await self._pipeline.send(_update(id, customer_update))

    @twin(CustomerApi.activate_customer)
    async def activate_customer(self, id: str) -> None:
        await self._pipeline.send(_change_state(activate_customer, id))

    @twin(CustomerApi.deactivate_customer)
    async def deactivate_customer(self, id: str) -> None:
        await self._pipeline.send(_change_state(deactivate_customer, id))

    @twin(CustomerApi.enable_customer)
    async def enable_customer(self, id: str) -> None:
        await self._pipeline.send(_change_state(enable_customer, id))

    @twin(CustomerApi.disable_customer)
    async def disable_customer(self, id: str) -> None:
        await self._pipeline.send(_change_state(disable_customer, id))

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
