"""The sandbox's state: ledgers of customers in SQLite (a file with `--db`, else in memory).

A ledger is one API key's customers (or one network's, for requests without a key), in creation order. Every
read and write runs inside `Store.ledger()`: one lock and one `BEGIN IMMEDIATE` transaction, so a check and
the write that follows it are atomic and concurrent updates never lose a write. A ledger is created, and
filled with the seed customers, the first time it is used.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledgers (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS customers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ledger TEXT NOT NULL REFERENCES ledgers (name),
    id TEXT NOT NULL,
    external_id TEXT NOT NULL,
    accounting_currency TEXT,
    customer_country TEXT,
    provider_country TEXT,
    active INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    active_accounts INTEGER NOT NULL,
    UNIQUE (ledger, id)
);
CREATE INDEX IF NOT EXISTS customers_by_external_id ON customers (ledger, external_id);
"""

# SQLite integers are 64-bit; an offset past every row is the same as this one.
_MAX_OFFSET = 2**62


@dataclass(frozen=True)
class CustomerRecord:
    """One customer as the sandbox keeps it: the API's fields plus its count of active accounts."""

    id: str
    external_id: str
    accounting_currency: str | None = None
    customer_country: str | None = None
    provider_country: str | None = None
    active: bool = True
    enabled: bool = True
    active_accounts: int = 0

    def to_api(self) -> dict[str, Any]:
        """The customer as the API returns it (the spec's Customer; unset optional fields left out)."""
        body: dict[str, Any] = {
            "id": self.id,
            "externalId": self.external_id,
            "active": self.active,
            "enabled": self.enabled,
        }
        optional = {
            "accountingCurrency": self.accounting_currency,
            "customerCountry": self.customer_country,
            "providerCountry": self.provider_country,
        }
        body.update({name: value for name, value in optional.items() if value is not None})
        return body

    def to_control(self) -> dict[str, Any]:
        """The customer as the `/_sandbox/` routes return it: the API's fields plus `activeAccounts`."""
        return {**self.to_api(), "activeAccounts": self.active_accounts}


_NAMES = tuple(field.name for field in fields(CustomerRecord))
_COLUMNS = ", ".join(_NAMES)
_INSERT = f"INSERT INTO customers (ledger, {_COLUMNS}) VALUES (?, {', '.join('?' * len(_NAMES))})"
_UPDATE = f"UPDATE customers SET {', '.join(f'{name} = ?' for name in _NAMES)} WHERE ledger = ? AND id = ?"


def _values(customer: CustomerRecord) -> tuple[Any, ...]:
    """A customer's fields in column order (not `astuple`, which deep-copies each one)."""
    return tuple(getattr(customer, name) for name in _NAMES)


def _record(row: tuple[Any, ...]) -> CustomerRecord:
    id, external_id, currency, customer_country, provider_country, active, enabled, accounts = row
    return CustomerRecord(
        id, external_id, currency, customer_country, provider_country, bool(active), bool(enabled), accounts
    )


class Ledger:
    """One ledger, inside a transaction of `Store.ledger()`."""

    def __init__(self, db: sqlite3.Connection, name: str) -> None:
        self._db = db
        self.name = name

    def get(self, id: str) -> CustomerRecord | None:
        """The customer with this internal id."""
        return self._one("id", id)

    def get_by_external_id(self, external_id: str) -> CustomerRecord | None:
        """The customer with this external id."""
        return self._one("external_id", external_id)

    def page(self, limit: int, offset: int) -> list[CustomerRecord]:
        """Customers in creation order, skipping `offset` of them."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM customers WHERE ledger = ? ORDER BY seq LIMIT ? OFFSET ?",
            (self.name, limit, min(offset, _MAX_OFFSET)),
        )
        return [_record(row) for row in rows]

    def add(self, customer: CustomerRecord) -> None:
        """Append a customer (the caller checks that its id and external id are free)."""
        self._db.execute(_INSERT, (self.name, *_values(customer)))

    def save(self, customer: CustomerRecord) -> None:
        """Store a changed customer, found by its internal id."""
        self._db.execute(_UPDATE, (*_values(customer), self.name, customer.id))

    def _one(self, column: str, value: str) -> CustomerRecord | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM customers WHERE ledger = ? AND {column} = ? ORDER BY seq LIMIT 1",
            (self.name, value),
        ).fetchone()
        return None if row is None else _record(row)


class Store:
    """All ledgers. `path` is an SQLite file (state survives restarts) or ":memory:".

    In memory, at most `max_ledgers` ledgers are kept: when a new one would pass that, the least recently
    used is forgotten (its next use starts it again from the seed). A file keeps every ledger, and memory
    holds none of them (SQLite's page cache is bounded), so nothing of a file's ledgers is ever dropped. A
    file is written in WAL mode with `synchronous=NORMAL`: every answered write is in the file even when the
    process is killed (only a power loss or an OS crash could undo the last ones).
    """

    def __init__(
        self, path: str = ":memory:", seed: Sequence[CustomerRecord] = (), max_ledgers: int | None = None
    ) -> None:
        self._seed = tuple(seed)
        self._lock = threading.Lock()
        self._in_memory = path == ":memory:" or path == ""
        self._max_ledgers = max_ledgers if self._in_memory else None
        self._recent: OrderedDict[str, None] = OrderedDict()
        """In memory: every ledger, least recently used first."""
        # Autocommit mode: transactions are begun explicitly, IMMEDIATE, so they take the write lock at once.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        with self._lock:
            if not self._in_memory:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)

    @contextmanager
    def ledger(self, name: str) -> Iterator[Ledger]:
        """The ledger `name`, inside one transaction: committed on success, rolled back on an exception."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                ledger = Ledger(self._db, name)
                known = name in self._recent
                if self._in_memory:
                    self._recent[name] = None
                    self._recent.move_to_end(name)
                if (
                    not known
                    and self._db.execute("INSERT OR IGNORE INTO ledgers VALUES (?)", (name,)).rowcount
                ):
                    for customer in self._seed:
                        ledger.add(customer)
                    if self._max_ledgers is not None and len(self._recent) > self._max_ledgers:
                        self._forget(self._recent.popitem(last=False)[0])
                yield ledger
            except BaseException:
                self._db.execute("ROLLBACK")
                if self._in_memory and not known:
                    self._recent.pop(name, None)
                raise
            self._db.execute("COMMIT")

    def _forget(self, name: str) -> None:
        self._db.execute("DELETE FROM customers WHERE ledger = ?", (name,))
        self._db.execute("DELETE FROM ledgers WHERE name = ?", (name,))

    def reset(self, name: str) -> None:
        """Forget a ledger: its next use starts it again from the seed."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._forget(name)
            self._db.execute("COMMIT")
            self._recent.pop(name, None)

    def wipe(self) -> None:
        """Forget every ledger."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM customers")
            self._db.execute("DELETE FROM ledgers")
            self._db.execute("COMMIT")
            self._recent.clear()

    def ledger_count(self) -> int:
        """How many ledgers the store holds."""
        with self._lock:
            count: int = self._db.execute("SELECT COUNT(*) FROM ledgers").fetchone()[0]
            return count

    def close(self) -> None:
        with self._lock:
            self._db.close()
