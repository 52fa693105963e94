"""``needlewise backup`` and ``needlewise restore``: the whole database to one file and back."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, NoReturn, Protocol

import typer
from rich.console import Console
from rich.filesize import decimal
from rich.table import Table

from needlewise import bootstrap
from needlewise.cli.django_setup import setup_django
from needlewise.errors import BackupError

EXIT_CANCELLED = 1
EXIT_INPUT = 2


def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write (replaced if it exists).")],
) -> None:
    """Back up every table to FILE, while the app keeps running (SQLite file, or pg_dump custom format)."""
    _setup()
    try:
        report = bootstrap.backup_database(file)
    except BackupError as error:
        _fail(str(error.first))
    _print_summary(f"Backed up the {report.backend} database to {file}", report)


def restore(
    file: Annotated[Path, typer.Argument(help="A backup written by `needlewise backup`.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace every table with those in the backup FILE, once it passes its checks (stop the app first)."""
    _setup()

    def confirm() -> None:
        question = f"Replace all data in the {bootstrap.database_description()} with the backup {file}?"
        if not yes and not typer.confirm(question):
            _fail("restore cancelled; nothing was changed", EXIT_CANCELLED)

    try:
        report = bootstrap.restore_database(file, confirm)
    except BackupError as error:
        _fail(str(error.first))
    _print_summary(f"Restored the {report.backend} database from {file}", report)


def _setup() -> None:
    try:
        setup_django()
    except ValueError as error:
        _fail(f"configuration: {error}")


class _Summary(Protocol):
    """What a backup or restore report shows (``storage.backup.DatabaseReport``)."""

    @property
    def tables(self) -> Mapping[str, int]: ...
    @property
    def size_bytes(self) -> int: ...
    @property
    def seconds(self) -> float: ...


def _print_summary(title: str, report: _Summary) -> None:
    tables = report.tables
    console = Console(highlight=False)
    console.print(title, markup=False, soft_wrap=True)
    table = Table()
    table.add_column("Table")
    table.add_column("Rows", justify="right")
    for name, rows in tables.items():
        table.add_row(name, f"{rows:,}")
    size, seconds = decimal(report.size_bytes), report.seconds
    table.caption = f"{len(tables)} tables, {sum(tables.values()):,} rows, {size}, {seconds:.2f} s"
    table.caption_justify = "left"
    console.print(table)


def _fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """A one-line error on stderr, as ``needlewise.cli.app.fail`` writes it (that module imports this one)."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {message}", markup=False)
    raise typer.Exit(code)
