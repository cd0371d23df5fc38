"""Facts kept in one place: the spec is their source, and the code either derives them or is compared with it.

Also the seam with the generated code: handwritten modules call only its public functions, and only
`tatum.customer` imports `tatum_client.api`.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import openapi_python_client
import pytest
import tatum
from lint_spec import problems
from support.contract_server import SPEC_PATH, load_spec
from tatum import _spec, errors

ROOT = Path(__file__).resolve().parents[1]
HANDWRITTEN = ROOT / "customizations" / "tatum"
TEMPLATES = ROOT / "templates"


def upstream_template(name: str) -> str:
    """The installed (pinned) generator's own template."""
    return (Path(openapi_python_client.__file__).parent / "templates" / name).read_text(encoding="utf-8")


def spec_operation_names() -> set[str]:
    spec = load_spec(SPEC_PATH)
    return {
        _spec.snake_case(data["operationId"])
        for item in spec["paths"].values()
        for data in item.values()
        if isinstance(data, dict) and "operationId" in data
    }


@pytest.mark.parametrize("api", [tatum.CustomerApi, tatum.AsyncCustomerApi])
def test_the_sdk_has_a_method_for_exactly_the_spec_operations(api: type) -> None:
    methods = {name for name, value in vars(api).items() if hasattr(value, "operation")}

    assert methods == spec_operation_names()


def test_every_state_change_knows_its_already_in_state_code_from_the_spec() -> None:
    state_changes = {
        name: operation.already_in_state
        for name, operation in _spec.OPERATIONS.items()
        if operation.already_in_state is not None
    }

    assert state_changes == {
        "activate_customer": "customer.active",
        "deactivate_customer": "customer.inactive",
        "enable_customer": "customer.enabled",
        "disable_customer": "customer.disabled",
    }
    for code in state_changes.values():
        assert errors.error_class(403, code) is tatum.CustomerStateError


def test_every_403_code_of_the_spec_raises_the_class_of_its_kind() -> None:
    codes = {code for operation in _spec.OPERATIONS.values() for code in operation.error_codes.get(403, ())}
    classes = {code: errors.error_class(403, code) for code in codes}

    assert classes == {
        "customer.not.exists": tatum.CustomerNotFoundError,
        "customer.internal.not.exists": tatum.CustomerNotFoundError,
        "customer.active": tatum.CustomerStateError,
        "customer.inactive": tatum.CustomerStateError,
        "customer.enabled": tatum.CustomerStateError,
        "customer.disabled": tatum.CustomerStateError,
        "customer.deactivate.account.active": tatum.CustomerStateError,
    }
    assert errors.error_class(403, "some.new.code") is tatum.ForbiddenError
    assert errors.error_class(403, None) is tatum.ForbiddenError


def test_every_kind_the_spec_names_has_an_exception_class() -> None:
    assert set(_spec.ERROR_KINDS.values()) <= set(errors._FORBIDDEN_KINDS)


def test_a_parameter_is_checked_as_a_path_segment_because_the_spec_puts_it_in_the_path() -> None:
    locations = {
        (name, parameter.name): parameter.location
        for name, operation in _spec.OPERATIONS.items()
        for parameter in operation.parameters.values()
    }

    assert locations[("find_all_customers", "pageSize")] == "query"
    assert locations[("update_customer", "id")] == "path"
    with pytest.raises(tatum.ValidationError, match="change the request's path"):
        tatum.Sdk().mainnet().api().customer().activate_customer("..")


# lint_spec: the spec's extensions hold together.


def test_the_spec_passes_its_lint() -> None:
    assert problems(load_spec(SPEC_PATH)) == []


def _broken(change: str) -> dict[str, Any]:
    spec = copy.deepcopy(load_spec(SPEC_PATH))
    activate = spec["paths"]["/v3/ledger/customer/{id}/activate"]["put"]
    if change == "unknown code":
        activate["responses"]["403"]["x-tatum-error-codes"].append("customer.frozen")
    elif change == "already not a code":
        activate["x-tatum-already-in-state"] = "customer.enabled"
    elif change == "no credits":
        del activate["x-tatum-credits"]
    return spec


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("unknown code", "activateCustomer: 403 code customer.frozen has no kind"),
        ("already not a code", "x-tatum-already-in-state customer.enabled is not one of its 403 codes"),
        ("no credits", "activateCustomer (PUT /v3/ledger/customer/{id}/activate) lacks x-tatum-credits"),
    ],
)
def test_lint_spec_names_what_does_not_hold_together(change: str, problem: str) -> None:
    found = problems(_broken(change))

    assert any(problem in line for line in found), found


# The seam with the generated code.


def _handwritten_modules() -> list[Path]:
    return sorted(HANDWRITTEN.rglob("*.py"))


def test_only_the_customer_module_imports_the_generated_api() -> None:
    importers = set()
    for path in _handwritten_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tatum_client.api"):
                importers.add(path.relative_to(HANDWRITTEN).as_posix())
            if isinstance(node, ast.Import) and any(
                alias.name.startswith("tatum_client.api") for alias in node.names
            ):
                importers.add(path.relative_to(HANDWRITTEN).as_posix())

    assert importers == {"customer.py"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_handwritten_module_touches_a_generated_private() -> None:
    touched = []
    for path in _handwritten_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        generated_names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tatum_client"):
                for alias in node.names:
                    if _private(alias.name):
                        touched.append(f"{path.name}: imports {alias.name}")
                    generated_names.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                generated_names |= {
                    (alias.asname or alias.name).split(".")[0]
                    for alias in node.names
                    if alias.name.startswith("tatum_client")
                }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and _private(node.attr)
                and isinstance(node.value, ast.Name)
                and node.value.id in generated_names
            ):
                touched.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")

    assert touched == []


def test_the_custom_template_is_the_generators_own_with_the_seam_appended() -> None:
    """templates/ is pinned with the generator: upgrading it without updating the template fails here."""
    custom = (TEMPLATES / "endpoint_module.py.jinja").read_text(encoding="utf-8")

    assert custom.startswith(upstream_template("endpoint_module.py.jinja"))
    assert sorted(path.name for path in TEMPLATES.iterdir()) == [
        "endpoint_module.py.jinja",
        "model.py.jinja",
        "tatum_checks.jinja",
    ]


MODEL_IMPORT = '{% from "tatum_checks.jinja" import known_names, present_count, strict_check, type_error %}\n'


def _outside_from_dict(template: str) -> tuple[str, str]:
    """A model template's text before and after its from_dict method."""
    start = template.index("    @classmethod\n    def from_dict(")
    end = template.index("        return {{ module_name }}\n", start)
    return template[:start], template[end:]


def test_the_custom_model_template_is_the_generators_own_but_for_from_dict() -> None:
    """model.py.jinja changes only from_dict (type checks, no copy of the mapping): see tatum_checks.jinja."""
    custom = (TEMPLATES / "model.py.jinja").read_text(encoding="utf-8")

    assert custom.count(MODEL_IMPORT) == 1
    assert _outside_from_dict(custom.replace(MODEL_IMPORT, "")) == _outside_from_dict(
        upstream_template("model.py.jinja")
    )


def test_the_generated_models_check_json_types_as_the_spec_says() -> None:
    from tatum_client.models import Customer, ErrorBody

    good = {"id": "i", "externalId": "e", "active": True, "enabled": False, "accountingCurrency": None}
    assert Customer.from_dict(good).accounting_currency is None
    assert Customer.from_dict(good).additional_properties == {}
    assert Customer.from_dict({**good, "tier": "gold"}).additional_properties == {"tier": "gold"}
    assert good == {
        "id": "i",
        "externalId": "e",
        "active": True,
        "enabled": False,
        "accountingCurrency": None,
    }
    for field, value, message in [
        ("id", 1, "Customer field id is a int, not a str"),
        ("active", "yes", "Customer field active is a str, not a bool"),
        ("enabled", None, "Customer field enabled is null, not a bool"),
        ("accountingCurrency", 978, "Customer field accountingCurrency is a int, not a str or null"),
    ]:
        with pytest.raises(TypeError, match=message):
            Customer.from_dict({**good, field: value})
    with pytest.raises(TypeError, match="statusCode is a bool, not a int"):
        ErrorBody.from_dict({"message": "m", "statusCode": True})


def test_every_generated_endpoint_module_has_the_public_seam() -> None:
    from tatum_client.api import customer as endpoints

    for name in spec_operation_names():
        module = __import__(f"{endpoints.__name__}.{name}", fromlist=["build_request"])
        assert callable(module.build_request) and callable(module.parse_success), name
