"""The Python-API half of `make api-diff`, on real changes: the spec edited and the client regenerated with
the project's own generator in a temporary copy, and a handwritten name taken out of `tatum`."""

from __future__ import annotations

import shutil
from pathlib import Path

import generate
import python_api_diff
from api_rules import RULES

ROOT = Path(__file__).resolve().parent.parent

FIND_ALL = "tatum_client.api.customer.find_all_customers"
CUSTOMER = "tatum_client.models.customer.Customer"
CUSTOMER_PROPERTIES = "    Customer:\n      type: object\n      required: [id, externalId, active, enabled]\n      properties:\n"
LIST_PARAMETERS = '        - $ref: "#/components/parameters/Offset"\n'
FUNCTIONS = ("sync", "sync_detailed", "asyncio", "asyncio_detailed", "build_request")
COMPATIBLE = {
    (f"`{CUSTOMER}.loyalty_tier`", "python-added", False),
    ("`tatum_client.api.customer.freeze_customer`", "python-added", False),
} | {(f"`{FIND_ALL}.{name}`", "python-signature-compatible", False) for name in FUNCTIONS}
"""What adding a Customer field, an optional query parameter and an operation must give."""
BREAKING = {
    (f"`{CUSTOMER}.provider_country`", "python-removed", True),
    (f"`{CUSTOMER}.active`", "python-type-changed", True),
    ("`tatum.NotFoundError`", "python-removed", True),
} | {(f"`{FIND_ALL}.{name}`", "python-incompatible", True) for name in FUNCTIONS}
"""What removing a Customer field, retyping one, a required query parameter and dropping an export must give."""


def status_parameter(required: bool) -> str:
    return (
        LIST_PARAMETERS
        + f"        - name: status\n          in: query\n          required: {str(required).lower()}\n"
        + "          schema:\n            type: string\n"
    )


def regenerated_copy(tmp: Path, *edits: tuple[str, str]) -> Path:
    """A source tree like the repository's, with the spec edited (old -> new) and the client regenerated."""
    spec = (ROOT / "openapi" / "customer.yaml").read_text(encoding="utf-8")
    for old, new in edits:
        assert old in spec, old
        spec = spec.replace(old, new, 1)
    (tmp / "openapi").mkdir()
    (tmp / "openapi" / "customer.yaml").write_text(spec, encoding="utf-8")
    shutil.copytree(
        ROOT / "customizations", tmp / "customizations", ignore=shutil.ignore_patterns("__pycache__")
    )
    generate.generate(tmp / "generated" / "tatum_client", tmp / "openapi" / "customer.yaml")
    return tmp


def test_the_committed_tree_has_no_changes_against_itself() -> None:
    assert python_api_diff.changes(ROOT, ROOT) == []


def test_compatible_spec_changes_give_compatible_python_changes(tmp_path: Path) -> None:
    freeze = (
        "  /v3/ledger/customer/{id}/freeze:\n    put:\n      operationId: freezeCustomer\n      tags: [Customer]\n"
        "      x-tatum-credits: 2\n      parameters:\n"
        '        - $ref: "#/components/parameters/InternalId"\n'
        '      responses:\n        "204":\n          description: OK\n\n'
    )
    new = regenerated_copy(
        tmp_path,
        (CUSTOMER_PROPERTIES, CUSTOMER_PROPERTIES + "        loyaltyTier:\n          type: string\n"),
        (LIST_PARAMETERS, status_parameter(required=False)),
        ("  /v3/ledger/customer/{id}/activate:\n", freeze + "  /v3/ledger/customer/{id}/activate:\n"),
    )

    changes = python_api_diff.changes(ROOT, new)

    assert {(c.subject, c.rule, c.breaking) for c in changes} == COMPATIBLE
    (sync,) = [c for c in changes if c.subject == f"`{FIND_ALL}.sync`"]
    assert "offset: int | Unset = UNSET)" in sync.detail
    assert "offset: int | Unset = UNSET, status: str | Unset = UNSET)" in sync.detail


def test_breaking_spec_and_handwritten_changes_are_breaking(tmp_path: Path) -> None:
    provider_country = (
        "        providerCountry:\n          type: string\n          nullable: true\n"
        "          description: Country service provider has to be compliant with (ISO-3166-1 alpha-2).\n"
        "          example: US\n"
    )
    active = "        active:\n          type: boolean\n"
    new = regenerated_copy(
        tmp_path,
        (provider_country, ""),
        (active, "        active:\n          type: string\n"),
        (LIST_PARAMETERS, status_parameter(required=True)),
    )
    init = new / "customizations" / "tatum" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8").replace('    "NotFoundError",\n', ""), encoding="utf-8")

    changes = python_api_diff.changes(ROOT, new)

    assert {(c.subject, c.rule, c.breaking) for c in changes} == BREAKING
    (active_change,) = [c for c in changes if c.subject == f"`{CUSTOMER}.active`"]
    assert active_change.detail == "attribute `bool` -> attribute `str`"
    (sync,) = [c for c in changes if c.subject == f"`{FIND_ALL}.sync`"]
    assert "(griffe: Parameter was added as required (`status`))" in sync.detail


def test_every_python_rule_is_exercised_above() -> None:
    assert {rule for _, rule, _ in COMPATIBLE | BREAKING} == {
        name for name in RULES if name.startswith("python-")
    }
