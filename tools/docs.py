"""Write docs/CustomerApi.md, the SDK's reference page, from the spec and the SDK's real signatures.

    python tools/docs.py            # write docs/CustomerApi.md
    python tools/docs.py --check    # exit 1, with a diff, when the committed page is stale

Everything on the page is read from somewhere that cannot drift: paths, parameters, constraints, credit
costs and error codes from openapi/customer.yaml (as shipped in tatum_client/openapi.json), signatures and
docstrings from the `tatum` package, model fields from the generated attrs classes.
"""

from __future__ import annotations

import argparse
import difflib
import inspect
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import tatum
from tatum import _spec, errors
from tatum.customer import AsyncCustomerApi, CustomerApi
from tatum_client.models import Customer, CustomerUpdate

SPEC = _spec.packaged_spec()
SCHEMAS = SPEC["components"]["schemas"]
ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "CustomerApi.md"
EXAMPLES = "../examples/customer"


def anchor(title: str) -> str:
    return title.lower().replace(" ", "-").replace("`", "").replace("(", "").replace(")", "").replace(".", "")


def signature(method: Callable[..., Any], prefix: str) -> str:
    """The method's signature as its source writes it (the modules use postponed annotations)."""
    sig = inspect.signature(method)
    params = []
    for param in sig.parameters.values():
        if param.name == "self":
            continue
        stars = "**" if param.kind is inspect.Parameter.VAR_KEYWORD else ""
        default = "" if param.default is inspect.Parameter.empty else f" = {param.default!r}"
        params.append(f"{stars}{param.name}: {param.annotation}{default}")
    return f"{prefix}{method.__name__}({', '.join(params)}) -> {sig.return_annotation}"


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell (a `|` would split the cell, even inside backticks)."""
    return text.replace("|", "\\|")


def docstring(method: Callable[..., Any]) -> str:
    return inspect.cleandoc(method.__doc__ or "")


def constraints(limits: _spec.Limits) -> str:
    rules = []
    if limits.min_length is not None or limits.max_length is not None:
        rules.append(
            f"{limits.min_length or 0}..{limits.max_length if limits.max_length is not None else ''} characters"
        )
    if limits.minimum is not None or limits.maximum is not None:
        low = "" if limits.minimum is None else limits.minimum
        high = "" if limits.maximum is None else limits.maximum
        rules.append(f"{low}..{high}")
    if limits.enum is not None:
        rules.append(f"one of {len(limits.enum)} codes")
    return "; ".join(rules) or "-"


def method_section(name: str) -> Iterator[str]:
    operation = _spec.OPERATIONS[name]
    sync_method = getattr(CustomerApi, name)
    yield f"## `{name}()`"
    yield ""
    yield f"> **{operation.method}** `{operation.path}` · operationId `{operation.operation_id}`"
    yield ""
    yield f"**{operation.credits} credit{'s' if operation.credits != 1 else ''} per call.** {operation.summary}."
    yield ""
    yield "```python"
    yield signature(sync_method, "sdk.{mainnet,testnet}().api().customer().")
    yield signature(getattr(AsyncCustomerApi, name), "await async_sdk.{mainnet,testnet}().api().customer().")
    yield "```"
    yield ""
    yield "| parameter | in | type | required | constraints | description |"
    yield "| --- | --- | --- | --- | --- | --- |"
    for api_name, limits in operation.parameters.items():
        sdk_name = _spec.snake_case(api_name)
        yield f"| `{sdk_name}` | {limits.location} (`{api_name}`) | {limits.type} | {'yes' if limits.required else 'no'} | {constraints(limits)} | {limits.description} |"
    if name == "update_customer":
        yield "| `customer_update` | body | [CustomerUpdate](#customerupdate) or a mapping of its API field names | yes | see the model | the fields to change |"
    yield ""
    yield docstring(sync_method)
    yield ""
    yield f"From the API: {operation.description}"
    yield ""
    yield f"Example: [`examples/customer/{name}.py`]({EXAMPLES}/{name}.py)"
    yield ""
    yield "[Back to top](#customerapi)"
    yield ""


def model_section(model: type[Any], schema_name: str) -> Iterator[str]:
    yield f"### {model.__name__}"
    yield ""
    yield " ".join(SCHEMAS[schema_name].get("description", f"The `{schema_name}` schema of the API.").split())
    yield ""
    yield "| attribute | API field | type | required | constraints | description |"
    yield "| --- | --- | --- | --- | --- | --- |"
    fields = _spec.schema_fields(SPEC, schema_name)
    for field in attrs.fields(model):
        if field.name == "additional_properties":
            continue
        api_name = _spec.camel_case(field.name)
        limits = fields[api_name]
        yield f"| `{field.name}` | `{api_name}` | `{cell(str(field.type))}` | {'yes' if limits.required else 'no'} | {constraints(limits)} | {limits.description} |"
    yield ""


def enum_section(schema_name: str) -> Iterator[str]:
    limits = _spec.limits_of(SPEC, schema_name, SCHEMAS[schema_name])
    assert limits.enum is not None
    yield f"### {schema_name}"
    yield ""
    yield f"{limits.description} {len(limits.enum)} codes, given as plain strings:"
    yield ""
    yield " ".join(f"`{code}`" for code in sorted(limits.enum))
    yield ""


def errors_section() -> Iterator[str]:
    yield "## Errors"
    yield ""
    yield "Module `tatum.errors`, every name re-exported from `tatum`. `ApiError` and its subclasses carry"
    yield "`status_code`, `error_code`, `message`, `data`, `headers` and `request_id` (the answer's `x-request-id`, else"
    yield "Cloudflare's `cf-ray`: quote it to Tatum's support)."
    yield ""
    yield "```"
    yield inspect.cleandoc(errors.__doc__ or "").split("\n\n", 1)[1]
    yield "```"
    yield ""
    yield "| exception | base | when |"
    yield "| --- | --- | --- |"
    for name in sorted(errors.__all__, key=lambda n: [c.__name__ for c in getattr(errors, n).__mro__[::-1]]):
        cls = getattr(errors, name)
        base = cls.__mro__[1].__name__
        doc = " ".join(inspect.cleandoc(cls.__doc__ or "").split())
        yield f"| `{name}` | `{base}` | {doc} |"
    yield ""


def page() -> str:
    names = list(_spec.OPERATIONS)
    lines = [
        "<!-- Written by `make docs` (tools/docs.py) from openapi/customer.yaml and the tatum package. Do not edit. -->",
        "",
        "# CustomerApi",
        "",
        f"Tatum's ledger Customer API in Python (`tatum-sdk` {tatum.__version__}): the seven methods of the PHP",
        "SDK's CustomerApi, in snake_case.",
        "",
        "```python",
        "from tatum import Sdk",
        "",
        "with Sdk() as sdk:  # keys: TATUM_API_KEY_MAINNET / TATUM_API_KEY_TESTNET",
        "    sdk.mainnet().api().customer()  # MainNet API calls",
        "    sdk.testnet().api().customer()  # TestNet API calls",
        "```",
        "",
        "## Methods",
        "",
        "| method | HTTP request | credits | description |",
        "| --- | --- | --- | --- |",
    ]
    for name in sorted(names):
        op = _spec.OPERATIONS[name]
        lines.append(
            f"| [`{name}()`](#{anchor(name)}) | {op.method} `{op.path}` | {op.credits} | {op.summary} |"
        )
    lines.append(
        f"| [`iter_customers()`](#iter_customers), [`pages()`](#pages) | GET `{_spec.OPERATIONS['find_all_customers'].path}`, page after page | {_spec.OPERATIONS['find_all_customers'].credits} per page | Every customer |"
    )
    lines += [
        "",
        "Every method also takes the keyword-only options of `tatum.RequestOptions` (`**options` below):",
        "",
        inspect.cleandoc(tatum.RequestOptions.__doc__ or "").split("\n\n", 1)[1],
        "",
        "`api.with_raw_response.<method>(...)` returns the call's `tatum.ApiResponse` (`status_code`, `headers`,",
        "`request_id`, `elapsed`, `attempts`, `credits`, `http_response`); its `parse()` gives what the method returns.",
        "",
    ]
    for name in sorted(names):
        lines.extend(method_section(name))
    lines += [
        "## `iter_customers()`",
        "",
        "```python",
        signature(CustomerApi.iter_customers, "sdk.{mainnet,testnet}().api().customer()."),
        signature(AsyncCustomerApi.aiter_customers, "async_sdk.{mainnet,testnet}().api().customer()."),
        "```",
        "",
        docstring(CustomerApi.iter_customers),
        "",
        "## `pages()`",
        "",
        "```python",
        signature(CustomerApi.pages, "sdk.{mainnet,testnet}().api().customer()."),
        signature(AsyncCustomerApi.apages, "async_sdk.{mainnet,testnet}().api().customer()."),
        "```",
        "",
        docstring(CustomerApi.pages),
        "",
        "## Models",
        "",
        "From `tatum` (generated in `tatum_client.models`). Responses are forgiving (unknown codes and fields parse;",
        "extra fields land in `additional_properties`), requests strict.",
        "",
    ]
    lines.extend(model_section(Customer, "Customer"))
    lines.extend(model_section(CustomerUpdate, "CustomerUpdate"))
    lines.extend(enum_section("FiatCurrency"))
    lines.extend(enum_section("CountryCode"))
    lines.extend(errors_section())
    return "\n".join(line.rstrip() for line in lines).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="fail with a diff if docs/CustomerApi.md is stale"
    )
    args = parser.parse_args()
    fresh = page()
    if not args.check:
        PAGE.parent.mkdir(exist_ok=True)
        PAGE.write_text(fresh, encoding="utf-8")
        print(f"wrote {PAGE.relative_to(ROOT)}")
        return 0
    committed = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
    if committed == fresh:
        print("docs/CustomerApi.md is up to date")
        return 0
    sys.stdout.writelines(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            "docs/CustomerApi.md",
            "make docs",
        )
    )
    print("\ndocs/CustomerApi.md is stale: run `make docs` and commit it.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
