"""Checks of every argument against the spec's constraints, before anything is sent.

Each check raises ValidationError naming the argument and the rule it breaks. The limits come from
`_spec` (the spec's own numbers); the rules about path segments are the SDK's: an id of "", "." or ".."
would change the route, and control characters have no place in an id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeGuard

from tatum_client.models import CustomerUpdate
from tatum_client.models.country_code import CountryCode, check_country_code
from tatum_client.models.fiat_currency import FiatCurrency, check_fiat_currency
from tatum_client.types import UNSET

from ._spec import CUSTOMER_UPDATE_FIELDS, Limits, Operation, camel_case, schema_limits, snake_case
from .errors import ValidationError

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ROUTE_CHANGING = frozenset({"", ".", ".."})


def _type_name(value: object) -> str:
    return type(value).__name__


def is_int(value: object) -> TypeGuard[int]:
    """Whether `value` is an int, and not a bool (which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_real(value: object) -> TypeGuard[int | float]:
    """Whether `value` is an int or a float, and not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_text(argument: str, value: str) -> None:
    """Refuse text that cannot be sent: UTF-8 cannot encode a lone surrogate (`"\\udfff"`)."""
    if value.isascii():  # the common case, and no surrogate is ASCII
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValidationError(
            argument, f"must be valid Unicode text (position {error.start} holds a lone surrogate)"
        ) from None


def check_value(argument: str, value: object, limits: Limits) -> None:
    """Check one value against its limits; `argument` is the name the error will carry."""
    if limits.type == "integer":
        if not is_int(value):
            raise ValidationError(argument, f"must be an int, not {_type_name(value)}")
        if limits.minimum is not None and value < limits.minimum:
            raise ValidationError(argument, f"must be >= {limits.minimum}, not {value}")
        if limits.maximum is not None and value > limits.maximum:
            raise ValidationError(argument, f"must be <= {limits.maximum}, not {value}")
        return
    if limits.type == "string":
        if not isinstance(value, str):
            raise ValidationError(argument, f"must be a str, not {_type_name(value)}")
        check_text(argument, value)
        if limits.enum is not None and value not in limits.enum:
            hint = f" (did you mean {value.upper()!r}?)" if value.upper() in limits.enum else ""
            raise ValidationError(argument, f"{value!r} is not a valid {limits.name} code{hint}")
        if limits.min_length is not None and len(value) < limits.min_length:
            raise ValidationError(
                argument, f"must be at least {limits.min_length} characters, not {len(value)}"
            )
        if limits.max_length is not None and len(value) > limits.max_length:
            raise ValidationError(
                argument, f"must be at most {limits.max_length} characters, not {len(value)}"
            )


def check_path_segment(argument: str, value: object) -> None:
    """Refuse ids that would change the route or carry control characters (checked before lengths)."""
    if isinstance(value, str):
        if value in _ROUTE_CHANGING:
            raise ValidationError(
                argument, f"{value!r} is not a valid id: it would change the request's path"
            )
        if _CONTROL.search(value):
            raise ValidationError(argument, "must not contain control characters")


def check_parameters(operation: Operation, arguments: Mapping[str, object]) -> None:
    """Check the arguments of a call, given by the API's parameter names (`pageSize`) mapped to values.

    Optional parameters given as None are skipped; errors name the SDK's argument (`page_size`).
    """
    for name, limits in operation.parameters.items():
        value = arguments.get(name)
        argument = limits.argument
        if value is None:
            if limits.required:
                raise ValidationError(argument, "is required")
            continue
        if limits.location == "path":
            check_path_segment(argument, value)
        check_value(argument, value, limits)


def customer_update(argument: str, value: object) -> CustomerUpdate:
    """A CustomerUpdate checked field by field, from a CustomerUpdate or a mapping of the API's field names."""
    if isinstance(value, CustomerUpdate):
        fields: dict[str, Any] = {
            name: field
            for name, attribute in _UPDATE_ATTRIBUTES
            if (field := getattr(value, attribute)) is not UNSET
        }
    elif isinstance(value, Mapping):
        fields = dict(value)
        _check_field_names(argument, fields)
    else:
        raise ValidationError(argument, f"must be a CustomerUpdate or a mapping, not {_type_name(value)}")
    for key, limits in CUSTOMER_UPDATE_FIELDS.items():
        if key not in fields:
            if limits.required:
                raise ValidationError(f"{argument}.{key}", "is required")
            continue
        check_value(f"{argument}.{key}", fields[key], limits)
    # The external id is looked up later as a path segment (get_customer_by_external_or_internal_id), so
    # the same rule as for ids keeps a customer from becoming unreachable.
    check_path_segment(f"{argument}.externalId", fields["externalId"])
    return value if isinstance(value, CustomerUpdate) else CustomerUpdate.from_dict(fields)


# (API name, attribute) of each CustomerUpdate field.
_UPDATE_ATTRIBUTES = [(name, snake_case(name)) for name in CUSTOMER_UPDATE_FIELDS]


def _check_field_names(argument: str, fields: Mapping[Any, Any]) -> None:
    for key in fields:
        if not isinstance(key, str):
            raise ValidationError(argument, f"field names must be str, not {_type_name(key)} ({key!r})")
        if key not in CUSTOMER_UPDATE_FIELDS:
            check_text(f"{argument} field name {key!a}", key)
            known = ", ".join(CUSTOMER_UPDATE_FIELDS)
            hint = (
                f" (did you mean {camel_case(key)!r}?)" if camel_case(key) in CUSTOMER_UPDATE_FIELDS else ""
            )
            raise ValidationError(f"{argument}.{key}", f"unknown field{hint}; the fields are {known}")


def fiat_currency(code: str) -> FiatCurrency:
    """`code` as a FiatCurrency, checked against the spec's enum (ValidationError if it is not one of its codes).

    For codes read at run time (a file, a form): `CustomerUpdate(accounting_currency=tatum.fiat_currency(text))`
    type-checks without a cast.
    """
    check_value("fiat_currency", code, schema_limits("FiatCurrency"))
    return check_fiat_currency(code)


def country_code(code: str) -> CountryCode:
    """`code` as a CountryCode (ISO-3166-1 alpha-2), checked against the spec's enum; see `fiat_currency`."""
    check_value("country_code", code, schema_limits("CountryCode"))
    return check_country_code(code)
