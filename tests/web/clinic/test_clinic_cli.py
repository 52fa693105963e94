"""``needlewise clinic create`` and ``needlewise audit verify`` through Typer's runner, on the test database."""

from __future__ import annotations

import pytest
from django.db import connection
from typer.testing import CliRunner

from needlewise.cli.app import app
from needlewise.clinic.audit import chain as audit_chain
from needlewise.clinic.sign_in.recovery_codes import new_codes
from needlewise.storage.models import AuditEntry, Clinic, RecoveryCode, StaffMember

pytestmark = pytest.mark.django_db

runner = CliRunner()
OWNER_PASSWORD = "a long owner passphrase 1987"  # noqa: S105 - a test account's password
CREATE = [
    "clinic",
    "create",
    "--name",
    "Delta Skin",
    "--city",
    "Derby",
    "--owner-email",
    "Dee@Delta.example.org",
    "--owner-name",
    "Dee Delta",
    "--services",
    "Facials",
]


def run(args: list[str], stdin: str | None = None):
    result = runner.invoke(app, args, input=stdin)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_create_reads_the_password_from_stdin():
    result = run([*CREATE, "--password-stdin"], f"{OWNER_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Created clinic Delta Skin (public page /clinics/delta-skin/)." in result.stdout
    assert "dee@delta.example.org: owner. Sign in" in result.stdout
    owner = StaffMember.objects.select_related("user", "clinic").get(user__username="dee@delta.example.org")
    assert (owner.role, owner.clinic.name, owner.clinic.city, owner.clinic.services) == (
        "owner",
        "Delta Skin",
        "Derby",
        "Facials",
    )
    assert owner.user.check_password(OWNER_PASSWORD)
    assert not owner.totp_secret  # set up at first sign-in


def test_create_with_an_owner_role_makes_a_one_account_clinic():
    result = run([*CREATE, "--owner-role", "nurse", "--password-stdin"], f"{OWNER_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "dee@delta.example.org: owner and nurse. Sign in" in result.stdout
    owner = StaffMember.objects.get(user__username="dee@delta.example.org")
    assert (owner.role, owner.clinical_role) == ("owner", "nurse")


def test_an_owner_role_that_is_not_clinical_is_refused_before_the_password_is_asked():
    result = run([*CREATE, "--owner-role", "front_desk"], f"{OWNER_PASSWORD}\n{OWNER_PASSWORD}\n")
    assert result.exit_code == 2
    assert "front_desk" in result.output
    assert "password" not in result.output.lower()
    assert not Clinic.objects.exists()


def test_create_asks_for_the_password_twice_without_echoing_it():
    result = run(CREATE, f"{OWNER_PASSWORD}\n{OWNER_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Owner's password (at least 12 characters)" in result.output
    assert OWNER_PASSWORD not in result.output
    assert Clinic.objects.filter(slug="delta-skin").exists()


def test_create_refuses_a_short_password_in_one_line():
    result = run([*CREATE, "--password-stdin"], "short\n")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: password: This password is too short.")
    assert not Clinic.objects.filter(slug="delta-skin").exists()


def test_create_refuses_an_address_that_is_taken():
    assert run([*CREATE, "--password-stdin"], f"{OWNER_PASSWORD}\n").exit_code == 0
    result = run([*CREATE, "--password-stdin"], f"{OWNER_PASSWORD}\n")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: email: an account with this e-mail address already exists"
    assert Clinic.objects.count() == 1


CONTACT = [
    "--phone",
    "+34 (91) 555-0100",
    "--address",
    "Calle Mayor 1, Madrid",
    "--out-of-hours",
    "Call 112 in an emergency.",
    "--time-zone",
    "Europe/Madrid",
]


def test_create_stores_the_contact_details_clients_are_given():
    result = run([*CREATE, *CONTACT, "--password-stdin"], f"{OWNER_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "No phone number yet" not in result.stdout
    clinic = Clinic.objects.get(slug="delta-skin")
    assert (clinic.phone, clinic.address, clinic.out_of_hours, clinic.time_zone) == (
        "+34 (91) 555-0100",
        "Calle Mayor 1, Madrid",
        "Call 112 in an emergency.",
        "Europe/Madrid",
    )


def test_create_stores_the_on_call_contact_and_the_reminder_hours():
    reach = [
        "--on-call-email",
        " OnCall@Delta.example.org ",
        "--on-call-phone",
        "+34 600 111 222",
        "--reminder-hours",
        "24",
    ]
    result = run([*CREATE, *reach, "--password-stdin"], f"{OWNER_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    clinic = Clinic.objects.get(slug="delta-skin")
    assert (clinic.on_call_email, clinic.on_call_phone, clinic.reminder_hours) == (
        "oncall@delta.example.org",
        "+34 600 111 222",
        24,
    )


def test_create_without_a_phone_says_sessions_wait_for_one():
    result = run([*CREATE, "--password-stdin"], f"{OWNER_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "No phone number yet: add it on /clinic/settings/ before recording sessions." in result.stdout
    clinic = Clinic.objects.get(slug="delta-skin")
    assert (clinic.time_zone, clinic.on_call_email, clinic.on_call_phone, clinic.reminder_hours) == ("UTC", "", "", 48)


@pytest.mark.parametrize(
    ("option", "value", "error"),
    [
        ("--phone", "call 555-0100", "error: phone: enter a phone number of 6 to 20 digits"),
        ("--phone", "12345", "error: phone: enter a phone number of 6 to 20 digits"),
        ("--time-zone", "Mars/Olympus", "error: time_zone: unknown time zone: choose one such as Europe/Madrid or UTC"),
        ("--address", "A" * 501, "error: address: at most 500 characters"),
        ("--on-call-email", "on call", "error: on_call_email: enter an e-mail address like name@example.org"),
        ("--on-call-phone", "12345", "error: on_call_phone: enter a phone number of 6 to 20 digits"),
        (
            "--reminder-hours",
            "169",
            "error: reminder_hours: enter a whole number of hours from 0 (no reminders) to 168",
        ),
    ],
)
def test_create_refuses_wrong_contact_details_naming_the_field(option: str, value: str, error: str):
    result = run([*CREATE, option, value, "--password-stdin"], f"{OWNER_PASSWORD}\n")
    assert result.exit_code == 2
    assert result.stderr.startswith(error)
    assert not Clinic.objects.exists()


def test_audit_verify_reports_an_intact_chain():
    run([*CREATE, "--password-stdin"], f"{OWNER_PASSWORD}\n")
    rows = AuditEntry.objects.count()
    chains = audit_chain.verify().chains
    result = run(["audit", "verify"])
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines() == [
        f"audit log OK: {rows} rows in {chains} keyed chain(s), every row and head matches",
        (
            "clinical records OK: 0 sessions, 0 adverse events, 0 screenings, 0 consents, 0 plans and 0 check-ins "
            "match their audit rows"
        ),
    ]


def test_audit_verify_names_an_edited_row():
    run([*CREATE, "--password-stdin"], f"{OWNER_PASSWORD}\n")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_entry_no_change ON audit_entry")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
        clinic = Clinic.objects.get().pk
        cursor.execute("UPDATE audit_entry SET actor = %s WHERE chain = %s AND seq = 2", ["user:999", clinic])
    result = run(["audit", "verify"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"audit log BROKEN in the chain of clinic {clinic} at row 2: row 2 was changed after it was written"
    )
    assert not audit_chain.verify().ok


def test_audit_verify_names_treatment_records_changed_outside_the_application(site_a):
    from clinic.followup_support import session_row  # noqa: PLC0415 - sessions written straight to the tables
    from needlewise.bootstrap import knowledge_base  # noqa: PLC0415

    made = [session_row(site_a, knowledge_base(), lang=None)]
    result = run(["audit", "verify"])
    assert result.exit_code == 1
    counted = "1 session, 0 adverse events, 2 screenings, 1 consent, 1 plan and 0 check-ins"
    assert result.stderr.splitlines()[-4:] == [  # the fixture writes the plan and the consent to the tables too
        f"clinical records CHANGED (3 of {counted}):",
        f"  - session {made[0].pk} has no audit row with its digest",
        f"  - consent {made[0].consent_id} has no audit row with its digest",
        f"  - plan {made[0].plan_id} has no audit row with its digest",
    ]
    made += [session_row(site_a, knowledge_base(), lang=None) for _ in range(3)]
    result = run(["audit", "verify"])
    assert result.exit_code == 1
    counted = "4 sessions, 0 adverse events, 2 screenings, 4 consents, 4 plans and 0 check-ins"
    assert f"clinical records CHANGED (12 of {counted}):" in result.stderr
    assert f"  - session {made[0].pk} has no audit row with its digest" in result.stderr
    assert "  ... and 2 more" in result.stderr


# --- staff reset-2fa: an owner who lost their phone and their recovery codes ---


def _owner_with_a_second_factor() -> StaffMember:
    assert run([*CREATE, "--password-stdin"], f"{OWNER_PASSWORD}\n").exit_code == 0
    owner = StaffMember.objects.select_related("user").get(user__username="dee@delta.example.org")
    owner.totp_secret = "A" * 32
    owner.save(update_fields=["totp_secret"])
    new_codes(owner)
    return owner


def test_reset_2fa_turns_off_the_second_factor_and_its_codes_and_is_audited():
    owner = _owner_with_a_second_factor()
    assert RecoveryCode.objects.filter(staff=owner).count() == 10
    result = run(["staff", "reset-2fa", "DEE@delta.example.org", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Two-step sign-in turned off for dee@delta.example.org (Delta Skin)" in result.stdout
    owner.refresh_from_db()
    assert (owner.totp_secret, owner.totp_last_step) == ("", None)
    assert not RecoveryCode.objects.filter(staff=owner).exists()
    assert owner.user.check_password(OWNER_PASSWORD)  # the password is unchanged
    row = AuditEntry.objects.order_by("-pk").first()
    assert row is not None
    assert (row.actor, row.action, row.object_type, row.object_id, row.clinic_id, row.detail) == (
        "system:staff-reset-2fa",
        "update",
        "staff",
        str(owner.pk),
        owner.clinic_id,
        {"second_factor": "reset", "from": "shell"},
    )
    assert audit_chain.verify().ok


def test_reset_2fa_asks_first_and_changes_nothing_when_told_no():
    owner = _owner_with_a_second_factor()
    result = run(["staff", "reset-2fa", "dee@delta.example.org"], "n\n")
    assert result.exit_code == 2
    assert "Turn off two-step sign-in for dee@delta.example.org?" in result.output
    assert "Nothing changed." in result.output
    owner.refresh_from_db()
    assert owner.totp_secret == "A" * 32
    assert RecoveryCode.objects.filter(staff=owner).count() == 10


def test_reset_2fa_names_an_unknown_account():
    result = run(["staff", "reset-2fa", "nobody@example.org", "--yes"])
    assert result.exit_code == 2
    assert "error: email: no active staff account has this e-mail address" in result.output
