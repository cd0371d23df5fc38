"""Contains all the data models used in inputs/outputs"""

from .country_code import CountryCode
from .customer import Customer
from .customer_update import CustomerUpdate
from .error_body import ErrorBody
from .fiat_currency import FiatCurrency
from .validation_error_body import ValidationErrorBody
from .validation_error_item import ValidationErrorItem
from .validation_error_item_constraints import ValidationErrorItemConstraints
from .validation_error_item_target import ValidationErrorItemTarget

__all__ = (
    "CountryCode",
    "Customer",
    "CustomerUpdate",
    "ErrorBody",
    "FiatCurrency",
    "ValidationErrorBody",
    "ValidationErrorItem",
    "ValidationErrorItemConstraints",
    "ValidationErrorItemTarget",
)
