"""The Contract half of `make api-diff`: spec pairs, one per kind of change, each with the class it must get.

Every pair starts from the real openapi/customer.yaml; `old` and `new` edit one copy each (`both` edits the
two). The expected changes are the complete list: anything else reported fails the case.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import contract_diff
import pytest
import yaml
from api_rules import RULES
from tatum import _spec

ROOT = Path(__file__).resolve().parent.parent

SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi" / "customer.yaml").read_text(encoding="utf-8"))
LIST = "/v3/ledger/customer"
BY_ID = "/v3/ledger/customer/{id}"
ACTIVATE = "/v3/ledger/customer/{id}/activate"
Edit = Callable[[dict[str, Any]], None]
B, C = "breaking", "compatible"


def operation(spec: dict[str, Any], path: str, method: str = "put") -> dict[str, Any]:
    found: dict[str, Any] = spec["paths"][path][method]
    return found


def schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][name]
    return found


def parameter(spec: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["parameters"][name]
    return found


def prop(spec: dict[str, Any], schema_name: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = schema(spec, schema_name)["properties"][name]
    return found


def kinds(spec: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = spec["components"]["x-tatum-error-kinds"]
    return found


def nothing(spec: dict[str, Any]) -> None:
    """Leaves the spec as it is."""


def json_body(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def add_freeze_operation(spec: dict[str, Any]) -> None:
    spec["paths"]["/v3/ledger/customer/{id}/freeze"] = {
        "put": {
            "operationId": "freezeCustomer",
            "x-tatum-credits": 2,
            "parameters": [{"$ref": "#/components/parameters/InternalId"}],
            "responses": {"204": {"description": "OK"}},
        }
    }


def activate_returns_customer(spec: dict[str, Any]) -> None:
    responses = operation(spec, ACTIVATE)["responses"]
    del responses["204"]
    responses["200"] = {"description": "OK", "content": json_body("Customer")}


def activate_takes_body(required: bool) -> Edit:
    def edit(spec: dict[str, Any]) -> None:
        operation(spec, ACTIVATE)["requestBody"] = {
            "required": required,
            "content": json_body("CustomerUpdate"),
        }

    return edit


def update_takes_patch(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["CustomerPatch"] = copy.deepcopy(schema(spec, "CustomerUpdate"))
    operation(spec, BY_ID)["requestBody"]["content"] = json_body("CustomerPatch")


def add_address(max_length: int) -> Edit:
    """An Address object used by both Customer (received) and CustomerUpdate (sent)."""

    def edit(spec: dict[str, Any]) -> None:
        spec["components"]["schemas"]["Address"] = {
            "type": "object",
            "properties": {"street": {"type": "string", "maxLength": max_length}},
        }
        for name in ("Customer", "CustomerUpdate"):
            schema(spec, name)["properties"]["address"] = {"$ref": "#/components/schemas/Address"}

    return edit


@dataclass(frozen=True)
class Case:
    """A spec pair and every change it must produce: (subject, rule, class)."""

    id: str
    expected: set[tuple[str, str, str]]
    new: Edit = nothing
    old: Edit = nothing
    both: Edit = nothing
    details: tuple[str, ...] = ()
    """Phrases the changes' details must contain, each in one of them."""


CASES = [
    # Operations.
    Case("operation added", {("`freeze_customer`", "operation-added", C)}, new=add_freeze_operation),
    Case(
        "operation removed",
        {("`disable_customer`", "operation-removed", B)},
        new=lambda s: s["paths"].pop("/v3/ledger/customer/{id}/disable"),
    ),
    Case(
        "route changed",
        {("`activate_customer`", "route-changed", C)},
        new=lambda s: s["paths"].__setitem__("/v3/ledger/customer/{id}/activation", s["paths"].pop(ACTIVATE)),
        details=(
            "PUT /v3/ledger/customer/{id}/activate (activateCustomer) -> PUT /v3/ledger/customer/{id}/activation",
        ),
    ),
    Case(
        "credits up",
        {("`activate_customer`", "credits-raised", B)},
        new=lambda s: operation(s, ACTIVATE).__setitem__("x-tatum-credits", 3),
        details=("2 -> 3 credits",),
    ),
    Case(
        "credits down",
        {("`update_customer`", "credits-lowered", C)},
        new=lambda s: operation(s, BY_ID).__setitem__("x-tatum-credits", 1),
        details=("2 -> 1 credit",),
    ),
    Case(
        "success status and body changed",
        {
            ("`activate_customer`", "success-status-changed", B),
            ("`activate_customer`", "response-body-changed", B),
        },
        new=activate_returns_customer,
        details=("returns no body -> Customer",),
    ),
    Case(
        "response body changed",
        {("`find_all_customers`", "response-body-changed", B)},
        new=lambda s: operation(s, LIST, "get")["responses"]["200"].__setitem__(
            "content", json_body("Customer")
        ),
        details=("returns array of Customer -> Customer",),
    ),
    Case(
        "request body added, required",
        {("`activate_customer`", "request-body-added-required", B)},
        new=activate_takes_body(True),
    ),
    Case(
        "request body added, optional",
        {("`activate_customer`", "request-body-added-optional", C)},
        new=activate_takes_body(False),
    ),
    Case(
        "request body removed",
        {("`update_customer`", "request-body-removed", B)},
        new=lambda s: operation(s, BY_ID).pop("requestBody"),
    ),
    Case(
        "request body is another schema",
        {("`update_customer`", "request-body-changed", B)},
        new=update_takes_patch,
        details=("request body CustomerUpdate -> CustomerPatch",),
    ),
    Case(
        "request body made optional",
        {("`update_customer`", "request-body-now-optional", C)},
        new=lambda s: operation(s, BY_ID)["requestBody"].__setitem__("required", False),
    ),
    Case(
        "request body made required",
        {("`update_customer`", "request-body-now-required", B)},
        old=lambda s: operation(s, BY_ID)["requestBody"].__setitem__("required", False),
    ),
    Case(
        "new error status",
        {("`activate_customer`", "error-status-added", C)},
        new=lambda s: operation(s, ACTIVATE)["responses"].__setitem__(
            "409", {"description": "Conflict", "content": json_body("ErrorBody")}
        ),
        details=("error status 409 added (raised as `ApiError`)",),
    ),
    Case(
        "error status removed",
        {("`activate_customer`", "error-status-removed", C)},
        new=lambda s: operation(s, ACTIVATE)["responses"].pop("429"),
    ),
    Case(
        "new error code, mapped to a specific class",
        {("`update_customer`", "error-code-added", C)},
        new=lambda s: operation(s, BY_ID)["responses"]["403"]["x-tatum-error-codes"].append(
            "customer.disabled"
        ),
        details=("error code `customer.disabled` (403) added (raised as `CustomerStateError`)",),
    ),
    Case(
        "new error code, raised as its status's class",
        {("`activate_customer`", "error-code-added", C)},
        new=lambda s: operation(s, ACTIVATE)["responses"]["403"]["x-tatum-error-codes"].append(
            "customer.frozen"
        ),
        details=("error code `customer.frozen` (403) added (raised as `ForbiddenError`)",),
    ),
    Case(
        "error code removed",
        {("`activate_customer`", "error-code-removed", C)},
        new=lambda s: operation(s, ACTIVATE)["responses"]["403"]["x-tatum-error-codes"].remove(
            "customer.active"
        ),
    ),
    Case(
        "an error code's kind changed",
        {("error code `customer.active` (403)", "error-class-changed", B)},
        new=lambda s: kinds(s).__setitem__("customer.active", "customer-not-found"),
        details=("raised as `CustomerStateError` -> `CustomerNotFoundError`",),
    ),
    Case(
        "an error code's kind given",
        {("error code `customer.frozen` (403)", "error-class-narrowed", C)},
        both=lambda s: operation(s, ACTIVATE)["responses"]["403"]["x-tatum-error-codes"].append(
            "customer.frozen"
        ),
        new=lambda s: kinds(s).__setitem__("customer.frozen", "customer-state"),
        details=("raised as `ForbiddenError` -> `CustomerStateError`",),
    ),
    Case(
        "error kinds compared only when both specs have them",
        set(),
        old=lambda s: s["components"].pop("x-tatum-error-kinds"),
    ),
    Case(
        "'already in that state' code given",
        {("`activate_customer`", "already-in-state-added", C)},
        old=lambda s: operation(s, ACTIVATE).pop("x-tatum-already-in-state"),
        details=("'already in that state' code none -> `customer.active`",),
    ),
    Case(
        "'already in that state' code removed",
        {("`activate_customer`", "already-in-state-removed", B)},
        new=lambda s: operation(s, ACTIVATE).pop("x-tatum-already-in-state"),
    ),
    Case(
        "'already in that state' code changed",
        {("`activate_customer`", "already-in-state-changed", B)},
        new=lambda s: operation(s, ACTIVATE).__setitem__(
            "x-tatum-already-in-state", "customer.internal.not.exists"
        ),
    ),
    Case(
        "parameter sent elsewhere",
        {("`find_all_customers` parameter `offset`", "parameter-moved", C)},
        new=lambda s: parameter(s, "Offset").__setitem__("in", "header"),
        details=("sent in the query -> the header",),
    ),
    # Request values: parameters and CustomerUpdate fields.
    Case(
        "request field added, optional",
        {("`CustomerUpdate.nickname` (request field)", "request-added-optional", C)},
        new=lambda s: schema(s, "CustomerUpdate")["properties"].__setitem__("nickname", {"type": "string"}),
    ),
    Case(
        "parameter added, required",
        {("`find_all_customers` parameter `status`", "request-added-required", B)},
        new=lambda s: operation(s, LIST, "get")["parameters"].append(
            {"name": "status", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
    ),
    Case(
        "request field removed",
        {("`CustomerUpdate.providerCountry` (request field)", "request-removed", B)},
        new=lambda s: schema(s, "CustomerUpdate")["properties"].pop("providerCountry"),
    ),
    Case(
        "request field made required",
        {("`CustomerUpdate.accountingCurrency` (request field)", "request-now-required", B)},
        new=lambda s: schema(s, "CustomerUpdate")["required"].append("accountingCurrency"),
    ),
    Case(
        "parameter made optional",
        {("`find_all_customers` parameter `pageSize`", "request-now-optional", C)},
        new=lambda s: parameter(s, "PageSize").__setitem__("required", False),
    ),
    Case(
        "request range narrowed",
        {("`find_all_customers` parameter `pageSize`", "request-narrowed", B)},
        new=lambda s: parameter(s, "PageSize")["schema"].__setitem__("maximum", 20),
        details=("range: maximum 50 -> 20",),
    ),
    Case(
        "request length narrowed (one parameter shared by five operations)",
        {
            (f"`{name}` parameter `id`", "request-narrowed", B)
            for name in ("activate_customer", "deactivate_customer", "disable_customer", "enable_customer")
        }
        | {("`update_customer` parameter `id`", "request-narrowed", B)},
        new=lambda s: parameter(s, "InternalId")["schema"].__setitem__("minLength", 12),
        details=("length: min length 10 -> 12",),
    ),
    Case(
        "request enum code removed",
        {
            ("`CustomerUpdate.customerCountry` (request field)", "request-narrowed", B),
            ("`CustomerUpdate.providerCountry` (request field)", "request-narrowed", B),
        },
        new=lambda s: schema(s, "CountryCode")["enum"].remove("ZW"),
        details=("enum codes removed: `ZW`",),
    ),
    Case(
        "request no longer nullable",
        {("`CustomerUpdate.externalId` (request field)", "request-narrowed", B)},
        old=lambda s: prop(s, "CustomerUpdate", "externalId").__setitem__("nullable", True),
        details=("no longer nullable",),
    ),
    Case(
        "request type narrowed (number -> integer)",
        {("`find_all_customers` parameter `offset`", "request-narrowed", B)},
        old=lambda s: parameter(s, "Offset")["schema"].__setitem__("type", "number"),
        details=("type number -> integer",),
    ),
    Case(
        "request enum code added",
        {("`CustomerUpdate.accountingCurrency` (request field)", "request-widened", C)},
        new=lambda s: schema(s, "FiatCurrency")["enum"].append("XYZ"),
        details=("enum codes added: `XYZ`",),
    ),
    Case(
        "request range widened, and type widened (integer -> number)",
        {
            ("`find_all_customers` parameter `pageSize`", "request-widened", C),
        },
        new=lambda s: parameter(s, "PageSize")["schema"].update({"maximum": 100, "type": "number"}),
        details=("type integer -> number", "range: maximum 50 -> 100"),
    ),
    Case(
        "request length limit removed",
        {("`get_customer_by_external_or_internal_id` parameter `id`", "request-widened", C)},
        new=lambda s: parameter(s, "ExternalOrInternalId")["schema"].pop("maxLength"),
        details=("length: max length 100 -> none",),
    ),
    Case(
        "request type changed",
        {("`CustomerUpdate.externalId` (request field)", "request-retyped", B)},
        new=lambda s: prop(s, "CustomerUpdate", "externalId").__setitem__("type", "integer"),
        details=("type string -> integer",),
    ),
    Case(
        "request format added",
        {("`CustomerUpdate.externalId` (request field)", "request-retyped", B)},
        new=lambda s: prop(s, "CustomerUpdate", "externalId").__setitem__("format", "uuid"),
        details=("format none -> uuid",),
    ),
    Case(
        "request field refers to another schema",
        {("`CustomerUpdate.accountingCurrency` (request field)", "request-retyped", B)},
        new=lambda s: prop(s, "CustomerUpdate", "accountingCurrency").__setitem__(
            "$ref", "#/components/schemas/CountryCode"
        ),
        details=("FiatCurrency -> CountryCode",),
    ),
    # Response values: Customer fields.
    Case(
        "response field added",
        {("`Customer.loyaltyTier` (response field)", "response-added", C)},
        new=lambda s: schema(s, "Customer")["properties"].__setitem__("loyaltyTier", {"type": "string"}),
    ),
    Case(
        "response field removed",
        {("`Customer.providerCountry` (response field)", "response-removed", B)},
        new=lambda s: schema(s, "Customer")["properties"].pop("providerCountry"),
    ),
    Case(
        "response field made optional",
        {("`Customer.enabled` (response field)", "response-now-optional", B)},
        new=lambda s: schema(s, "Customer")["required"].remove("enabled"),
    ),
    Case(
        "response field made required",
        {("`Customer.accountingCurrency` (response field)", "response-now-required", C)},
        new=lambda s: schema(s, "Customer")["required"].append("accountingCurrency"),
    ),
    Case(
        "response length widened",
        {("`Customer.externalId` (response field)", "response-widened", B)},
        old=lambda s: prop(s, "Customer", "externalId").__setitem__("maxLength", 100),
        new=lambda s: prop(s, "Customer", "externalId").__setitem__("maxLength", 200),
        details=("length: max length 100 -> 200",),
    ),
    Case(
        "response made nullable",
        {("`Customer.externalId` (response field)", "response-widened", B)},
        new=lambda s: prop(s, "Customer", "externalId").__setitem__("nullable", True),
        details=("now nullable",),
    ),
    Case(
        "response enum code added",
        {("`Customer.accountingCurrency` (response field)", "response-widened", B)},
        old=lambda s: prop(s, "Customer", "accountingCurrency").__setitem__("enum", ["USD", "EUR"]),
        new=lambda s: prop(s, "Customer", "accountingCurrency").__setitem__("enum", ["USD", "EUR", "GBP"]),
        details=("enum codes added: `GBP`",),
    ),
    Case(
        "response no longer nullable",
        {("`Customer.accountingCurrency` (response field)", "response-narrowed", C)},
        new=lambda s: prop(s, "Customer", "accountingCurrency").pop("nullable"),
        details=("no longer nullable",),
    ),
    Case(
        "response limited to enum codes",
        {("`Customer.customerCountry` (response field)", "response-narrowed", C)},
        new=lambda s: prop(s, "Customer", "customerCountry").__setitem__("enum", ["DE", "US"]),
        details=("now limited to 2 enum codes",),
    ),
    Case(
        "response type changed",
        {("`Customer.active` (response field)", "response-retyped", B)},
        new=lambda s: prop(s, "Customer", "active").__setitem__("type", "string"),
        details=("type boolean -> string",),
    ),
    # A schema both sent and received takes the breaking verdict of either side.
    Case(
        "both sides, narrowed: breaking as a request",
        {("`Address.street` (request and response field)", "request-narrowed", B)},
        old=add_address(100),
        new=add_address(50),
    ),
    Case(
        "both sides, widened: breaking as a response",
        {("`Address.street` (request and response field)", "response-widened", B)},
        old=add_address(100),
        new=add_address(200),
    ),
    Case(
        "a schema that refers to itself",
        {("`Customer.parent` (response field)", "response-added", C)},
        new=lambda s: schema(s, "Customer")["properties"].__setitem__(
            "parent", {"$ref": "#/components/schemas/Customer"}
        ),
    ),
    Case("no change", set()),
]


def spec_pair(case: Case) -> tuple[dict[str, Any], dict[str, Any]]:
    old, new = copy.deepcopy(SPEC), copy.deepcopy(SPEC)
    for spec, edit in ((old, case.old), (new, case.new)):
        case.both(spec)
        edit(spec)
    return old, new


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_kind_of_change_gets_its_class(case: Case) -> None:
    old, new = spec_pair(case)

    found = contract_diff.changes(old, new)

    assert {(c.subject, c.rule, B if c.breaking else C) for c in found} == case.expected
    assert all(c.section == "Contract" for c in found)
    for phrase in case.details:
        assert any(phrase in c.detail for c in found), (phrase, [c.detail for c in found])


def test_a_new_field_and_a_higher_cost_are_reported_plainly() -> None:
    new = copy.deepcopy(SPEC)
    schema(new, "Customer")["properties"]["loyaltyTier"] = {"type": "string", "description": "Tier."}
    operation(new, ACTIVATE)["x-tatum-credits"] = 3

    bullets = [change.bullet() for change in contract_diff.changes(SPEC, new)]

    assert bullets == [
        "- **breaking** `activate_customer`: 2 -> 3 credits. " + RULES["credits-raised"].why,
        "- **compatible** `Customer.loyaltyTier` (response field): added (string, optional). "
        + RULES["response-added"].why,
    ]


@dataclass(frozen=True)
class OperationWithAlreadyCode(_spec.Operation):
    """An Operation as `_spec` may grow it: a field this tool has no rule for."""

    already_code: str | None = None


@dataclass(frozen=True)
class LimitsWithPattern(_spec.Limits):
    pattern: str | None = None


def test_a_field_the_tool_has_no_rule_for_is_reported_for_review() -> None:
    contract = contract_diff.read(SPEC)
    activate = contract.operations["activate_customer"]
    fields = {f.name: getattr(activate, f.name) for f in dataclasses.fields(activate)}
    old, new = (
        OperationWithAlreadyCode(**fields),
        OperationWithAlreadyCode(**fields, already_code="customer.active"),
    )

    found = list(contract_diff.operation_changes(old, new, contract, contract))

    assert [(c.subject, c.detail, c.rule, c.breaking) for c in found] == [
        ("`activate_customer`", "already_code None -> 'customer.active'", "operation-other-changed", False)
    ]


def test_a_constraint_the_tool_has_no_rule_for_is_reported_for_review() -> None:
    old = contract_diff.Value(LimitsWithPattern(name="externalId", type="string"))
    new = contract_diff.Value(LimitsWithPattern(name="externalId", type="string", pattern="^[a-z]+$"))

    found = list(contract_diff.value_changes(old, new, frozenset({"request"})))

    assert found == [("value-other-changed", "pattern None -> '^[a-z]+$'")]


def test_every_contract_rule_is_exercised_by_a_case() -> None:
    seen = {rule for case in CASES for _, rule, _ in case.expected}
    seen |= {"operation-other-changed", "value-other-changed"}  # the two tests above
    assert seen == {name for name in RULES if not name.startswith("python-")}


def test_the_rules_table_is_read_whole() -> None:
    import api_rules

    rows = [line for line in (api_rules.__doc__ or "").splitlines() if line.startswith("| `")]
    assert len(rows) == len(RULES) > 30
    assert all(rule.why.endswith(".") for rule in RULES.values())
    with pytest.raises(ValueError, match="no such rule"):
        api_rules.Change("Contract", "x", "y", "no-such-rule")
