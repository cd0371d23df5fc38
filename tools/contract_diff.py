"""The Contract half of `make api-diff`: what changed between two versions of openapi/customer.yaml.

Read with the SDK's own model of the spec (`tatum._spec`: operations, credits, parameters, field limits,
error codes), so the diff sees every constraint the SDK enforces, plus the few facts the SDK does not need
(nullability, formats, which schema a value refers to, the request and response bodies), and which exception
the SDK raises for each error code (`x-tatum-error-kinds`, through `tatum.errors`). Each change is
classed by a rule of `api_rules`; requests and responses are told apart, because narrowing one and widening
the other are what break users. No OpenAPI diff tool fits here: none knows `x-tatum-credits` or how the SDK
maps error codes to exceptions, and the maintained ones (oasdiff, openapi-changes) are Go binaries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from api_rules import RULES, Change
from tatum import _spec, errors

Side = Literal["request", "response"]

# Operation fields with a rule below; summaries and descriptions are documentation, not contract.
_OPERATION_FIELDS_READ = {"name", "operation_id", "method", "path", "credits", "parameters", "error_codes"}
_OPERATION_FIELDS_READ |= {"success_status", "already_in_state", "summary", "description"}
# Limits fields with a rule below (`name` is the key, `description` documentation).
_LIMITS_FIELDS_READ = {"name", "type", "required", "min_length", "max_length", "minimum", "maximum", "enum"}
_LIMITS_FIELDS_READ |= {"location", "description"}
_WIDER_TYPES = {("integer", "number")}
"""(old, new) type pairs where every old value is a new value."""
_LISTED_CODES = 8
"""Enum codes named in one change before the rest are counted."""


@dataclass(frozen=True)
class Value:
    """One parameter or schema property: the SDK's Limits plus what they leave out."""

    limits: _spec.Limits
    nullable: bool = False
    format: str | None = None
    refers_to: str | None = None
    """The component schema it is (`FiatCurrency`), or for an array, `array of <item schema or type>`."""


@dataclass(frozen=True)
class Body:
    """A request or success-response body: which schema, and whether the request must carry it."""

    shape: str
    required: bool = True


@dataclass(frozen=True)
class Contract:
    """Everything the diff compares, read from one version of the spec."""

    operations: dict[str, _spec.Operation]
    parameters: dict[str, dict[str, Value]]
    """Each operation's parameters, by API name."""
    request_bodies: dict[str, Body | None]
    response_bodies: dict[str, Body | None]
    schemas: dict[str, dict[str, Value]]
    """Each object schema the operations use, by name: its properties, by API name."""
    sides: dict[str, frozenset[Side]]
    """Whether each schema of `schemas` is sent, received, or both."""
    error_kinds: dict[str, str] | None
    """What each 403 `errorCode` is (`x-tatum-error-kinds`), or None when the spec does not say."""

    def raised_as(self, status: int, code: str | None) -> type[errors.ApiError]:
        """The exception the SDK raises for an error status and code, by this spec's error kinds."""
        if status == 403:  # as errors.error_class does, but by this spec's kinds, not the packaged spec's
            kind = (self.error_kinds or {}).get(code or "", "")
            return errors._FORBIDDEN_KINDS.get(kind, errors.ForbiddenError)
        return errors.error_class(status, code)


def _follow(spec: dict[str, Any], node: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The schema a node stands for, and the name of the component it refers to (`$ref`), if any."""
    name = None
    while "$ref" in node:
        ref = node["$ref"]
        name = name or ref.rsplit("/", 1)[-1]
        target: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return name, node


def _shape(spec: dict[str, Any], node: dict[str, Any]) -> str:
    """A short name for a schema: its component name, `array of X`, or its type."""
    name, schema = _follow(spec, node)
    if name is not None:
        return name
    if schema.get("type") == "array":
        return "array of " + _shape(spec, schema.get("items", {}))
    return str(schema.get("type", "any"))


def _value(spec: dict[str, Any], limits: _spec.Limits, node: dict[str, Any]) -> Value:
    name, schema = _follow(spec, node)
    refers_to = name
    if refers_to is None and schema.get("type") == "array":
        refers_to = _shape(spec, schema)
    return Value(limits, bool(schema.get("nullable", False)), schema.get("format"), refers_to)


def _json_schema(content: dict[str, Any] | None) -> dict[str, Any] | None:
    media = (content or {}).get("application/json")
    return None if media is None else media.get("schema", {})


def _children(
    spec: dict[str, Any], node: dict[str, Any], seen: set[str] | None = None
) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """The schemas a schema leads to, itself included: through properties, items and maps; each named
    one once (a schema may refer to itself)."""
    seen = set() if seen is None else seen
    name, schema = _follow(spec, node)
    if name is not None:
        if name in seen:
            return
        seen.add(name)
    yield name, schema
    nested = [*schema.get("properties", {}).values()]
    nested += [schema[key] for key in ("items", "additionalProperties") if isinstance(schema.get(key), dict)]
    for child in nested:
        yield from _children(spec, child, seen)


def read(spec: dict[str, Any]) -> Contract:
    """What the diff compares in one version of the spec."""
    operations, _ = _spec.load(spec)
    parameters: dict[str, dict[str, Value]] = {}
    request_bodies: dict[str, Body | None] = {}
    response_bodies: dict[str, Body | None] = {}
    sides: dict[str, set[Side]] = {}

    def use(node: dict[str, Any] | None, side: Side) -> None:
        for name, schema in _children(spec, node) if node is not None else ():
            if name is not None and "properties" in schema:
                sides.setdefault(name, set()).add(side)

    for item in spec["paths"].values():
        for data in item.values():
            if not isinstance(data, dict) or "operationId" not in data:
                continue
            name = _spec.snake_case(data["operationId"])
            limits = operations[name].parameters
            parameters[name] = {
                parameter["name"]: _value(spec, limits[parameter["name"]], parameter["schema"])
                for parameter in (_follow(spec, node)[1] for node in data.get("parameters", []))
            }
            request = data.get("requestBody")
            request = _follow(spec, request)[1] if request is not None else None
            request_schema = _json_schema(request["content"]) if request is not None else None
            request_bodies[name] = None
            if request is not None and request_schema is not None:
                request_bodies[name] = Body(_shape(spec, request_schema), bool(request.get("required")))
            use(request_schema, "request")
            success = str(operations[name].success_status)
            response_schema = _json_schema(_follow(spec, data["responses"][success])[1].get("content"))
            response_bodies[name] = None if response_schema is None else Body(_shape(spec, response_schema))
            for response in data["responses"].values():
                use(_json_schema(_follow(spec, response)[1].get("content")), "response")
    schemas = {
        name: {
            field: _value(spec, limits, spec["components"]["schemas"][name]["properties"][field])
            for field, limits in _spec.schema_fields(spec, name).items()
        }
        for name in sides
    }
    frozen_sides = {name: frozenset(used) for name, used in sides.items()}
    kinds = spec.get("components", {}).get("x-tatum-error-kinds")
    return Contract(operations, parameters, request_bodies, response_bodies, schemas, frozen_sides, kinds)


def _describe(value: Value) -> str:
    """A value in a few words: `string 1..100, required`."""
    limits = value.limits
    words = value.refers_to or limits.type
    if value.format:
        words += f" ({value.format})"
    low = limits.min_length if limits.min_length is not None else limits.minimum
    high = limits.max_length if limits.max_length is not None else limits.maximum
    if low is not None or high is not None:
        words += f" {'' if low is None else low}..{'' if high is None else high}"
    if limits.enum is not None and value.refers_to is None:
        words += f", one of {len(limits.enum)} codes"
    if value.nullable:
        words += ", nullable"
    return f"{words}, {'required' if limits.required else 'optional'}"


def _codes(codes: frozenset[str]) -> str:
    listed = sorted(codes)
    text = ", ".join(f"`{code}`" for code in listed[:_LISTED_CODES])
    return text + (f" and {len(listed) - _LISTED_CODES} more" if len(listed) > _LISTED_CODES else "")


def _moves(old: Value, new: Value) -> Iterator[tuple[str, str]]:
    """How a value changed: (direction, detail) pairs; direction is `narrowed`, `widened` or `retyped`.
    Each bound, enum code set and nullability moves on its own, so one edit may both narrow and widen."""
    a, b = old.limits, new.limits
    direction = "same"
    if a.type != b.type:
        direction = "widened" if (a.type, b.type) in _WIDER_TYPES else "retyped"
        direction = "narrowed" if (b.type, a.type) in _WIDER_TYPES else direction
        yield direction, f"type {a.type} -> {b.type}"
    if old.format != new.format:
        yield "retyped", f"format {old.format or 'none'} -> {new.format or 'none'}"
    if old.refers_to != new.refers_to:
        yield "retyped", f"{old.refers_to or a.type} -> {new.refers_to or b.type}"
    if old.refers_to != new.refers_to or (a.type != b.type and direction == "retyped"):
        return  # another kind of value: its limits are not comparable
    for label, low, high in (("length", "min_length", "max_length"), ("range", "minimum", "maximum")):
        for bound, sign in ((low, 1), (high, -1)):
            before, after = getattr(a, bound), getattr(b, bound)
            if before == after:
                continue
            tighter = before is None or (after is not None and (after - before) * sign > 0)
            detail = f"{bound.replace('_', ' ')} {before if before is not None else 'none'} -> {after if after is not None else 'none'}"
            yield ("narrowed" if tighter else "widened"), f"{label}: {detail}"
    if a.enum != b.enum:
        if a.enum is None:
            yield "narrowed", f"now limited to {len(b.enum or ())} enum codes"
        elif b.enum is None:
            yield "widened", "no longer limited to enum codes"
        else:
            if a.enum - b.enum:
                yield "narrowed", f"enum codes removed: {_codes(a.enum - b.enum)}"
            if b.enum - a.enum:
                yield "widened", f"enum codes added: {_codes(b.enum - a.enum)}"
    if old.nullable != new.nullable:
        yield (
            ("widened" if new.nullable else "narrowed"),
            ("now nullable" if new.nullable else "no longer nullable"),
        )


def value_changes(old: Value | None, new: Value | None, sides: frozenset[Side]) -> Iterator[tuple[str, str]]:
    """(rule, detail) for one value, judged on each side it is used on: for a value both sent and
    received, each detail takes the breaking verdict if either side gives one."""
    merged: dict[str, str] = {}
    for side in sorted(sides):
        for rule, detail in _one_side(old, new, side):
            if detail not in merged or RULES[rule].breaking:
                merged[detail] = rule
    for detail, rule in merged.items():
        yield rule, detail


def _one_side(old: Value | None, new: Value | None, side: Side) -> Iterator[tuple[str, str]]:
    if old is None and new is not None:
        required = new.limits.required
        rule = (
            "response-added"
            if side == "response"
            else f"request-added-{'required' if required else 'optional'}"
        )
        yield rule, f"added ({_describe(new)})"
        return
    if new is None and old is not None:
        yield f"{side}-removed", f"removed (was {_describe(old)})"
        return
    assert old is not None and new is not None
    if old.limits.required != new.limits.required:
        yield (
            f"{side}-now-{'required' if new.limits.required else 'optional'}",
            ("now required" if new.limits.required else "now optional"),
        )
    if old.limits.location != new.limits.location:
        yield "parameter-moved", f"sent in the {old.limits.location} -> the {new.limits.location}"
    for direction, detail in _moves(old, new):
        yield f"{side}-{direction}", detail
    for field in dataclasses.fields(old.limits):
        if field.name not in _LIMITS_FIELDS_READ:
            before, after = getattr(old.limits, field.name), getattr(new.limits, field.name)
            if before != after:
                yield "value-other-changed", f"{field.name} {before!r} -> {after!r}"


def _label(sides: frozenset[Side]) -> str:
    return " and ".join(sorted(sides))


def _body_changes(old: Body | None, new: Body | None) -> Iterator[tuple[str, str]]:
    """(rule, detail) for an operation's request body."""
    if old is None and new is not None:
        yield (
            f"request-body-added-{'required' if new.required else 'optional'}",
            f"request body added ({new.shape})",
        )
    elif new is None and old is not None:
        yield "request-body-removed", f"request body removed (was {old.shape})"
    elif old is not None and new is not None:
        if old.shape != new.shape:
            yield "request-body-changed", f"request body {old.shape} -> {new.shape}"
        if old.required != new.required:
            state = "required" if new.required else "optional"
            yield f"request-body-now-{state}", f"request body now {state}"


def _error_changes(old: _spec.Operation, new: _spec.Operation, after: Contract) -> Iterator[tuple[str, str]]:
    """(rule, detail) for the error statuses and codes of an operation, naming the class each raises."""
    for status in sorted(old.error_codes.keys() | new.error_codes.keys()):
        if status not in old.error_codes:
            raised_as = after.raised_as(status, None).__name__
            yield "error-status-added", f"error status {status} added (raised as `{raised_as}`)"
        elif status not in new.error_codes:
            yield "error-status-removed", f"error status {status} removed"
        old_codes, new_codes = set(old.error_codes.get(status, ())), set(new.error_codes.get(status, ()))
        for code in sorted(new_codes - old_codes):
            raised_as = after.raised_as(status, code).__name__
            yield "error-code-added", f"error code `{code}` ({status}) added (raised as `{raised_as}`)"
        for code in sorted(old_codes - new_codes):
            yield "error-code-removed", f"error code `{code}` ({status}) removed"


def operation_changes(
    old: _spec.Operation, new: _spec.Operation, before: Contract, after: Contract
) -> Iterator[Change]:
    """The changes to one operation kept under the same SDK method name: `before` and `after` are the
    contracts the two come from (for bodies and parameters)."""
    name = new.name

    def change(rule: str, detail: str, subject: str = f"`{name}`") -> Change:
        return Change("Contract", subject, detail, rule)

    if old.credits != new.credits:
        rule = "credits-raised" if new.credits > old.credits else "credits-lowered"
        yield change(rule, f"{old.credits} -> {new.credits} credit{'s' if new.credits != 1 else ''}")
    old_route, new_route = (f"{op.method} {op.path} ({op.operation_id})" for op in (old, new))
    if old_route != new_route:
        yield change("route-changed", f"route {old_route} -> {new_route}")
    if old.success_status != new.success_status:
        yield change("success-status-changed", f"success status {old.success_status} -> {new.success_status}")
    old_body, new_body = before.response_bodies[name], after.response_bodies[name]
    if old_body != new_body:
        shapes = [body.shape if body is not None else "no body" for body in (old_body, new_body)]
        yield change("response-body-changed", f"returns {shapes[0]} -> {shapes[1]}")
    for rule, detail in _body_changes(before.request_bodies[name], after.request_bodies[name]):
        yield change(rule, detail)
    old_parameters, new_parameters = before.parameters[name], after.parameters[name]
    for parameter in sorted(old_parameters.keys() | new_parameters.keys()):
        found = value_changes(
            old_parameters.get(parameter), new_parameters.get(parameter), frozenset({"request"})
        )
        for rule, detail in found:
            yield change(rule, detail, f"`{name}` parameter `{parameter}`")
    for rule, detail in _error_changes(old, new, after):
        yield change(rule, detail)
    if old.already_in_state != new.already_in_state:
        rule = "already-in-state-" + ("added" if old.already_in_state is None else "changed")
        rule = "already-in-state-removed" if new.already_in_state is None else rule
        codes = [f"`{code}`" if code else "none" for code in (old.already_in_state, new.already_in_state)]
        yield change(rule, f"'already in that state' code {codes[0]} -> {codes[1]}")
    for field in dataclasses.fields(old):
        if field.name not in _OPERATION_FIELDS_READ:
            old_value, new_value = getattr(old, field.name), getattr(new, field.name)
            if old_value != new_value:
                yield change("operation-other-changed", f"{field.name} {old_value!r} -> {new_value!r}")


def _error_class_changes(before: Contract, after: Contract) -> Iterator[Change]:
    """A 403 code that both versions document, raised as another class: compared only when both specs
    say what their codes are (`x-tatum-error-kinds`); before that, the SDK kept the mapping in code."""
    if before.error_kinds is None or after.error_kinds is None:
        return
    codes = [
        {code for op in contract.operations.values() for code in op.error_codes.get(403, ())}
        for contract in (before, after)
    ]
    for code in sorted(codes[0] & codes[1]):
        old, new = before.raised_as(403, code), after.raised_as(403, code)
        if old is not new:
            rule = "error-class-narrowed" if issubclass(new, old) else "error-class-changed"
            yield Change(
                "Contract",
                f"error code `{code}` (403)",
                f"raised as `{old.__name__}` -> `{new.__name__}`",
                rule,
            )


def changes(old_spec: dict[str, Any], new_spec: dict[str, Any]) -> list[Change]:
    """Every contract change from `old_spec` to `new_spec`, classed; operations first, then schemas."""
    before, after = read(old_spec), read(new_spec)
    found: list[Change] = []
    for name in sorted(before.operations.keys() | after.operations.keys()):
        old, new = before.operations.get(name), after.operations.get(name)
        if old is None and new is not None:
            found.append(
                Change(
                    "Contract",
                    f"`{name}`",
                    f"added ({new.method} {new.path}, {new.credits} credits)",
                    "operation-added",
                )
            )
        elif new is None and old is not None:
            found.append(
                Change("Contract", f"`{name}`", f"removed (was {old.method} {old.path})", "operation-removed")
            )
        elif old is not None and new is not None:
            found.extend(operation_changes(old, new, before, after))
    found.extend(_error_class_changes(before, after))
    for schema in sorted(before.schemas.keys() & after.schemas.keys()):
        sides = before.sides[schema] | after.sides[schema]
        old_fields, new_fields = before.schemas[schema], after.schemas[schema]
        for field in sorted(old_fields.keys() | new_fields.keys()):
            subject = f"`{schema}.{field}` ({_label(sides)} field)"
            for rule, detail in value_changes(old_fields.get(field), new_fields.get(field), sides):
                found.append(Change("Contract", subject, detail, rule))
    return found
