"""The data folder is private to the account that runs needlewise: the folder ``0700``, its files ``0600``.

It holds the SQLite database with its ``-wal`` and ``-shm`` files, the generated keys, and often the
backups: anyone who can read them can read health records and take over signed-in sessions. Loading
the settings (``needlewise serve``, its workers, every command that opens the database) sets the
process's umask to ``077``, so whatever needlewise creates from then on is private, creates a missing
data folder ``0700``, and refuses a folder that other users can read or write, naming it and the fix.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: Files and folders created from now on: no access for the group or others.
PRIVATE_UMASK = 0o077
FOLDER_MODE = 0o700
FILE_MODE = 0o600


class UnsafeDataFolderError(ValueError):
    """The data folder can be read or written by other users; the message says how to fix it."""


def prepare(folder: Path) -> Path:
    """Make ``folder`` ready and private: set the umask, create it ``0700`` if missing, tighten its files.

    Files and folders inside that others could read (left by an older version, say) are made
    ``0600`` and ``0700``; symbolic links are left alone.

    Returns:
        ``folder``.

    Raises:
        UnsafeDataFolderError: ``folder`` exists and its group or others may read, write or enter it,
            or a file in it others could read cannot be made private.
    """
    os.umask(PRIVATE_UMASK)
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & PRIVATE_UMASK:
        message = (
            f"the data folder {folder} can be read or written by other users (mode {mode:04o}); "
            f"make it private with `chmod 700 {folder}` and start again"
        )
        raise UnsafeDataFolderError(message)
    for path in folder.rglob("*"):
        if path.is_symlink():
            continue
        wanted = FOLDER_MODE if path.is_dir() else FILE_MODE
        current = stat.S_IMODE(path.stat().st_mode)
        if current & PRIVATE_UMASK:
            _make_private(path, current & wanted)
    return folder


def _make_private(path: Path, mode: int) -> None:
    try:
        path.chmod(mode)
    except OSError as error:  # another account's file, a read-only mount
        reason = error.strerror
        message = (
            f"{path} can be read by other users and cannot be made private ({reason}); run `chmod {mode:o} {path}`"
        )
        raise UnsafeDataFolderError(message) from error
