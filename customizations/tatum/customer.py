"""The Customer API: the seven operations of the PHP SDK's CustomerApi, in snake_case, plus pages.

Reached as `sdk.mainnet().api().customer()` (or `.testnet()`); `AsyncCustomerApi` is the same with coroutines,
and `api.with_raw_response` the same methods returning the `ApiResponse`. Every method checks its arguments
before sending (ValidationError), may refuse to spend past the Sdk's credit budget (CreditBudgetExceededError),
waits its turn under the key's rate limit, retries what is worth retrying, and raises the typed errors of
`tatum.errors`. Every method also takes the keyword-only options of `tatum.RequestOptions` (`timeout`,
`max_retries`, `deadline`, `extra_headers`, `extra_query`).

Each operation is written once below, as the function that checks its arguments and builds its call with the
generated client; `tatum._operation` makes the four kinds of methods from it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from functools import cached_property
from types import ModuleType
from typing import Any, Unpack

from tatum_client.api.customer import (
    activate_customer as activate_endpoint,
)
from tatum_client.api.customer import (
    deactivate_customer as deactivate_endpoint,
)
from tatum_client.api.customer import (
    disable_customer as disable_endpoint,
)
from tatum_client.api.customer import (
    enable_customer as enable_endpoint,
)
from tatum_client.api.customer import (
    find_all_customers as find_all_endpoint,
)
from tatum_client.api.customer import (
    get_customer_by_external_or_internal_id as get_endpoint,
)
from tatum_client.api.customer import (
    update_customer as update_endpoint,
)
from tatum_client.models import Customer, CustomerUpdate
from tatum_client.types import UNSET

from . import _pages
from ._operation import (
    Request,
    async_operation,
    async_raw_operation,
    sync_operation,
    sync_raw_operation,
)
from ._pages import Page
from ._pipeline import AsyncPipeline, Call, RequestOptions, SyncPipeline
from ._spec import OPERATIONS
from ._validation import check_parameters, customer_update
from .errors import ValidationError

__all__ = [
    "AsyncCustomerApi",
    "AsyncCustomerApiWithRawResponse",
    "CustomerApi",
    "CustomerApiWithRawResponse",
    "requests",
]

_FIND_ALL = OPERATIONS["find_all_customers"]
_GET = OPERATIONS["get_customer_by_external_or_internal_id"]
_UPDATE = OPERATIONS["update_customer"]


class requests:
    """Each operation, once: check the arguments, build the call with the generated client."""

    @staticmethod
    def find_all_customers(
        page_size: int, offset: int | None = None, **options: Unpack[RequestOptions]
    ) -> Request[list[Customer]]:
        """List customers, one page: at most `page_size` (1..50) of them, skipping the first `offset`.

        Inactive and disabled customers are listed too. Credits: {credits} per call.
        For every customer, page after page, use `iter_customers()` or `pages()`.
        """
        check_parameters(_FIND_ALL, {"pageSize": page_size, "offset": offset})
        request = find_all_endpoint.build_request(
            page_size=page_size, offset=UNSET if offset is None else offset
        )
        call = Call(_FIND_ALL, request, find_all_endpoint.parse_success, "a list of customers", page_size)
        return Request(call, options)

    @staticmethod
    def get_customer_by_external_or_internal_id(
        id: str, **options: Unpack[RequestOptions]
    ) -> Request[Customer]:
        """Get a customer by its external ID (yours) or its internal ID (Tatum's, needed by the other methods).

        `id` is 1..100 characters. Credits: {credits} per call.
        """
        check_parameters(_GET, {"id": id})
        call = Call(_GET, get_endpoint.build_request(id), get_endpoint.parse_success, "a customer")
        return Request(call, options)

    @staticmethod
    def update_customer(
        id: str, customer_update: CustomerUpdate | Mapping[str, Any], **options: Unpack[RequestOptions]
    ) -> Request[Customer]:
        """Update a customer's external ID, accounting currency or countries; returns the updated customer.

        `id` is the internal ID (10..50 characters). `customer_update` is a CustomerUpdate or a mapping with
        the API's field names (`{"externalId": "x", "accountingCurrency": "USD"}`); `externalId` is required,
        fields left out are not changed. Codes are checked against the FiatCurrency and CountryCode enums.
        Credits: {credits} per call.
        """
        check_parameters(_UPDATE, {"id": id})
        body = _customer_update(customer_update)
        call = Call(
            _UPDATE, update_endpoint.build_request(id, body=body), update_endpoint.parse_success, "a customer"
        )
        return Request(call, options)

    @staticmethod
    def activate_customer(id: str, **options: Unpack[RequestOptions]) -> Request[None]:
        """Activate a customer: an active customer can do any operation. `id` is the internal ID.

        Credits: {credits} per call. If a retry follows an attempt whose outcome is unknown and the API answers
        `customer.active`, the earlier attempt did it and this returns normally.
        """
        return _change_state(activate_endpoint, id, options)

    @staticmethod
    def deactivate_customer(id: str, **options: Unpack[RequestOptions]) -> Request[None]:
        """Deactivate a customer: it can then do no operation. Only possible once all its accounts are
        deactivated. `id` is the internal ID.

        Credits: {credits} per call. After an attempt with an unknown outcome, `customer.inactive` counts as done.
        """
        return _change_state(deactivate_endpoint, id, options)

    @staticmethod
    def enable_customer(id: str, **options: Unpack[RequestOptions]) -> Request[None]:
        """Enable a customer: it can perform all operations again and its blocked balances are unblocked
        (customers are enabled by default). `id` is the internal ID.

        Credits: {credits} per call. After an attempt with an unknown outcome, `customer.enabled` counts as done.
        """
        return _change_state(enable_endpoint, id, options)

    @staticmethod
    def disable_customer(id: str, **options: Unpack[RequestOptions]) -> Request[None]:
        """Disable a customer: no end-user operations (new accounts, transactions); the available balance of
        all its accounts is set to 0, the account balance stays. `id` is the internal ID.

        Credits: {credits} per call. After an attempt with an unknown outcome, `customer.disabled` counts as done.
        """
        return _change_state(disable_endpoint, id, options)


def _customer_update(value: CustomerUpdate | Mapping[str, Any]) -> CustomerUpdate:
    return customer_update("customer_update", value)


def _change_state(endpoint: ModuleType, id: str, options: Mapping[str, Any]) -> Request[None]:
    """A state change: `endpoint` is its generated module, named as the SDK method (`activate_customer`)."""
    operation = OPERATIONS[endpoint.__name__.rpartition(".")[2]]
    check_parameters(operation, {"id": id})
    return Request(Call(operation, endpoint.build_request(id), endpoint.parse_success, "no content"), options)


def _check_start(page_size: int, start_offset: int) -> None:
    """The arguments of a walk of pages: start_offset is required there (an int >= 0, unlike `offset`)."""
    if start_offset is None:
        raise ValidationError("start_offset", "must be an int >= 0, not None")
    check_parameters(_FIND_ALL, {"pageSize": page_size, "offset": start_offset})


def _customer_id(customer: Customer) -> str:
    return customer.id


class CustomerApiWithRawResponse:
    """`api.with_raw_response`: each method returns the `ApiResponse` (status, headers, request id, elapsed,
    attempts, credits, the httpx response); `.parse()` gives what the plain method returns."""

    def __init__(self, pipeline: SyncPipeline) -> None:
        self._pipeline = pipeline

    find_all_customers = sync_raw_operation(requests.find_all_customers)
    get_customer_by_external_or_internal_id = sync_raw_operation(
        requests.get_customer_by_external_or_internal_id
    )
    update_customer = sync_raw_operation(requests.update_customer)
    activate_customer = sync_raw_operation(requests.activate_customer)
    deactivate_customer = sync_raw_operation(requests.deactivate_customer)
    enable_customer = sync_raw_operation(requests.enable_customer)
    disable_customer = sync_raw_operation(requests.disable_customer)


class CustomerApi:
    """The Customer API on one network. Get it from `sdk.mainnet().api().customer()`."""

    def __init__(self, pipeline: SyncPipeline) -> None:
        self._pipeline = pipeline

    def __repr__(self) -> str:
        return f"<CustomerApi {self._pipeline.network}>"

    @cached_property
    def with_raw_response(self) -> CustomerApiWithRawResponse:
        """The same methods, returning the `ApiResponse` instead of the parsed model."""
        return CustomerApiWithRawResponse(self._pipeline)

    find_all_customers = sync_operation(requests.find_all_customers)
    get_customer_by_external_or_internal_id = sync_operation(requests.get_customer_by_external_or_internal_id)
    update_customer = sync_operation(requests.update_customer)
    activate_customer = sync_operation(requests.activate_customer)
    deactivate_customer = sync_operation(requests.deactivate_customer)
    enable_customer = sync_operation(requests.enable_customer)
    disable_customer = sync_operation(requests.disable_customer)

    def pages(
        self, page_size: int = 50, start_offset: int = 0, **options: Unpack[RequestOptions]
    ) -> Iterator[Page[Customer]]:
        """Every page of customers from `start_offset`, each fetched as you iterate (one `find_all_customers`
        call, and its credits, a page); stops after the first page that is not full.

        Each `Page` has `items`, `offset`, `next_offset` (pass it as `start_offset` to resume a job there) and
        `has_next_page()`. Raises UnexpectedResponseError if a page repeats the previous one.
        """
        _check_start(page_size, start_offset)
        raw = self.with_raw_response.find_all_customers
        return _pages.pages(
            lambda offset: raw(page_size, offset, **options), page_size, start_offset, _customer_id
        )

    def iter_customers(
        self, page_size: int = 50, start_offset: int = 0, **options: Unpack[RequestOptions]
    ) -> Iterator[Customer]:
        """Every customer from `start_offset`, fetching pages of `page_size` lazily as you iterate; stops after
        the first page that is not full. Holds one page in memory at a time; each page is one
        `find_all_customers` call (and its credits)."""
        return _pages.items(self.pages(page_size, start_offset, **options))  # checks the arguments now


class AsyncCustomerApiWithRawResponse:
    """`api.with_raw_response` of AsyncCustomerApi: coroutines returning the `ApiResponse`."""

    def __init__(self, pipeline: AsyncPipeline) -> None:
        self._pipeline = pipeline

    find_all_customers = async_raw_operation(requests.find_all_customers)
    get_customer_by_external_or_internal_id = async_raw_operation(
        requests.get_customer_by_external_or_internal_id
    )
    update_customer = async_raw_operation(requests.update_customer)
    activate_customer = async_raw_operation(requests.activate_customer)
    deactivate_customer = async_raw_operation(requests.deactivate_customer)
    enable_customer = async_raw_operation(requests.enable_customer)
    disable_customer = async_raw_operation(requests.disable_customer)


class AsyncCustomerApi:
    """The Customer API on one network, with coroutines. Get it from `async_sdk.mainnet().api().customer()`."""

    def __init__(self, pipeline: AsyncPipeline) -> None:
        self._pipeline = pipeline

    def __repr__(self) -> str:
        return f"<AsyncCustomerApi {self._pipeline.network}>"

    @cached_property
    def with_raw_response(self) -> AsyncCustomerApiWithRawResponse:
        """The same coroutines, returning the `ApiResponse` instead of the parsed model."""
        return AsyncCustomerApiWithRawResponse(self._pipeline)

    find_all_customers = async_operation(requests.find_all_customers)
    get_customer_by_external_or_internal_id = async_operation(
        requests.get_customer_by_external_or_internal_id
    )
    update_customer = async_operation(requests.update_customer)
    activate_customer = async_operation(requests.activate_customer)
    deactivate_customer = async_operation(requests.deactivate_customer)
    enable_customer = async_operation(requests.enable_customer)
    disable_customer = async_operation(requests.disable_customer)

    def apages(
        self, page_size: int = 50, start_offset: int = 0, **options: Unpack[RequestOptions]
    ) -> AsyncIterator[Page[Customer]]:
        """Every page of customers from `start_offset` (`async for`); see `CustomerApi.pages`."""
        _check_start(page_size, start_offset)
        raw = self.with_raw_response.find_all_customers
        return _pages.apages(
            lambda offset: raw(page_size, offset, **options), page_size, start_offset, _customer_id
        )

    def aiter_customers(
        self, page_size: int = 50, start_offset: int = 0, **options: Unpack[RequestOptions]
    ) -> AsyncIterator[Customer]:
        """Every customer from `start_offset` (`async for`), one page in memory at a time; see
        `CustomerApi.iter_customers`."""
        return _pages.aitems(self.apages(page_size, start_offset, **options))  # checks the arguments now
