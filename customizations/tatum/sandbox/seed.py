"""Customers new ledgers start with, and reading customers from JSON (seed files, `/_sandbox/customers`).

Without `--seed` or `--empty`, every new ledger starts with `DEMO_CUSTOMERS`: three dozen customers with
fixed ids, some active with accounts, some active without, some inactive, some disabled, in varied
currencies and countries.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from pathlib import Path
from typing import Any, TypeGuard

from .._spec import CUSTOMER_UPDATE_FIELDS
from .._validation import is_int
from .contract import json_object
from .store import CustomerRecord

_INTERNAL_ID = re.compile(r"[0-9a-f]{24}")

MAX_ACTIVE_ACCOUNTS = 1_000_000
"""The most active accounts a sandbox customer can have (SQLite keeps 64-bit integers)."""

_FIELDS = {
    "id",
    "externalId",
    "accountingCurrency",
    "customerCountry",
    "providerCountry",
    "active",
    "enabled",
    "activeAccounts",
}


def _longest(name: str) -> int:
    """The longest value the spec's CustomerUpdate allows for a field: its maxLength, else its enum's longest
    code."""
    limits = CUSTOMER_UPDATE_FIELDS[name]
    if limits.max_length is not None:
        return limits.max_length
    assert limits.enum, f"CustomerUpdate.{name} has neither maxLength nor enum"
    return max(len(code) for code in limits.enum)


MAX_LENGTHS = {
    name: _longest(name)
    for name in ("externalId", "accountingCurrency", "customerCountry", "providerCountry")
}
"""The longest value of each text field of a customer the controls and seed files accept, from the spec's
CustomerUpdate (a code outside the enums is accepted, for tests of what an SDK makes of it, but no longer
than the enum's longest)."""


def is_account_count(value: object) -> TypeGuard[int]:
    """Whether `value` (JSON) is a customer's count of active accounts: an integer 0..MAX_ACTIVE_ACCOUNTS."""
    return is_int(value) and 0 <= value <= MAX_ACTIVE_ACCOUNTS


def looks_internal(id: str) -> bool:
    """Whether an id has the shape of Tatum's internal customer ids: 24 lowercase hex characters."""
    return _INTERNAL_ID.fullmatch(id) is not None


def stable_id(text: str) -> str:
    """A fixed internal id derived from `text` (the same on every run)."""
    return hashlib.sha256(b"tatum-sandbox:" + text.encode()).hexdigest()[:24]


def random_id() -> str:
    """A fresh internal id."""
    return secrets.token_hex(12)


def customer_from_json(data: object, default_id: str | None = None) -> CustomerRecord:
    """A customer from its JSON form (the API's field names, plus `activeAccounts`); ValueError if invalid.

    `externalId` is required; `active` and `enabled` default to true, `activeAccounts` to 0, `id` to
    `default_id`, else to one derived from the external id.
    """
    data = json_object(data, _FIELDS, "a customer")
    external_id = data.get("externalId")
    if not isinstance(external_id, str) or not 1 <= len(external_id) <= MAX_LENGTHS["externalId"]:
        raise ValueError(f"externalId must be a string of 1 to {MAX_LENGTHS['externalId']} characters")
    id = data.get("id", default_id or stable_id(external_id))
    if not isinstance(id, str) or not looks_internal(id):
        raise ValueError("id must be 24 lowercase hexadecimal characters")
    codes = {}
    for name in ("accountingCurrency", "customerCountry", "providerCountry"):
        value = data.get(name)
        if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= MAX_LENGTHS[name]):
            raise ValueError(f"{name} must be a string of 1 to {MAX_LENGTHS[name]} characters, or null")
        codes[name] = value
    flags = {}
    for name in ("active", "enabled"):
        value = data.get(name, True)
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        flags[name] = value
    accounts = data.get("activeAccounts", 0)
    if not is_account_count(accounts):
        raise ValueError(f"activeAccounts must be an integer from 0 to {MAX_ACTIVE_ACCOUNTS}")
    if accounts and not flags["active"]:
        raise ValueError("an inactive customer cannot have active accounts")
    return CustomerRecord(
        id=id,
        external_id=external_id,
        accounting_currency=codes["accountingCurrency"],
        customer_country=codes["customerCountry"],
        provider_country=codes["providerCountry"],
        active=flags["active"],
        enabled=flags["enabled"],
        active_accounts=accounts,
    )


def load_seed(path: Path) -> tuple[CustomerRecord, ...]:
    """The customers of a seed file: a JSON list of customers; ValueError if invalid."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read seed file {path}: {error}") from error
    if not isinstance(data, list):
        raise ValueError(f"seed file {path}: must be a JSON list of customers")
    customers = []
    for number, item in enumerate(data):
        try:
            customers.append(customer_from_json(item))
        except ValueError as error:
            raise ValueError(f"seed file {path}, customer #{number}: {error}") from None
    for attribute in ("id", "external_id"):
        values = [getattr(customer, attribute) for customer in customers]
        if len(set(values)) != len(values):
            raise ValueError(f"seed file {path}: two customers share an {attribute}")
    return tuple(customers)


# (accounting currency, customer country, provider country)
_PROFILES = [
    ("USD", "US", "US"),
    ("EUR", "DE", "CZ"),
    ("GBP", "GB", "GB"),
    ("CZK", "CZ", "CZ"),
    ("EUR", "FR", "DE"),
    ("JPY", "JP", "US"),
    ("CHF", "CH", "CH"),
    ("EUR", "SK", "CZ"),
    ("CAD", "CA", "US"),
    ("AUD", "AU", "GB"),
    ("PLN", "PL", "CZ"),
    ("SGD", "SG", "US"),
]


def _demo_customer(number: int) -> CustomerRecord:
    currency, customer_country, provider_country = _PROFILES[number % len(_PROFILES)]
    kind = number % 6  # 0-2: active with accounts, 3: active without, 4: inactive, 5: disabled
    return CustomerRecord(
        id=stable_id(f"demo-{number}"),
        external_id=f"CUST-{1001 + number}",
        accounting_currency=currency,
        # Some customers never gave a country: optional fields are optional.
        customer_country=None if number % 9 == 8 else customer_country,
        provider_country=provider_country,
        active=kind != 4,
        enabled=kind != 5,
        active_accounts=1 + number % 3 if kind < 3 else 0,
    )


DEMO_CUSTOMERS: tuple[CustomerRecord, ...] = tuple(_demo_customer(number) for number in range(36))
"""The customers every new ledger starts with, unless the sandbox runs with `--seed` or `--empty`."""
