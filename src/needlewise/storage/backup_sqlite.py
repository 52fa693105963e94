"""SQLite backups: an online, consistent copy of the live file, checked before it is used either way."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from needlewise.storage.apps import StorageConfig
from needlewise.storage.backup_files import backup_error, replaced_atomically

# Files SQLite keeps beside a database; left from the old database they would corrupt the new one.
SIDE_FILES = ("-wal", "-shm", "-journal")
_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"


def copy_out(live: Path, target: Path) -> dict[str, int]:
    """Copy the live database at ``live`` to ``target``; each table's rows in the copy.

    The copy is SQLite's online backup in one step: a consistent snapshot of every committed
    transaction, taken while the app may keep reading and writing. It is written in rollback-journal
    mode (one self-contained file) and must pass ``PRAGMA integrity_check`` and look like a needlewise
    database before it replaces ``target``.

    Raises:
        BackupError: there is no database at ``live``, it cannot be read or fails the checks, or
            ``target`` is the live database or cannot be written.
    """
    if not live.is_file():
        raise backup_error(live, "no database here yet (needlewise serve creates it)")
    if target.resolve() == live.resolve():
        raise backup_error(target, "is the live database itself; name another file")
    with replaced_atomically(target) as temporary:
        try:
            with closing(sqlite3.connect(live)) as source, closing(sqlite3.connect(temporary)) as copy:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error as error:
            raise backup_error(live, f"cannot read the database ({error})") from None
        return checked_row_counts(temporary, where=live)


def copy_in(source: Path, live: Path, before_replacing: Callable[[], object]) -> dict[str, int]:
    """Replace the live database at ``live`` with the backup ``source``; each table's rows.

    ``source`` is copied beside ``live`` first and checked there (integrity, needlewise's tables);
    only then is ``before_replacing`` called (an exception from it stops here, nothing changed), then
    SQLite's side files of the old database are removed and the copy renamed over it. Stop the app
    first: connections it holds open would keep using the old, replaced file.

    Raises:
        BackupError: ``source`` is the live database, is damaged, or is not a needlewise database.
    """
    if source.resolve() == live.resolve():
        raise backup_error(source, "is the live database itself; nothing to restore")
    with replaced_atomically(live) as temporary:
        shutil.copyfile(source, temporary)
        counts = checked_row_counts(temporary, where=source)
        before_replacing()
        for suffix in SIDE_FILES:
            Path(f"{live}{suffix}").unlink(missing_ok=True)
    return counts


def checked_row_counts(path: Path, where: Path) -> dict[str, int]:
    """Each table's rows in the SQLite database at ``path``, once it passes every check.

    Raises:
        BackupError: (naming ``where``) the file is not a readable SQLite database, fails
            ``PRAGMA integrity_check``, or has no record of needlewise's migrations.
    """
    try:
        with closing(sqlite3.connect(path)) as db:
            problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                lines = [line for problem in problems for line in problem.splitlines() if not line.startswith("***")]
                raise backup_error(where, f"failed SQLite's integrity check: {'; '.join(lines[:3])}")
            tables = [row[0] for row in db.execute(_TABLES)]
            if "django_migrations" not in tables or not _has_needlewise_migrations(db):
                raise backup_error(where, "is a SQLite database, but not a needlewise one (no needlewise migrations)")
            return {table: _count(db, table) for table in tables}
    except sqlite3.DatabaseError as error:
        raise backup_error(where, f"is not a readable SQLite database ({error})") from None


def _has_needlewise_migrations(db: sqlite3.Connection) -> bool:
    row = db.execute("SELECT COUNT(*) FROM django_migrations WHERE app = ?", (StorageConfig.label,)).fetchone()
    return bool(row[0])


def _count(db: sqlite3.Connection, table: str) -> int:
    quoted = '"' + table.replace('"', '""') + '"'
    row = db.execute(f"SELECT COUNT(*) FROM {quoted}").fetchone()  # noqa: S608 - a table name from sqlite_master, quoted
    return int(row[0])
