"""The sandbox's state: ledgers of customers in SQLite (a file with `--db`, else in memory).

A ledger is one API key's customers (or one network's, for requests without a key), in creation order. Every
read and write runs inside `Store.ledger()`: one lock and one `BEGIN IMMEDIATE` transaction, so a check and
the write that follows it are atomic and concurrent updates never lose a write. A ledger is created, and
filled with the seed customers, the first time it is used (in a transaction of its own, so a request refused
afterwards never undoes it). A ledger holds at most `max_customers_per_ledger` customers, and an in-memory
store at most `max_customers_in_memory` in all.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

from .limits import DEFAULT_MAX_CUSTOMERS_IN_MEMORY, DEFAULT_MAX_CUSTOMERS_PER_LEDGER, DEFAULT_MAX_LEDGERS

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


class StoreFull(Exception):
    """A customer the store has no room for; the message says which bound it would pass."""


@dataclass(frozen=True)
class _Bounds:
    per_ledger: int
    in_memory: int | None
    """None: the store is a file, and its customers are not in memory."""


def _count(db: sqlite3.Connection, ledger: str | None = None) -> int:
    """How many customers a ledger (every ledger when None) has."""
    if ledger is None:
        row = db.execute("SELECT COUNT(*) FROM customers").fetchone()
    else:
        row = db.execute("SELECT COUNT(*) FROM customers WHERE ledger = ?", (ledger,)).fetchone()
    count: int = row[0]
    return count


class Ledger:
    """One ledger, inside a transaction of `Store.ledger()`."""

    def __init__(self, db: sqlite3.Connection, name: str, bounds: _Bounds) -> None:
        self._db = db
        self.name = name
        self._bounds = bounds

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
        """Append a customer (the caller checks that its id and external id are free); StoreFull when the
        ledger, or all the ledgers of an in-memory store, already hold the most customers they may."""
        bounds = self._bounds
        count = _count(self._db, self.name)
        if count >= bounds.per_ledger:
            raise StoreFull(
                f"This ledger has {count} customers, the most a ledger may have (--max-customers-per-ledger)."
            )
        if bounds.in_memory is not None:
            count = _count(self._db)
            if count >= bounds.in_memory:
                raise StoreFull(
                    f"The sandbox holds {count} customers in memory, the most it keeps "
                    "(--max-customers-in-memory): reset a ledger, or keep them in a --db file."
                )
        self.insert(customer)

    def insert(self, customer: CustomerRecord) -> None:
        """Append a customer whatever the bounds (the store's seeding, which makes room first)."""
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

    In memory, at most `max_ledgers` ledgers are kept, holding at most `max_customers_in_memory` customers in
    all: when a new ledger would pass either (with its seed customers), the least recently used ledgers are
    forgotten (the next use of one starts it again from the seed). A file keeps every ledger, and memory holds
    none of them (SQLite's page cache is bounded), so nothing of a file's ledgers is ever dropped. A file is
    written in WAL mode with `synchronous=NORMAL`: every answered write is in the file even when the process
    is killed (only a power loss or an OS crash could undo the last ones). Either way, `Ledger.add` refuses a
    customer past `max_customers_per_ledger` in its ledger or, in memory, past `max_customers_in_memory`.
    """

    def __init__(
        self,
        path: str = ":memory:",
        seed: Sequence[CustomerRecord] = (),
        max_ledgers: int = DEFAULT_MAX_LEDGERS,
        max_customers_per_ledger: int = DEFAULT_MAX_CUSTOMERS_PER_LEDGER,
        max_customers_in_memory: int = DEFAULT_MAX_CUSTOMERS_IN_MEMORY,
    ) -> None:
        self._seed = tuple(seed)
        self._lock = threading.Lock()
        self._in_memory = path == ":memory:" or path == ""
        self._max_ledgers = max_ledgers
        self._bounds = _Bounds(max_customers_per_ledger, max_customers_in_memory if self._in_memory else None)
        self._known: OrderedDict[str, None] = OrderedDict()
        """Ledgers known to exist, least recently used first: in memory, every ledger; in a file, the
        `max_ledgers` used last (the others are looked up again when used)."""
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
            if name in self._known:
                self._known.move_to_end(name)
            else:
                self._create(name)
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield Ledger(self._db, name, self._bounds)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _create(self, name: str) -> None:
        """Make a ledger known: created and seeded if new, in a transaction of its own; in memory, the least
        recently used ledgers are forgotten first when it would pass `max_ledgers` or, with its seed,
        `max_customers_in_memory`."""
        dropped: list[str] = []
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if self._db.execute("INSERT OR IGNORE INTO ledgers VALUES (?)", (name,)).rowcount:
                if self._in_memory:
                    dropped = self._make_room()
                ledger = Ledger(self._db, name, self._bounds)
                for customer in self._seed:
                    ledger.insert(customer)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        for old in dropped:
            del self._known[old]
        self._known[name] = None
        if not self._in_memory and len(self._known) > self._max_ledgers:
            self._known.popitem(last=False)  # only forgotten as known: its customers stay in the file

    def _make_room(self) -> list[str]:
        """Forget the least recently used in-memory ledgers until one more, with the seed, fits; their names."""
        limit = self._bounds.in_memory
        assert limit is not None, "only an in-memory store makes room"
        dropped: list[str] = []
        total = _count(self._db)
        for old in self._known:
            over_ledgers = len(self._known) - len(dropped) + 1 > self._max_ledgers
            over_customers = total + len(self._seed) > limit
            if not (over_ledgers or over_customers):
                break
            total -= self._forget(old)
            dropped.append(old)
        return dropped

    def _forget(self, name: str) -> int:
        """Delete a ledger and its customers; how many customers it had."""
        deleted: int = self._db.execute("DELETE FROM customers WHERE ledger = ?", (name,)).rowcount
        self._db.execute("DELETE FROM ledgers WHERE name = ?", (name,))
        return deleted

    def reset(self, name: str) -> None:
        """Forget a ledger: its next use starts it again from the seed."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._forget(name)
            self._db.execute("COMMIT")
            self._known.pop(name, None)

    def wipe(self) -> None:
        """Forget every ledger."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM customers")
            self._db.execute("DELETE FROM ledgers")
            self._db.execute("COMMIT")
            self._known.clear()

    def ledger_count(self) -> int:
        """How many ledgers the store holds."""
        with self._lock:
            count: int = self._db.execute("SELECT COUNT(*) FROM ledgers").fetchone()[0]
            return count

    def customer_count(self) -> int:
        """How many customers the store holds, in all ledgers."""
        with self._lock:
            return _count(self._db)

    def close(self) -> None:
        with self._lock:
            self._db.close()
