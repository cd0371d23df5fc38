"""Each operation's request checks, compiled once from the spec at start-up (fastjsonschema).

They decide only one thing, fast: that a request is certainly valid, and what its parameters and body are.
Anything they do not recognise as valid (or any operation whose spec uses a feature they do not compile) goes
to `Contract`'s reference check with openapi-core, which decides and builds Tatum's 400 items, so both paths
answer alike (tests/test_sandbox_contract.py compares them).

Two readings are stricter than openapi-core's, and both paths apply them:

- an integer parameter is written as a JSON integer (`-?(0|[1-9][0-9]*)`, ASCII digits), so `+5`, ` 5`,
  `05`, `1_0`, `5.0` and Arabic-Indic digits are not integers, as a JSON API would refuse them;
- a `Content-Type` is read as RFC 9110 writes it; one that does not parse is treated as absent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import fastjsonschema

_JSON_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
_MEDIA_TYPE = re.compile(
    rf"(?P<essence>{_TOKEN}/{_TOKEN})(?P<parameters>(?:[ \t]*;[ \t]*(?:{_TOKEN}=(?:{_TOKEN}|{_QUOTED}))?)*)"
)
_PARAMETER = re.compile(rf"({_TOKEN})=({_TOKEN}|{_QUOTED})")

# JSON Schema keywords compiled as they are; annotations the checks ignore; anything else is not compiled.
_KEYWORDS = {
    "type",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
}
_ANNOTATIONS = {"description", "example", "title", "default", "deprecated"}

Validate = Callable[[Any], Any]


class Unsupported(Exception):
    """A spec feature the compiled checks do not cover; its operation is always checked by openapi-core."""


def json_integer(text: str) -> int | None:
    """The integer a query value writes in JSON's grammar; None if it writes none (or too long a one)."""
    if _JSON_INTEGER.fullmatch(text) is None:
        return None
    try:
        return int(text)
    except ValueError:  # past Python's limit on digits
        return None


def media_type(header: str) -> tuple[str, dict[str, str]] | None:
    """The essence (lower case) and parameters of a Content-Type value; None if it does not parse."""
    found = _MEDIA_TYPE.fullmatch(header.strip(" \t"))
    if found is None:
        return None
    parameters = {
        name.lower(): value[1:-1] if value.startswith('"') else value
        for name, value in _PARAMETER.findall(found["parameters"])
    }
    return found["essence"].lower(), parameters


def _resolve(schema: Mapping[str, Any], spec: Mapping[str, Any], depth: int = 0) -> Mapping[str, Any]:
    if depth > 32:
        raise Unsupported("a $ref cycle")
    ref = schema.get("$ref")
    if ref is None:
        return schema
    if not isinstance(ref, str) or not ref.startswith("#/"):
        raise Unsupported(f"$ref {ref!r}")
    target: Any = spec
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return _resolve(target, spec, depth + 1)


def json_schema(schema: Mapping[str, Any], spec: Mapping[str, Any], depth: int = 0) -> dict[str, Any]:
    """An OpenAPI 3.0 schema as a draft-04 JSON Schema with its $refs inlined; Unsupported if it cannot be."""
    if depth > 32:
        raise Unsupported("schemas nested too deep")
    schema = _resolve(schema, spec)
    converted: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS or keyword.startswith("x-") or (keyword == "nullable" and not value):
            continue
        if keyword not in _KEYWORDS:
            raise Unsupported(f"schema keyword {keyword}")
        if keyword == "properties":
            value = {name: json_schema(item, spec, depth + 1) for name, item in value.items()}
        elif keyword in ("items", "additionalProperties") and isinstance(value, Mapping):
            value = json_schema(value, spec, depth + 1)
        converted[keyword] = value
    return converted


def compile_schema(schema: Mapping[str, Any], spec: Mapping[str, Any]) -> Validate:
    """A function that returns its argument when it is valid against `schema`, and raises otherwise."""
    draft4 = {"$schema": "http://json-schema.org/draft-04/schema#", **json_schema(schema, spec)}
    validate: Validate = fastjsonschema.compile(draft4, use_default=False, use_formats=False)
    return validate


@dataclass(frozen=True)
class QueryParameter:
    name: str
    required: bool
    integer: bool
    """Written as a JSON integer (else a string)."""
    validate: Validate


@dataclass(frozen=True)
class OperationChecks:
    """The compiled checks of one operation."""

    path: dict[str, Validate]
    query: tuple[QueryParameter, ...]
    body: Validate | None
    """None: the operation takes no body."""
    media_types: frozenset[str]

    def check(
        self, path: Mapping[str, str], query: Mapping[str, str], content_type: str, body: Any
    ) -> tuple[dict[str, Any], Any] | None:
        """The parameters and body of a certainly valid request (`body` parsed JSON); None if in doubt."""
        parameters: dict[str, Any] = {}
        try:
            for name, validate in self.path.items():
                parameters[name] = validate(path[name])
            for parameter in self.query:
                text = query.get(parameter.name)
                if text is None:
                    if parameter.required:
                        return None
                    continue
                value = json_integer(text) if parameter.integer else text
                if value is None:
                    return None
                parameters[parameter.name] = parameter.validate(value)
            if self.body is None:
                return parameters, None
            media = media_type(content_type)
            if media is None or media[0] not in self.media_types:
                return None
            return parameters, self.body(body)
        except (fastjsonschema.JsonSchemaException, KeyError):
            return None


def compile_operation(
    operation: Mapping[str, Any], path_item: Mapping[str, Any], spec: Mapping[str, Any]
) -> OperationChecks | None:
    """The compiled checks of an operation; None when its spec uses something they do not cover."""
    try:
        path: dict[str, Validate] = {}
        query: list[QueryParameter] = []
        parameters = [*path_item.get("parameters", ()), *operation.get("parameters", ())]
        for parameter in (_resolve(item, spec) for item in parameters):
            schema = _resolve(parameter.get("schema", {}), spec)
            if set(parameter) - {"name", "in", "required", "schema", "description", "example"}:
                raise Unsupported(f"parameter {parameter['name']} has a style or content")
            kind = schema.get("type")
            if parameter["in"] == "path" and kind == "string":
                path[parameter["name"]] = compile_schema(schema, spec)
            elif parameter["in"] == "query" and kind == "integer":
                validate = compile_schema(schema, spec)
                query.append(
                    QueryParameter(parameter["name"], parameter.get("required", False), True, validate)
                )
            else:
                raise Unsupported(f"a {kind} parameter in {parameter['in']}")
        body: Validate | None = None
        media_types: frozenset[str] = frozenset()
        request_body = operation.get("requestBody")
        if request_body is not None:
            request_body = _resolve(request_body, spec)
            if not request_body.get("required", False):
                raise Unsupported("an optional request body")
            content = request_body["content"]
            if set(content) != {"application/json"}:
                raise Unsupported("a body that is not only JSON")
            body = compile_schema(content["application/json"]["schema"], spec)
            media_types = frozenset(content)
    except Unsupported:
        return None
    return OperationChecks(path, tuple(query), body, media_types)


def integer_query_parameters(
    operation: Mapping[str, Any], path_item: Mapping[str, Any], spec: Mapping[str, Any]
) -> frozenset[str]:
    """The names of an operation's integer query parameters (read as JSON integers on both paths)."""
    parameters = [*path_item.get("parameters", ()), *operation.get("parameters", ())]
    return frozenset(
        parameter["name"]
        for parameter in (_resolve(item, spec) for item in parameters)
        if parameter.get("in") == "query"
        and _resolve(parameter.get("schema", {}), spec).get("type") == "integer"
    )
