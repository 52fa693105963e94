"""Back up the whole database to one file and restore it, on SQLite and on PostgreSQL.

SQLite backups are SQLite database files; PostgreSQL backups are ``pg_dump`` custom-format dumps.
Both cover every table in the database, whichever app made it. Every check runs before anything is
replaced: a failed backup leaves no file behind, a failed restore leaves the database as it was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from needlewise.errors import DataKeyError
from needlewise.storage import backup_postgresql, backup_sqlite
from needlewise.storage.backup_files import Kind, backup_error, kind_of
from needlewise.storage.key_rotation import check_keys, sealed_columns
from needlewise.storage.resealing import check

_HINTS = {
    Kind.SQLITE: "unset DATABASE_URL to restore it into SQLite",
    Kind.POSTGRESQL: "set DATABASE_URL=postgresql://... to restore it into PostgreSQL",
}


@dataclass(frozen=True, slots=True)
class DatabaseReport:
    """What a backup or restore did: the backend, the file, each table's rows, how long it took."""

    backend: Kind
    path: Path
    size_bytes: int
    tables: Mapping[str, int]
    seconds: float

    @property
    def rows(self) -> int:
        """Rows in every table together."""
        return sum(self.tables.values())


@dataclass(frozen=True, slots=True)
class BackupReport(DatabaseReport):
    """A backup written to ``path``; ``tables`` counts the rows in it."""


@dataclass(frozen=True, slots=True)
class RestoreReport(DatabaseReport):
    """The backup ``path`` restored; ``tables`` counts the rows now in the database."""


def backup_database(target: Path) -> BackupReport:
    """Write a backup of the configured database to ``target``, while the app may keep running.

    Args:
        target: The file to write; replaced if it exists, only once the new backup passed its checks.

    Returns:
        The backup's size and each table's rows.

    Raises:
        BackupError: naming the file or database that is wrong, and what is wrong with it.
    """
    started = time.perf_counter()
    connection = connections[DEFAULT_DB_ALIAS]
    with _file_errors_reported(target):
        backend = _backend(connection)
        if backend is Kind.SQLITE:
            tables = backup_sqlite.copy_out(Path(connection.settings_dict["NAME"]), target)
        else:
            backup_postgresql.dump(connection.settings_dict, target)
            tables = _row_counts(connection)
        size = target.stat().st_size
    return BackupReport(backend, target, size, tables, time.perf_counter() - started)


def _go_ahead() -> None:
    """The default last word before a restore replaces anything: go ahead."""


def restore_database(source: Path, before_replacing: Callable[[], object] = _go_ahead) -> RestoreReport:
    """Replace the configured database's tables with the backup ``source``.

    Stop the app first. ``source`` must be a backup of the configured kind (a SQLite file for
    SQLite, a ``pg_dump`` custom-format dump for PostgreSQL) that passes every check.

    Args:
        source: A file written by :func:`backup_database`.
        before_replacing: Called once every check has passed, just before anything is replaced
            (to ask for confirmation, say); an exception it raises stops the restore, nothing changed.

    Returns:
        The backup's size and each table's rows in the restored database.

    Raises:
        BackupError: naming the file or database that is wrong, and what is wrong with it.
    """
    started = time.perf_counter()
    connection = connections[DEFAULT_DB_ALIAS]
    with _file_errors_reported(source):
        kind = kind_of(source)
        backend = _backend(connection)
        if kind is None:
            message = "is not a needlewise backup (neither a SQLite database nor a PostgreSQL custom-format dump)"
            raise backup_error(source, message)
        if kind is not backend:
            message = f"is a {kind} backup, but the configured database is {backend} ({_HINTS[kind]})"
            raise backup_error(source, message)
        if backend is Kind.SQLITE:
            _keys_open_file(source)
            tables = backup_sqlite.copy_in(source, Path(connection.settings_dict["NAME"]), before_replacing)
        else:
            backup_postgresql.restore(connection.settings_dict, source, before_replacing)
            _keys_open_restored(source)
            tables = _row_counts(connection)
        size = source.stat().st_size
    return RestoreReport(backend, source, size, tables, time.perf_counter() - started)


_WRONG_KEY = (
    "holds health data the configured data key cannot read ({problem}); "
    "configure the data key of the installation the backup came from"
)


def _keys_open_file(source: Path) -> None:
    """BackupError before anything is replaced when the SQLite backup's health data does not open with the keys."""
    try:
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as db:
            check(lambda statement: db.execute(statement).fetchall(), sealed_columns())
    except sqlite3.DatabaseError:
        return  # not a readable database: the restore's own checks say so
    except DataKeyError as error:
        raise backup_error(source, _WRONG_KEY.format(problem=error.first)) from None


def _keys_open_restored(source: Path) -> None:
    """BackupError when the restored PostgreSQL database's health data does not open with the keys."""
    try:
        check_keys()
    except DataKeyError as error:
        message = _WRONG_KEY.format(problem=error.first) + "; the database now holds the backup"
        raise backup_error(source, message) from None


def describe_database() -> str:
    """The configured database in words, for prompts: its kind and where it is (no password)."""
    connection = connections[DEFAULT_DB_ALIAS]
    backend = _backend(connection)
    if backend is Kind.SQLITE:
        return f"SQLite database {connection.settings_dict['NAME']}"
    return f"PostgreSQL database {backup_postgresql.describe(connection.settings_dict)}"


def _backend(connection: BaseDatabaseWrapper) -> Kind:
    if connection.vendor == "sqlite":
        return Kind.SQLITE
    if connection.vendor == "postgresql":
        return Kind.POSTGRESQL
    message = f"backups support SQLite and PostgreSQL, not {connection.vendor}"
    raise backup_error(connection.settings_dict["NAME"], message)


def _row_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Each table's rows, for every table Django's introspection sees in the database."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - catalogue names, quoted
            counts[table] = int(cursor.fetchone()[0])
    return counts


@contextmanager
def _file_errors_reported(path: Path) -> Iterator[None]:
    """Turn an operating-system error (disk full, permission denied...) into a ``BackupError``."""
    try:
        yield
    except OSError as error:
        raise backup_error(error.filename or path, error.strerror or str(error)) from None
