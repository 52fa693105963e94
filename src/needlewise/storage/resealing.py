"""Rewrite every value of a sealed column in place: encrypt (migration), re-encrypt (key rotation), check.

These work on the columns in SQL, row by row in batches, so they serve both a migration (whose models
are historical) and ``needlewise keys rotate``. Signed consents are append-only: their table's triggers
are set aside inside the caller's transaction while its values are rewritten, and put back before it
commits, so nothing else can change a consent meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from needlewise.storage.sealing import sealed_by, text_to_sealed, unseal

BATCH = 200
APPEND_ONLY = "consent"
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER IF NOT EXISTS consent_no_update BEFORE UPDATE ON consent
       BEGIN SELECT RAISE(ABORT, 'consent is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS consent_no_delete BEFORE DELETE ON consent
       BEGIN SELECT RAISE(ABORT, 'consent is append-only'); END""",
]

Stored = str | bytes


@dataclass(frozen=True, slots=True)
class SealedColumn:
    """A column whose values are sealed; ``binary`` for bytes, else text (JSON documents included)."""

    table: str
    column: str
    binary: bool = False

    @property
    def name(self) -> str:
        """``table.column``: the associated data of its sealed values."""
        return f"{self.table}.{self.column}"

    def sealed(self, stored: Stored) -> bytes:
        """The sealed bytes of a stored value."""
        return bytes(stored) if isinstance(stored, bytes | memoryview) else text_to_sealed(stored, self.name)


# The statements that set the consent table's append-only triggers aside, and those that put them back.
# PostgreSQL will not alter a table with deferred foreign-key checks pending: they are run first.
_SET_ASIDE = {
    "postgresql": (
        ["SET CONSTRAINTS ALL IMMEDIATE", "ALTER TABLE consent DISABLE TRIGGER consent_no_change"],
        [
            "SET CONSTRAINTS ALL IMMEDIATE",
            "ALTER TABLE consent ENABLE TRIGGER consent_no_change",
            "SET CONSTRAINTS ALL DEFERRED",
        ],
    ),
    "sqlite": (["DROP TRIGGER IF EXISTS consent_no_update"], SQLITE_APPEND_ONLY),
}


@contextmanager
def writable(connection: BaseDatabaseWrapper, table: str) -> Iterator[None]:
    """``table`` open to UPDATE for the block, if it is the append-only consent table (inside a transaction).

    Should the block fail, the transaction's rollback puts the triggers back (DDL is transactional on both).
    """
    if table != APPEND_ONLY:
        yield
        return
    before, after = _SET_ASIDE[connection.vendor]
    with connection.cursor() as cursor:
        for statement in before:
            cursor.execute(statement)
        yield
        for statement in after:
            cursor.execute(statement)


def rewrite(connection: BaseDatabaseWrapper, column: SealedColumn, change: Callable[[Stored], Stored | None]) -> int:
    """Replace each non-empty value of ``column`` by ``change(value)`` (None: leave it); the count changed.

    Run it inside a transaction.
    """
    table, name = connection.ops.quote_name(column.table), connection.ops.quote_name(column.column)
    select = f"SELECT id, {name} FROM {table} WHERE id > %s AND {name} IS NOT NULL ORDER BY id LIMIT {BATCH}"  # noqa: S608 - names from the models, quoted
    update = f"UPDATE {table} SET {name} = %s WHERE id = %s"  # noqa: S608 - names from the models, quoted
    changed, after = 0, -1
    with writable(connection, column.table), connection.cursor() as cursor:
        while True:
            cursor.execute(select, [after])
            rows = cursor.fetchall()
            if not rows:
                return changed
            for pk, stored in rows:
                after = pk
                new = change(bytes(stored) if isinstance(stored, memoryview) else stored) if len(stored) else None
                if new is not None:
                    cursor.execute(update, [new, pk])
                    changed += 1


Fetch = Callable[[str], Sequence[tuple[Any, ...]]]
ENCRYPTED_SINCE = "0019_encrypted_health_data"


def check(fetch: Fetch, columns: Iterable[SealedColumn]) -> None:
    """Open the newest non-empty value of each column; DataKeyError when the configured keys cannot.

    ``fetch`` runs one statement on the database to check (the live one, or a backup file) and returns
    its rows. A database from before health data was encrypted has nothing to check.
    """
    done = f"SELECT 1 FROM django_migrations WHERE app = 'storage' AND name = '{ENCRYPTED_SINCE}'"  # noqa: S608 - constants
    if not fetch(done):
        return
    for column in columns:
        name = f'"{column.column}"'
        newest = f'SELECT {name} FROM "{column.table}" WHERE {name} IS NOT NULL ORDER BY id DESC LIMIT 20'  # noqa: S608 - names from the models
        values = [bytes(v) if isinstance(v, memoryview) else v for (v,) in fetch(newest)]
        for value in values:
            if len(value):
                unseal(column.sealed(value), column.name)
                break


def key_of(column: SealedColumn, stored: Stored) -> bytes:
    """The id of the key that sealed a stored value of ``column``."""
    return sealed_by(column.sealed(stored), column.name)
