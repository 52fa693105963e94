"""PostgreSQL backups with the server's own tools: ``pg_dump --format=custom`` and ``pg_restore``.

Connection details reach the tools through libpq's ``PG*`` environment variables and a ``dbname=``
connection string, never through a shell: each tool runs from an argument list.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from needlewise.storage.backup_files import backup_error, replaced_atomically

# A table of-contents line of `pg_restore --list`: "215; 1259 16386 TABLE public django_migrations owner".
_MIGRATIONS_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE \S+ django_migrations\b", re.MULTILINE)
_ENVIRONMENT = (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"))
RESTORE_OPTIONS = (
    "--clean",
    "--if-exists",
    "--no-owner",
    "--no-privileges",
    "--single-transaction",
    "--exit-on-error",
    "--no-password",
)


def dump(database: Mapping[str, Any], target: Path) -> None:
    """Write the whole ``database`` (Django connection settings) to ``target`` with ``pg_dump``.

    The dump is pg_dump's custom format (compressed; one consistent snapshot). It is written beside
    ``target`` and must be readable by ``pg_restore --list`` and hold needlewise's migrations table
    before it replaces ``target``.

    Raises:
        BackupError: a tool is missing or fails, or the dump is not a needlewise one.
    """
    pg_dump, pg_restore = tool("pg_dump"), tool("pg_restore")
    with replaced_atomically(target) as temporary:
        _run(
            [pg_dump, "--format=custom", "--no-password", f"--file={temporary}", dbname(database)],
            database,
            where=describe(database),
            failed="pg_dump failed",
        )
        check_archive(pg_restore, temporary, database, where=target)


def restore(database: Mapping[str, Any], source: Path, before_replacing: Callable[[], object]) -> None:
    """Replace needlewise's tables in ``database`` with those in the dump ``source``.

    ``source`` is checked first; then ``before_replacing`` is called (an exception from it stops here,
    nothing changed). Then ``pg_restore --clean --if-exists --no-owner --no-privileges
    --single-transaction`` drops and recreates every object in the dump in one transaction: on any
    error nothing changes. Objects the dump does not hold are left alone.

    Raises:
        BackupError: ``pg_restore`` is missing or fails, or ``source`` is not a needlewise dump.
    """
    pg_restore = tool("pg_restore")
    check_archive(pg_restore, source, database, where=source)
    before_replacing()
    _run(
        [pg_restore, *RESTORE_OPTIONS, dbname(database), str(source)],
        database,
        where=describe(database),
        failed="pg_restore failed; the database is unchanged",
    )


def check_archive(pg_restore: str, archive: Path, database: Mapping[str, Any], where: Path) -> None:
    """Check ``archive`` is a dump ``pg_restore`` can read and that it holds needlewise's tables.

    Raises:
        BackupError: (naming ``where``) it is unreadable, or has no ``django_migrations`` table.
    """
    listing = _run(
        [pg_restore, "--list", str(archive)], database, where=where, failed="is not a dump pg_restore can read"
    )
    if not _MIGRATIONS_TABLE.search(listing):
        raise backup_error(where, "is a PostgreSQL dump, but not of a needlewise database (no django_migrations)")


def tool(name: str) -> str:
    """The full path of the PostgreSQL client program ``name``.

    Raises:
        BackupError: it is not on ``PATH``.
    """
    found = shutil.which(name)
    if found is None:
        message = "not found on PATH; install the PostgreSQL client programs (the server's major version or newer)"
        raise backup_error(name, message)
    return found


def environment(database: Mapping[str, Any]) -> dict[str, str]:
    """This process's environment plus libpq's ``PG*`` variables for ``database``'s settings."""
    variables = dict(os.environ)
    for setting, variable in _ENVIRONMENT:
        value = str(database.get(setting) or "")
        if value:
            variables[variable] = value
    variables.setdefault("PGCONNECT_TIMEOUT", "10")
    return variables


def dbname(database: Mapping[str, Any]) -> str:
    """``--dbname=`` as a libpq connection string, so no database name is read as an option or URL."""
    name = str(database["NAME"]).replace("\\", "\\\\").replace("'", "\\'")
    return f"--dbname=dbname='{name}'"


def describe(database: Mapping[str, Any]) -> str:
    """``postgresql://user@host:port/name``, without the password."""
    user = f"{database.get('USER')}@" if database.get("USER") else ""
    port = f":{database.get('PORT')}" if database.get("PORT") else ""
    return f"postgresql://{user}{database.get('HOST') or 'localhost'}{port}/{database['NAME']}"


def _run(argv: list[str], database: Mapping[str, Any], where: Path | str, failed: str) -> str:
    """Run ``argv`` (no shell) with ``database``'s environment; its standard output.

    Raises:
        BackupError: ``where: failed: <the tool's first error line>`` when it exits non-zero.
    """
    completed = subprocess.run(  # noqa: S603 - an argument list of a PostgreSQL program found on PATH, no shell
        argv, env=environment(database), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        lines = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()]
        detail = (errors or lines or [f"exit status {completed.returncode}"])[0]
        raise backup_error(where, f"{failed}: {detail}")
    return completed.stdout
