"""The spec shipped in the package (`tatum_client/openapi.json`), as the sandbox's routes and request checks.

`Contract.match` finds the spec path of a request by its templates, segment by raw segment, so
a `%2F` inside an id stays inside that one parameter. `Contract.check` validates the request with
openapi-core and returns its parameters and body, or the items of Tatum's 400 `validation.failed` body.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from openapi_core import OpenAPI
from openapi_core.casting.schemas.exceptions import CastError
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.validation.request.exceptions import (
    MissingRequiredParameter,
    MissingRequiredRequestBody,
    ParameterValidationError,
    RequestBodyValidationError,
)
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from starlette.datastructures import QueryParams

from .validators import compile_operation, integer_query_parameters, json_integer, media_type

# What an integer query parameter that is not written as a JSON integer becomes for openapi-core: a value it
# cannot cast, so it reports it as not an integer, while the 400 item still quotes what the client sent.
_NOT_AN_INTEGER = "not an integer"

EXCERPT_CHARS = 200
"""A 400 body quotes at most this many characters of a string the client sent."""
EXCERPT_ENTRIES = 20
"""... at most this many entries of an array or object, this many levels deep ..."""
EXCERPT_DEPTH = 4
MAX_ITEMS = 20
"""... and lists at most this many invalid properties."""

# The spec's only server. openapi-core matches requests against it, whatever host the sandbox listens on.
_SPEC_HOST = "https://api.tatum.io"

# Messages in the style of Tatum's validator (class-validator), by the JSON Schema keyword that failed.
_MESSAGES = {
    "maximum": "{name} must not be greater than {limit}",
    "minimum": "{name} must not be less than {limit}",
    "maxLength": "{name} must be shorter than or equal to {limit} characters",
    "minLength": "{name} must be longer than or equal to {limit} characters",
    "enum": "{name} must be one of the allowed values",
    "type": "{name} must be of type {limit}",
    "required": "{name} should not be null or undefined",
    "additionalProperties": "property {name} should not exist",
}


@functools.cache
def _segments(template: str) -> tuple[str, ...]:
    """A path template's segments, split once (the spec's few templates, on every request)."""
    return tuple(template.split("/"))


def match_path(templates: Iterable[str], raw_path: str) -> tuple[str, dict[str, str]] | None:
    """The path template a raw (still percent-encoded) request path matches, and its decoded parameters.

    Matching is segment by raw segment, so a `%2F` inside an id never splits it; a literal segment beats a
    template segment (`/customer/{id}` vs a literal route of the same length).
    """
    parts = raw_path.split("/")
    best: tuple[int, str, dict[str, str]] | None = None
    for template in templates:
        template_parts = _segments(template)
        if len(template_parts) != len(parts):
            continue
        parameters: dict[str, str] = {}
        literals = 0
        for want, got in zip(template_parts, parts, strict=True):
            if want.startswith("{") and want.endswith("}"):
                parameters[want[1:-1]] = unquote(got)
            elif want == got:
                literals += 1
            else:
                break
        else:
            if best is None or literals > best[0]:
                best = (literals, template, parameters)
    return None if best is None else (best[1], best[2])


@dataclass(frozen=True)
class Route:
    """The spec path a request matched: template, path parameters (decoded) and operations."""

    template: str
    path_parameters: dict[str, str]
    operations: dict[str, str]
    """operationId by HTTP method (upper case)."""


@dataclass(frozen=True)
class Checked:
    """A request checked against the spec: its parameters and body, unmarshalled, or what is wrong with it."""

    parameters: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    problems: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Request:
    """A request as openapi-core reads it (its `Request` and `SupportsPathPattern` protocols)."""

    method: str
    path: str
    path_pattern: str
    parameters: RequestParameters
    content_type: str
    body: bytes | None
    host_url: str = _SPEC_HOST


class Contract:
    """The operations of a spec, and the check of requests against it.

    `check` runs the checks compiled at start-up (`validators`); a request they do not find valid goes to
    `reference_check`, openapi-core's verdict and Tatum's 400 items, as the sandbox answered before it had
    compiled checks.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self._api = OpenAPI.from_dict(spec)
        self._paths = {
            template: {
                method.upper(): data["operationId"]
                for method, data in item.items()
                if isinstance(data, dict) and "operationId" in data
            }
            for template, item in spec["paths"].items()
        }
        operations = [
            (data, item)
            for item in spec["paths"].values()
            for data in item.values()
            if isinstance(data, dict) and "operationId" in data
        ]
        self._with_body = {data["operationId"] for data, _ in operations if "requestBody" in data}
        self._compiled = {
            data["operationId"]: compile_operation(data, item, spec) for data, item in operations
        }
        self._integers = {
            data["operationId"]: integer_query_parameters(data, item, spec) for data, item in operations
        }

    def match(self, raw_path: str) -> Route | None:
        """The spec path a raw (still percent-encoded) request path matches; None if none does."""
        found = match_path(self._paths, raw_path)
        if found is None:
            return None
        template, parameters = found
        return Route(template, parameters, self._paths[template])

    def check(
        self,
        route: Route,
        operation_id: str,
        method: str,
        query: QueryParams,
        headers: Mapping[str, str],
        content_type: str,
        body: bytes,
    ) -> Checked:
        """Validate a request of an operation: its parameters and body, or Tatum's 400 items."""
        takes_body = operation_id in self._with_body
        document: Any = None
        if takes_body and body:
            try:
                document = parse_json(body)
            except ValueError:
                item = _item(
                    {}, "body", None, "isJson", "body must be valid JSON (UTF-8, no NaN or Infinity)"
                )
                return Checked(problems=[item])
        compiled = self._compiled.get(operation_id)
        if compiled is not None and (body or not takes_body):
            found = compiled.check(route.path_parameters, query, content_type, document)
            if found is not None:
                return Checked(parameters=found[0], body=found[1])
        return self.reference_check(route, operation_id, method, query, headers, content_type, body)

    def reference_check(
        self,
        route: Route,
        operation_id: str,
        method: str,
        query: QueryParams,
        headers: Mapping[str, str],
        content_type: str,
        body: bytes,
    ) -> Checked:
        """`check` by openapi-core alone (with JSON integers and RFC 9110 content types, as `check` reads them)."""
        takes_body = operation_id in self._with_body
        if takes_body and body and not _strict_json(body):
            item = _item({}, "body", None, "isJson", "body must be valid JSON (UTF-8, no NaN or Infinity)")
            return Checked(problems=[item])
        integers = self._integers.get(operation_id, frozenset())
        strict_query = QueryParams(
            [
                (name, _NOT_AN_INTEGER if name in integers and json_integer(value) is None else value)
                for name, value in query.multi_items()
            ]
        )
        media = media_type(content_type)
        request = _Request(
            method=method.lower(),
            path=route.template,
            path_pattern=route.template,
            parameters=RequestParameters(query=strict_query, header=headers, path=route.path_parameters),
            content_type="" if media is None else media[0],
            body=body if takes_body else None,
        )
        result = self._api.unmarshal_request(request)
        if result.errors:
            raw = {"query": dict(query.items()), "path": route.path_parameters}
            problems = [item for error in result.errors for item in _problems(error, raw, body)]
            return Checked(problems=_merged(problems))
        parameters = {**result.parameters.query, **result.parameters.path}
        return Checked(parameters=parameters, body=result.body)


def seconds_text(seconds: float) -> str:
    """Seconds as a `Retry-After` value: whole seconds as an integer (`2`), fractions in decimal, to the
    microsecond (`0.2`), never in exponent notation."""
    return f"{seconds:.6f}".rstrip("0").rstrip(".")


def json_bytes(value: Any) -> bytes:
    """JSON as the sandbox sends it: ASCII-escaped, so any text can be echoed."""
    return json.dumps(value).encode()


def json_object(data: object, fields: Collection[str], what: str) -> Mapping[str, Any]:
    """`data` as a JSON object with no keys but `fields`; ValueError naming `what` it must be otherwise."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} must be a JSON object")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; the fields are {', '.join(sorted(fields))}")
    return data


def parse_json(body: bytes) -> Any:
    """A JSON body, strictly: UTF-8, no NaN or Infinity (nor a number too large for a double, which Python
    would read as infinity), no lone surrogates (so it can be echoed back). Raises ValueError."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    def finite(text: str) -> float:
        number = float(text)
        if number in (math.inf, -math.inf):
            raise ValueError(f"{text[:20]} is too large a number")
        return number

    try:
        value = json.loads(body.decode("utf-8"), parse_constant=refuse, parse_float=finite)
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, RecursionError) as error:
        raise ValueError(str(error)) from error
    return value


def excerpt(value: Any, depth: int = 0) -> Any:
    """`value` as a 400 body may quote it: long strings, arrays and objects cut, deep nesting elided."""
    if isinstance(value, str):
        return value if len(value) <= EXCERPT_CHARS else value[:EXCERPT_CHARS] + "\u2026"
    if not isinstance(value, list | dict):
        return value
    if depth >= EXCERPT_DEPTH:
        return "\u2026"
    if isinstance(value, list):
        cut = [excerpt(item, depth + 1) for item in value[:EXCERPT_ENTRIES]]
        return [*cut, "\u2026"] if len(value) > EXCERPT_ENTRIES else cut
    entries = list(value.items())
    cut_object = {excerpt(key): excerpt(item, depth + 1) for key, item in entries[:EXCERPT_ENTRIES]}
    if len(entries) > EXCERPT_ENTRIES:
        cut_object["\u2026"] = f"{len(entries) - EXCERPT_ENTRIES} more"
    return cut_object


def _strict_json(body: bytes) -> bool:
    try:
        parse_json(body)
    except ValueError:
        return False
    return True


def _item(target: Any, name: str, value: Any, constraint: str, message: str) -> dict[str, Any]:
    item: dict[str, Any] = {"target": excerpt(target)}
    if value is not None:
        item["value"] = excerpt(value)
    item.update(property=excerpt(name), constraints={constraint: excerpt(message)})
    return item


def _message(keyword: str, name: str, limit: Any, fallback: str) -> str:
    template = _MESSAGES.get(keyword)
    return fallback if template is None else template.format(name=name, limit=limit)


def _problems(error: Exception, raw: dict[str, dict[str, Any]], body: bytes) -> list[dict[str, Any]]:
    """The 400 items for one error openapi-core reported."""
    cause = error.__cause__
    if isinstance(error, ParameterValidationError):
        target = raw.get(error.location, {})
        name, value = error.name, target.get(error.name)
        if isinstance(error, MissingRequiredParameter):
            return [_item(target, name, None, "required", _message("required", name, None, ""))]
        if isinstance(cause, CastError):
            message = f"{name} must be of type {cause.type}"
            return [_item(target, name, value, "type", message)]
        if isinstance(cause, InvalidSchemaValue):
            return [_schema_item(target, name, schema_error) for schema_error in cause.schema_errors]
        return [_item(target, name, value, "valid", f"{name} is not valid: {error}")]
    if isinstance(error, RequestBodyValidationError):
        if isinstance(error, MissingRequiredRequestBody):
            return [_item({}, "body", None, "required", "body should not be empty")]
        if isinstance(cause, MediaTypeNotFound):
            message = f"body must be sent as {', '.join(cause.availableMimetypes)}"
            return [_item({}, "body", None, "contentType", message)]
        if isinstance(cause, InvalidSchemaValue):
            document = parse_json(body)
            return [
                item for schema_error in cause.schema_errors for item in _body_items(document, schema_error)
            ]
        return [_item({}, "body", None, "isJson", "body must be valid JSON")]
    return [_item({}, "request", None, "valid", str(error) or type(error).__name__)]


def _schema_item(target: Any, name: str, schema_error: Exception) -> dict[str, Any]:
    keyword = str(getattr(schema_error, "validator", "valid"))
    limit = getattr(schema_error, "validator_value", None)
    message = _message(keyword, name, limit, f"{name}: {getattr(schema_error, 'message', schema_error)}")
    return _item(target, name, getattr(schema_error, "instance", None), keyword, message)


def _body_items(document: Any, schema_error: Exception) -> list[dict[str, Any]]:
    """The items for one schema error in a JSON body: the property is the failing field."""
    target = document if isinstance(document, dict) else {}
    keyword = str(getattr(schema_error, "validator", "valid"))
    path = [str(part) for part in getattr(schema_error, "path", ())]
    instance = getattr(schema_error, "instance", None)
    if path:
        return [_schema_item(target, ".".join(path), schema_error)]
    if keyword == "required" and isinstance(instance, dict):
        missing = [name for name in getattr(schema_error, "validator_value", ()) if name not in instance]
        return [_item(target, name, None, keyword, _message(keyword, name, None, "")) for name in missing]
    if keyword == "additionalProperties" and isinstance(instance, dict):
        known = getattr(schema_error, "schema", {}).get("properties", {})
        return [
            _item(target, name, instance[name], keyword, _message(keyword, name, None, ""))
            for name in instance
            if name not in known
        ]
    return [_schema_item(target, "body", schema_error)]


def _merged(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per property, with all its failed constraints (as Tatum's validator reports them)."""
    merged: dict[str, dict[str, Any]] = {}
    for item in items:
        existing = merged.setdefault(item["property"], item)
        if existing is not item:
            existing["constraints"].update(item["constraints"])
    return list(merged.values())[:MAX_ITEMS]
