"""``needlewise clinic create``, ``needlewise staff reset-2fa`` and ``needlewise audit verify``.

``clinic create`` makes a clinic and its owner (the first run); ``staff reset-2fa`` turns off a lost
second factor that no owner can reset on the Staff page.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from needlewise.cli.django_setup import setup_django
from needlewise.errors import ClinicError, DataKeyError

EXIT_BROKEN = 1
EXIT_INPUT = 2


class OwnerRole(StrEnum):
    """The clinical roles an owner may hold as well (``domain.permissions.CLINICAL_ROLES``)."""

    PROVIDER = "provider"
    NURSE = "nurse"
    AESTHETICIAN = "aesthetician"


clinic_app = typer.Typer(help="Clinic workspace administration.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff accounts, from the server's shell.", no_args_is_help=True)


def _ready() -> None:
    from django.core.management import call_command  # noqa: PLC0415 - Django only when a command needs it

    try:
        setup_django()
    except ValueError as error:  # the settings refuse the environment: an unsafe data folder, say
        typer.echo(f"error: configuration: {error}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    call_command("migrate", interactive=False, verbosity=0)


@clinic_app.command("create")
def create(  # noqa: PLR0913, PLR0917 - Typer maps each parameter to one option
    name: Annotated[str, typer.Option(help="The clinic's name, as shown on its public page.")],
    city: Annotated[str, typer.Option(help="The clinic's city.")],
    owner_email: Annotated[str, typer.Option(help="The owner's e-mail address (their sign-in name).")],
    owner_name: Annotated[str, typer.Option(help="The owner's name.")],
    services: Annotated[str, typer.Option(help="What the clinic offers (public page).")] = "",
    phone: Annotated[str, typer.Option(help="The number clients call (needed before sessions can be recorded).")] = "",
    address: Annotated[str, typer.Option(help="The clinic's address, shown to clients.")] = "",
    out_of_hours: Annotated[str, typer.Option(help="What clients should do when the clinic is closed.")] = "",
    time_zone: Annotated[str, typer.Option(help="The clinic's IANA time zone, e.g. Europe/Madrid.")] = "UTC",
    on_call_email: Annotated[
        str, typer.Option(help="Who is e-mailed of a red-flag check-in besides its practitioner.")
    ] = "",
    on_call_phone: Annotated[str, typer.Option(help="Who is texted of a red-flag check-in, at any hour.")] = "",
    reminder_hours: Annotated[
        int, typer.Option(help="Hours before an appointment its reminder goes to the client (0: none).")
    ] = 48,
    owner_role: Annotated[
        OwnerRole | None,
        typer.Option(
            help="A clinical role the owner holds as well (provider, nurse or aesthetician): one account for a "
            "one-person clinic."
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the owner's password from standard input.")
    ] = False,
) -> None:
    """Make a clinic and its owner account; the owner sets up two-step sign-in at first sign-in."""
    _ready()
    from needlewise.clinic.accounts.fields import Reaching  # noqa: PLC0415 - needs Django set up first
    from needlewise.clinic.accounts.staff import create_clinic  # noqa: PLC0415 - needs Django set up first
    from needlewise.domain.contact import Contact  # noqa: PLC0415 - only when the command runs

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Owner's password (at least 12 characters)", hide_input=True, confirmation_prompt=True)
    try:
        member = create_clinic(
            name=name,
            city=city,
            owner_email=owner_email,
            owner_name=owner_name,
            owner_password=password,
            services=services,
            contact=Contact(phone, address, out_of_hours, time_zone),
            owner_role=owner_role.value if owner_role else "",
            reaching=Reaching(on_call_email, on_call_phone, str(reminder_hours)),
        )
    except ClinicError as error:
        typer.echo(f"error: {error.first}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    console = Console()
    console.print(f"Created clinic [bold]{member.clinic.name}[/bold] (public page /clinics/{member.clinic.slug}/).")
    roles = f"owner and {member.clinical_role}" if member.clinical_role else "owner"
    console.print(f"{member.user.username}: {roles}. Sign in at /clinic/sign-in/ and set up two-step sign-in there.")
    if not member.clinic.phone:
        console.print("No phone number yet: add it on /clinic/settings/ before recording sessions.")


@staff_app.command("reset-2fa")
def reset_2fa(
    email: Annotated[str, typer.Argument(help="The staff member's sign-in e-mail address.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Turn off a staff member's two-step sign-in and recovery codes; they set it up again at their next sign-in.

    For an owner who lost both their phone and their recovery codes and has no other owner to reset
    them on the Staff page. It needs the server's shell, and the audit log records it.
    """
    _ready()
    from needlewise.clinic.accounts.staff import reset_second_factor_from_shell  # noqa: PLC0415 - Django first

    if not yes and not typer.confirm(f"Turn off two-step sign-in for {email}?"):
        typer.echo("Nothing changed.")
        raise typer.Exit(EXIT_INPUT)
    try:
        member = reset_second_factor_from_shell(email)
    except ClinicError as error:
        typer.echo(f"error: {error.first}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    typer.echo(
        f"Two-step sign-in turned off for {member.user.username} ({member.clinic.name}); their recovery codes are "
        "void. They sign in with their password and set it up again at once. Recorded in the audit log."
    )


@audit_app.command("verify")
def verify(
    checkpoint: Annotated[
        Path | None, typer.Option(help="A file written by `needlewise audit checkpoint`: check the chains against it.")
    ] = None,
    public_key: Annotated[
        str | None, typer.Option(help="The checkpoint's public key, as printed when it was written (default: ours).")
    ] = None,
) -> None:
    """Recompute every audit chain, then every clinical record's digest; exit 1 naming the first break."""
    _ready()
    from needlewise.clinic.audit import chain  # noqa: PLC0415 - needs Django set up first
    from needlewise.clinic.records import integrity  # noqa: PLC0415 - needs Django set up first

    if checkpoint is not None:
        _check_checkpoint(checkpoint, public_key)
    try:
        report = chain.verify()
    except DataKeyError as error:
        typer.echo(f"error: {error.first}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    if not report.ok:
        where = chain.chain_label(report.broken_chain or 0)
        typer.echo(f"audit log BROKEN in the {where} at row {report.broken_at}: {report.reason}", err=True)
        raise typer.Exit(EXIT_BROKEN)
    typer.echo(f"audit log OK: {report.rows} rows in {report.chains} keyed chain(s), every row and head matches")
    if report.legacy_rows:
        typer.echo(f"legacy chain: {report.legacy_rows} rows, unkeyed (written before the chains were keyed)")
    records = integrity.verify()
    if records.uncovered():
        typer.echo(f"not covered (recorded before they were): {records.uncovered()}")
    if records.ok:
        typer.echo(f"clinical records OK: {records.counted()} match their audit rows")
        return
    shown = records.problems[: integrity.SHOWN]
    more = len(records.problems) - len(shown)
    typer.echo(f"clinical records CHANGED ({len(records.problems)} of {records.counted()}):", err=True)
    for problem in shown:
        typer.echo(f"  - {problem}", err=True)
    if more:
        typer.echo(f"  ... and {more} more", err=True)
    raise typer.Exit(EXIT_BROKEN)


def _check_checkpoint(path: Path, public_key: str | None) -> None:
    from needlewise.clinic.audit import checkpoint  # noqa: PLC0415 - needs Django set up first

    try:
        document = path.read_bytes()
    except OSError as error:
        typer.echo(f"error: checkpoint: cannot read {path} ({error.strerror})", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    try:
        report = checkpoint.check(document, public_key)
    except (ClinicError, DataKeyError) as error:
        typer.echo(f"audit checkpoint BROKEN: {error.first}", err=True)
        raise typer.Exit(EXIT_BROKEN) from None
    if not report.ok:
        typer.echo(f"audit checkpoint BROKEN: {report.reason}", err=True)
        raise typer.Exit(EXIT_BROKEN)
    typer.echo(f"checkpoint OK: signature good, {report.chains} chain head(s) of {report.made_at} still in place")


@audit_app.command("checkpoint")
def write_checkpoint(
    out: Annotated[
        Path | None, typer.Option(help="Write the checkpoint to this file (default: standard output).")
    ] = None,
) -> None:
    """Write every audit chain's head, signed (Ed25519), to keep elsewhere; prints the public key to check it with."""
    _ready()
    from needlewise.clinic.audit import checkpoint  # noqa: PLC0415 - needs Django set up first

    try:
        document = checkpoint.make()
    except DataKeyError as error:
        typer.echo(f"error: {error.first}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    if out is None:
        sys.stdout.write(document.decode("ascii"))
    else:
        try:
            out.write_bytes(document)
        except OSError as error:
            typer.echo(f"error: cannot write {out} ({error.strerror})", err=True)
            raise typer.Exit(EXIT_INPUT) from None
    typer.echo(f"checkpoint public key: {checkpoint.public_key()} (keep it apart from the server)", err=True)
