"""Tatum's ledger Customer API for Python.

    from tatum import Sdk

    with Sdk() as sdk:                      # keys from TATUM_API_KEY_MAINNET / TATUM_API_KEY_TESTNET
        customers = sdk.mainnet().api().customer().find_all_customers(page_size=10)

Generated from openapi/customer.yaml (the low-level client is `tatum_client`); this package adds the
fluent entry point, credit costs and budgets, typed errors, retries, rate limiting (shared through Redis if
asked), validation, pages, per-call options, raw responses, tracing and async.
"""

from tatum_client.models import Customer, CustomerUpdate
from tatum_client.models.country_code import CountryCode
from tatum_client.models.fiat_currency import FiatCurrency

from . import _logging
from ._client import Api, AsyncApi, AsyncSdk, Network, Sdk
from ._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_RATE_LIMIT,
    DEFAULT_TIMEOUT,
    INITIAL_RETRY_DELAY,
    MAX_RATE_LIMITED,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    RETRY_JITTER,
)
from ._pages import Page
from ._pipeline import RequestOptions
from ._response import ApiResponse
from ._retry import Backoff
from ._spec import CREDIT_COSTS
from ._validation import country_code, fiat_currency
from ._version import __version__
from .customer import (
    AsyncCustomerApi,
    AsyncCustomerApiWithRawResponse,
    CustomerApi,
    CustomerApiWithRawResponse,
)
from .errors import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    CreditBudgetExceededError,
    CustomerNotFoundError,
    CustomerStateError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    SharedStateError,
    TatumError,
    UnexpectedResponseError,
    ValidationError,
)

__all__ = [
    "CREDIT_COSTS",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_TIMEOUT",
    "INITIAL_RETRY_DELAY",
    "MAX_RATE_LIMITED",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "RETRY_JITTER",
    "Api",
    "ApiConnectionError",
    "ApiError",
    "ApiResponse",
    "ApiTimeoutError",
    "AsyncApi",
    "AsyncCustomerApi",
    "AsyncCustomerApiWithRawResponse",
    "AsyncSdk",
    "AuthenticationError",
    "Backoff",
    "BadRequestError",
    "CountryCode",
    "CreditBudgetExceededError",
    "Customer",
    "CustomerApi",
    "CustomerApiWithRawResponse",
    "CustomerNotFoundError",
    "CustomerStateError",
    "CustomerUpdate",
    "FiatCurrency",
    "ForbiddenError",
    "Network",
    "NotFoundError",
    "Page",
    "RateLimitError",
    "RequestOptions",
    "Sdk",
    "ServerError",
    "SharedStateError",
    "TatumError",
    "UnexpectedResponseError",
    "ValidationError",
    "__version__",
    "country_code",
    "fiat_currency",
]

_logging.from_environment()
