"""Validate openapi/customer.yaml: a valid OpenAPI document whose `x-tatum-*` extensions hold together.

Each operation has an operationId and an integer `x-tatum-credits` >= 0; every 403 `errorCode` an operation
lists (`x-tatum-error-codes`) has a kind in `components.x-tatum-error-kinds`; a state change's
`x-tatum-already-in-state` is one of its own 403 codes. That the SDK has a method (and the sandbox a rule) for
exactly the spec's operations is checked by tests/test_spec_facts.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "customer.yaml"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def problems(spec: dict[str, Any]) -> list[str]:
    """Everything wrong with the spec, as readable sentences; empty when it is fine."""
    found: list[str] = []
    try:
        validate(spec)
    except OpenAPIValidationError as error:
        found.append(f"not a valid OpenAPI document: {error.message}")
    seen: dict[str, str] = {}
    kinds = spec.get("components", {}).get("x-tatum-error-kinds", {})
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
            found += _error_code_problems(spec, operation_id, operation, kinds)
    if not seen:
        found.append("the spec has no operations")
    return found


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target.get(part, {})
        node = target
    return node


def _error_code_problems(
    spec: dict[str, Any], operation_id: str, operation: dict[str, Any], kinds: dict[str, str]
) -> list[str]:
    """What is wrong with an operation's 403 error codes and its `x-tatum-already-in-state`."""
    found = []
    forbidden = _resolve(spec, operation.get("responses", {}).get("403", {}))
    codes = forbidden.get("x-tatum-error-codes", [])
    for code in codes:
        if code not in kinds:
            found.append(f"{operation_id}: 403 code {code} has no kind in components.x-tatum-error-kinds")
    already = operation.get("x-tatum-already-in-state")
    if already is not None and already not in codes:
        found.append(f"{operation_id}: x-tatum-already-in-state {already} is not one of its 403 codes")
    return found


def main() -> int:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    found = problems(spec)
    for problem in found:
        print(f"openapi/customer.yaml: {problem}", file=sys.stderr)
    if found:
        return 1
    print("openapi/customer.yaml: valid; credits, error codes and their kinds hold together")
    return 0


if __name__ == "__main__":
    sys.exit(main())
