"""``needlewise keys``: the data key that encrypts health data in the database (``docs/clinic.md``, "Keys")."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from needlewise import bootstrap
from needlewise.cli.django_setup import setup_django
from needlewise.errors import DataKeyError

EXIT_KEY = 2

keys_app = typer.Typer(help="The data key that encrypts health data: check it, rotate it.", no_args_is_help=True)


def _fail(message: str) -> NoReturn:
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {message}", markup=False)
    raise typer.Exit(EXIT_KEY)


def _setup() -> None:
    try:
        setup_django()
    except ValueError as error:
        _fail(f"configuration: {error}")


@keys_app.command("new")
def new() -> None:
    """Print a new random data key (for NEEDLEWISE_DATA_KEY); nothing is changed."""
    typer.echo(bootstrap.new_data_key())


@keys_app.command("check")
def check_command() -> None:
    """Check that the configured data key reads the database's health data."""
    _setup()
    try:
        bootstrap.check_data_keys()
    except DataKeyError as error:
        _fail(str(error.first))
    typer.echo("data key OK: the health data in the database opens with it")


@keys_app.command("rotate")
def rotate() -> None:
    """Re-encrypt all health data under a new data key, then forget the old one (stop the app first)."""
    _setup()
    try:
        rotation = bootstrap.rotate_data_key()
    except DataKeyError as error:
        _fail(str(error.first))
    total = sum(rotation.changed.values())
    dropped = ", ".join(rotation.dropped) or "none"
    typer.echo(f"re-encrypted {total} value(s) under data key {rotation.key_id} ({rotation.source})")
    typer.echo(f"old key(s) no longer needed: {dropped}; back up the new key before the next database backup")
