"""What the SDK knows from openapi/customer.yaml: operations, credit costs and constraints.

`make generate` copies the spec into the generated package as `tatum_client/openapi.json`; this module reads
it once at import. Nothing here is typed twice: change a cost or a limit in the spec, regenerate, and the SDK
reports and enforces the new value.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

__all__ = [
    "CREDIT_COSTS",
    "CUSTOMER_UPDATE_FIELDS",
    "ERROR_KINDS",
    "OPERATIONS",
    "Limits",
    "Operation",
    "load",
]


@dataclass(frozen=True)
class Limits:
    """The constraints of one value: a parameter or a request-body field."""

    name: str
    """The API's name for it (`pageSize`, `externalId`)."""
    type: str
    required: bool = False
    location: str = "body"
    """Where it is sent: `path`, `query` (parameters) or `body` (request-body fields)."""
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    enum: frozenset[str] | None = None
    description: str = ""

    @functools.cached_property
    def argument(self) -> str:
        """The SDK's name for it (`page_size`), as errors name it."""
        return snake_case(self.name)


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, named in snake_case as the SDK method that calls it."""

    name: str
    operation_id: str
    method: str
    path: str
    credits: int
    summary: str
    description: str
    parameters: dict[str, Limits]
    """By the API's parameter name."""
    error_codes: dict[int, tuple[str, ...]]
    """The `errorCode`s each documented error status may carry."""
    success_status: int
    """The documented success status: 200 with a body, or 204 without."""
    already_in_state: str | None = None
    """For a state change, the 403 `errorCode` saying the customer is already in the state it sets
    (`x-tatum-already-in-state`): after an attempt whose outcome is unknown, it means the goal is reached."""


@functools.cache
def snake_case(name: str) -> str:
    """`pageSize` -> `page_size`: the API's names as Python names."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def camel_case(name: str) -> str:
    """`page_size` -> `pageSize`: Python names as the API's."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (`#/components/...`) to what it names."""
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def limits_of(
    spec: dict[str, Any], name: str, schema: dict[str, Any], required: bool = False, location: str = "body"
) -> Limits:
    """The Limits of a value called `name` with `schema` (a `$ref` is followed)."""
    description = schema.get("description", "")
    schema = _resolve(spec, schema)
    enum = schema.get("enum")
    return Limits(
        name=name,
        type=schema.get("type", "any"),
        required=required,
        location=location,
        min_length=schema.get("minLength"),
        max_length=schema.get("maxLength"),
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
        enum=frozenset(enum) if enum is not None else None,
        description=" ".join((description or schema.get("description", "")).split()),
    )


def _operation(spec: dict[str, Any], path: str, method: str, data: dict[str, Any]) -> Operation:
    parameters = {}
    for parameter in data.get("parameters", []):
        parameter = _resolve(spec, parameter)
        parameters[parameter["name"]] = limits_of(
            spec,
            parameter["name"],
            {"description": parameter.get("description", ""), **parameter["schema"]},
            parameter.get("required", False),
            parameter["in"],
        )
    error_codes = {
        int(status): tuple(_resolve(spec, response).get("x-tatum-error-codes", ()))
        for status, response in data["responses"].items()
        if int(status) >= 400
    }
    return Operation(
        name=snake_case(data["operationId"]),
        operation_id=data["operationId"],
        method=method.upper(),
        path=path,
        credits=data["x-tatum-credits"],
        summary=data.get("summary", ""),
        description=data.get("description", ""),
        parameters=parameters,
        error_codes=error_codes,
        success_status=min(int(status) for status in data["responses"] if 200 <= int(status) < 300),
        already_in_state=data.get("x-tatum-already-in-state"),
    )


def load(spec: dict[str, Any]) -> tuple[dict[str, Operation], dict[str, Limits]]:
    """The operations (by SDK method name) and the CustomerUpdate fields (by API name) of a spec."""
    operations = {}
    for path, item in spec["paths"].items():
        for method, data in item.items():
            if isinstance(data, dict) and "operationId" in data:
                operation = _operation(spec, path, method, data)
                operations[operation.name] = operation
    return operations, schema_fields(spec, "CustomerUpdate")


def schema_fields(spec: dict[str, Any], schema_name: str) -> dict[str, Limits]:
    """The properties of an object schema of the spec, by API name."""
    schema = spec["components"]["schemas"][schema_name]
    required = schema.get("required", ())
    return {
        name: limits_of(spec, name, prop, name in required) for name, prop in schema["properties"].items()
    }


def packaged_spec() -> dict[str, Any]:
    """The spec as `make generate` shipped it: tatum_client/openapi.json."""
    data: dict[str, Any] = json.loads(
        files("tatum_client").joinpath("openapi.json").read_text(encoding="utf-8")
    )
    return data


_SPEC = packaged_spec()
OPERATIONS, CUSTOMER_UPDATE_FIELDS = load(_SPEC)


@functools.cache
def schema_limits(schema_name: str) -> Limits:
    """The Limits of a whole schema of the packaged spec (an enum such as `FiatCurrency`)."""
    return limits_of(_SPEC, schema_name, _SPEC["components"]["schemas"][schema_name])


@functools.cache
def fields_of(schema_name: str) -> dict[str, Limits]:
    """The properties of a schema of the packaged spec (`Customer`), by API name."""
    return schema_fields(_SPEC, schema_name)


ERROR_KINDS: dict[str, str] = dict(_SPEC["components"].get("x-tatum-error-kinds", {}))
"""What each 403 `errorCode` tells a client, by code: `customer-not-found` or `customer-state`
(`x-tatum-error-kinds`); `tatum.errors` raises the matching exception class."""

CREDIT_COSTS: dict[str, int] = {name: operation.credits for name, operation in sorted(OPERATIONS.items())}
"""Credits each SDK method costs per call, by method name (from the spec's `x-tatum-credits`)."""
