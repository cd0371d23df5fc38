"""Tatum's ledger Customer API for Python.

    from tatum import Sdk

    with Sdk() as sdk:                      # keys from TATUM_API_KEY_MAINNET / TATUM_API_KEY_TESTNET
        customers = sdk.mainnet().api().customer().find_all_customers(page_size=10)

Generated from openapi/customer.yaml (the low-level client is `tatum_client`); this package adds the
fluent entry point, credit costs and budgets, typed errors, retries, validation, pagination and async.
"""

from tatum_client.models import Customer, CustomerUpdate

from ._client import Api, AsyncApi, AsyncSdk, Network, Sdk
from ._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
)
from ._spec import CREDIT_COSTS
from ._version import __version__
from .customer import AsyncCustomerApi, CustomerApi
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
    TatumError,
    UnexpectedResponseError,
    ValidationError,
)

__all__ = [
    "CREDIT_COSTS",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "Api",
    "ApiConnectionError",
    "ApiError",
    "ApiTimeoutError",
    "AsyncApi",
    "AsyncCustomerApi",
    "AsyncSdk",
    "AuthenticationError",
    "BadRequestError",
    "CreditBudgetExceededError",
    "Customer",
    "CustomerApi",
    "CustomerNotFoundError",
    "CustomerStateError",
    "CustomerUpdate",
    "ForbiddenError",
    "Network",
    "NotFoundError",
    "RateLimitError",
    "Sdk",
    "ServerError",
    "TatumError",
    "UnexpectedResponseError",
    "ValidationError",
    "__version__",
]
