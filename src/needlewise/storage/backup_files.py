"""Backup files: what kind a file is, and how a new file takes its place atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

from needlewise.errors import BackupError, Problem

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class Kind(StrEnum):
    """The two kinds of backup: a SQLite database file, or a PostgreSQL custom-format dump."""

    SQLITE = "SQLite"
    POSTGRESQL = "PostgreSQL"


def backup_error(where: Path | str, message: str) -> BackupError:
    """A ``BackupError`` with one problem: ``where: message``."""
    return BackupError([Problem(str(where), message)])


def kind_of(path: Path) -> Kind | None:
    """The kind of backup ``path`` is, from its first bytes; ``None`` when it is neither.

    Raises:
        BackupError: the file does not exist or cannot be read.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise backup_error(path, "no such file") from None
    except OSError as error:
        raise backup_error(path, f"cannot read it ({error.strerror})") from None
    if head == SQLITE_MAGIC:
        return Kind.SQLITE
    if head.startswith(PG_DUMP_MAGIC):
        return Kind.POSTGRESQL
    return None


@contextmanager
def replaced_atomically(target: Path) -> Iterator[Path]:
    """A new private (0600) temporary file beside ``target``, to write in the ``with`` block.

    When the block ends without an error, the file is flushed to disk and renamed over ``target`` in
    one step (readers see the old file or the new one, never a part), and the folder is flushed too.
    When the block raises, the temporary file is deleted and ``target`` is left as it was.

    Raises:
        BackupError: ``target``'s folder does not exist, or ``target`` is a folder.
    """
    if not target.parent.is_dir():
        raise backup_error(target.parent, "no such folder")
    if target.is_dir():
        raise backup_error(target, "is a folder; name a file")
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        _flush(temporary)
        temporary.replace(target)
        _flush(target.parent)
    finally:
        temporary.unlink(missing_ok=True)


def _flush(path: Path) -> None:
    """``fsync`` a file or a folder, so a rename survives a power cut."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
