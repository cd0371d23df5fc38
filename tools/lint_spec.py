"""Validate openapi/customer.yaml: a valid OpenAPI document with exactly the seven Customer operations,
each carrying a positive integer `x-tatum-credits`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "customer.yaml"
EXPECTED_OPERATIONS = {
    "activateCustomer",
    "deactivateCustomer",
    "disableCustomer",
    "enableCustomer",
    "findAllCustomers",
    "getCustomerByExternalOrInternalId",
    "updateCustomer",
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def problems(spec: dict[str, Any]) -> list[str]:
    """Everything wrong with the spec, as readable sentences; empty when it is fine."""
    found: list[str] = []
    try:
        validate(spec)
    except OpenAPIValidationError as error:
        found.append(f"not a valid OpenAPI document: {error.message}")
    seen: dict[str, str] = {}
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            where = f"{method.upper()} {path}"
            operation_id = operation.get("operationId")
            if operation_id is None:
                found.append(f"{where} has no operationId")
                continue
            if operation_id in seen:
                found.append(f"{where} repeats operationId {operation_id} of {seen[operation_id]}")
            seen[operation_id] = where
            credits = operation.get("x-tatum-credits")
            if credits is None:
                found.append(f"{operation_id} ({where}) lacks x-tatum-credits")
            elif type(credits) is not int or credits < 0:
                found.append(
                    f"{operation_id} ({where}): x-tatum-credits must be an integer >= 0, not {credits!r}"
                )
    for missing in sorted(EXPECTED_OPERATIONS - seen.keys()):
        found.append(f"operation {missing} is missing")
    for extra in sorted(seen.keys() - EXPECTED_OPERATIONS):
        found.append(f"operation {extra} ({seen[extra]}) is not one of the seven Customer operations")
    return found


def main() -> int:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    found = problems(spec)
    for problem in found:
        print(f"openapi/customer.yaml: {problem}", file=sys.stderr)
    if found:
        return 1
    print("openapi/customer.yaml: valid, seven operations, each with x-tatum-credits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
