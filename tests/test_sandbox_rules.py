"""The sandbox's rules against the spec, so neither the operation list nor a 403 code is typed twice: the
rules cover exactly the spec's operations, and the codes each rule raises, found by running it on every kind
of customer, are exactly the codes the spec lists in that operation's `x-tatum-error-codes` (plus the
documented sandbox-only ones)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml
from tatum.sandbox.rules import OPERATIONS, SANDBOX_ONLY_CODES, Refusal
from tatum.sandbox.store import CustomerRecord, Store

ROOT = Path(__file__).resolve().parents[1]
SPEC = yaml.safe_load((ROOT / "openapi" / "customer.yaml").read_text(encoding="utf-8"))
SPEC_OPERATIONS = {
    data["operationId"]: data
    for item in SPEC["paths"].values()
    for data in item.values()
    if isinstance(data, dict) and "operationId" in data
}
CUSTOMER_ID = "0123456789abcdef01234567"
OTHER_ID = "89abcdef0123456789abcdef"


def spec_codes(operation_id: str) -> set[str]:
    """The 403 codes the spec lists for an operation (the response may be a $ref)."""
    response: Any = SPEC_OPERATIONS[operation_id]["responses"].get("403", {})
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].split("/")[-1]]
    return set(response.get("x-tatum-error-codes", []))


def raised_codes(operation_id: str) -> set[str]:
    """Every 403 code the rule raises, over every kind of customer and request it can meet."""
    operation = OPERATIONS[operation_id]
    raised: set[str] = set()
    for exists, active, enabled, accounts, taken in itertools.product([True, False], repeat=5):
        if accounts and not active:
            continue
        store = Store(":memory:")
        with store.ledger("rules") as ledger:
            if exists:
                ledger.add(
                    CustomerRecord(CUSTOMER_ID, "mine", None, None, None, active, enabled, int(accounts))
                )
            if taken:
                ledger.add(CustomerRecord(OTHER_ID, "taken"))
            for id in (CUSTOMER_ID, "mine", "no-such-external-id"):
                parameters = {"id": id, "pageSize": 10, "offset": 0}
                for body in ({"externalId": "taken"}, {"externalId": "free", "accountingCurrency": "EUR"}):
                    try:
                        operation(ledger, parameters, body)
                    except Refusal as refusal:
                        raised.add(refusal.error_code)
        store.close()
    return raised


def test_the_rules_cover_exactly_the_specs_operations() -> None:
    assert set(OPERATIONS) == set(SPEC_OPERATIONS)


@pytest.mark.parametrize("operation_id", sorted(SPEC_OPERATIONS))
def test_each_rule_raises_exactly_the_codes_the_spec_lists(operation_id: str) -> None:
    assert raised_codes(operation_id) - SANDBOX_ONLY_CODES == spec_codes(operation_id)


def test_sandbox_only_codes_are_documented() -> None:
    sandbox_doc = (ROOT / "docs" / "SANDBOX.md").read_text(encoding="utf-8")

    assert all(
        f"`{code}`" in sandbox_doc and "sandbox decision" in sandbox_doc for code in SANDBOX_ONLY_CODES
    )
