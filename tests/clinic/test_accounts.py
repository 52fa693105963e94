"""Clinics, staff accounts, e-mail normalisation, passwords, the second factor and lock-out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import translation

from clinic.support import PASSWORD, actor_for, last_seq
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import clinic_settings, fields, staff
from needlewise.clinic.accounts.clinic_settings import ClinicPage
from needlewise.clinic.accounts.staff import NewStaff
from needlewise.clinic.intake import public
from needlewise.clinic.sign_in import attempts, lockout, password_rules, second_factor
from needlewise.domain.permissions import Role
from needlewise.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from needlewise.storage.models import AuditEntry, Clinic, LoginFailure, StaffMember

pytestmark = pytest.mark.django_db

FULLWIDTH_ABC = "\uff21\uff22\uff23"  # full-width A, B and C, which NFKC turns into plain ABC
STEP_START = datetime(2031, 1, 1, tzinfo=UTC)  # a multiple of 30 s since the epoch
NOW = STEP_START + timedelta(seconds=10)


def new_clinic(name: str = "Clinic", email: str = "owner@example.org", **changes: str) -> StaffMember:
    fields = {"name": name, "city": "Springfield", "owner_email": email, "owner_name": "Olive Owner"}
    fields |= {"owner_password": PASSWORD, **changes}
    return staff.create_clinic(**fields)


def wheres(error: pytest.ExceptionInfo[Exception]) -> list[str]:
    return [p.where for p in error.value.problems]  # type: ignore[attr-defined]


# --- clinics ---


def test_create_clinic_makes_the_clinic_and_its_owner():
    owner = new_clinic(" Clínica São João ", " Owner@Example.ORG ", city=" Lisbon ", services="  Needling  ")
    clinic = owner.clinic
    assert (clinic.slug, clinic.name, clinic.city, clinic.services) == (
        "clinica-sao-joao",
        "Clínica São João",
        "Lisbon",
        "Needling",
    )
    assert clinic.accepts_requests
    assert (owner.role, owner.display_name, owner.totp_secret) == ("owner", "Olive Owner", "")
    assert (owner.user.username, owner.user.email) == ("owner@example.org", "owner@example.org")
    assert owner.user.check_password(PASSWORD)
    assert staff.staff_of(owner.user) == owner


def test_slugs_are_made_unique():
    slugs = [new_clinic("Clinic", f"o{n}@example.org").clinic.slug for n in range(3)]
    assert slugs == ["clinic", "clinic-2", "clinic-3"]


def test_a_name_without_latin_letters_gets_a_generic_slug():
    assert new_clinic("診療所", "a@example.org").clinic.slug == "clinic"
    assert new_clinic("美容クリニック", "b@example.org").clinic.slug == "clinic-2"


def test_long_names_give_slugs_of_at_most_50_characters():
    assert new_clinic("x" * 80, "a@example.org").clinic.slug == "x" * 50
    assert new_clinic("x" * 80, "b@example.org").clinic.slug == "x" * 50 + "-2"


def test_create_clinic_lists_every_missing_field():
    with pytest.raises(InvalidInputError) as invalid:
        new_clinic(" ", city="", owner_name="  ")
    assert wheres(invalid) == ["name", "city", "owner_name"]
    assert all(p.message == "this field is required" for p in invalid.value.problems)
    assert not Clinic.objects.exists()


@pytest.mark.parametrize(
    "email", ["", "owner", "owner@example", "a b@example.org", "@example.org", "x@" + "e" * 260 + ".org"]
)
def test_create_clinic_refuses_a_bad_owner_email(email):
    with pytest.raises(InvalidInputError) as invalid:
        new_clinic(email=email)
    assert wheres(invalid) == ["owner_email"]
    assert not Clinic.objects.exists()


def test_create_clinic_refuses_a_weak_password_and_keeps_nothing():
    with pytest.raises(InvalidInputError) as invalid:
        new_clinic(owner_password="password")  # noqa: S106 - the weak password under test
    assert wheres(invalid) == ["password", "password"]
    assert [p.message for p in invalid.value.problems] == [
        "This password is too short. It must contain at least 12 characters.",
        "This password is too common.",
    ]
    assert not Clinic.objects.exists()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "too short"),
        ("password1234", "too common"),
        ("margaret.thornbury", "too similar"),
    ],
)
def test_password_rules(password, reason):
    with pytest.raises(InvalidInputError) as invalid:
        new_clinic(email="margaret.thornbury@example.org", owner_password=password)
    assert any(reason in p.message for p in invalid.value.problems)
    assert set(wheres(invalid)) == {"password"}


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        (" " * 12, "repeats the same few characters"),
        ("a" * 12, "repeats the same few characters"),
        ("aaaaaaaaaaab", "repeats the same few characters"),
        ("abababababab", "repeats the same few characters"),
        ("qwerqwerqwer", "repeats the same few characters"),
        ("123456789012", "a run of characters"),
        ("abcdefghijkl", "a run of characters"),
        ("zyxwvutsrqpo", "a run of characters"),
        ("0987654321098", "a run of characters"),
        ("Tp7-horse-battery-" * 8, "too long: use at most 128 characters"),
    ],
)
def test_repeated_sequential_and_over_long_passwords_are_refused(password, reason):
    with pytest.raises(InvalidInputError) as invalid:
        fields.check_password(password)
    assert any(reason in p.message for p in invalid.value.problems), invalid.value.problems
    assert set(wheres(invalid)) == {"password"}


@pytest.mark.parametrize("password", ["x7#Lq2!vR9zm", "river otter lantern", "Tp7-horse-batt" * 9 + "xy"])
def test_strong_passwords_pass_the_extra_rules(password):
    assert len(password) <= password_rules.MAX_LENGTH
    fields.check_password(password)
    assert password_rules.problems("") == []  # an empty one is Django's "too short" alone


def test_the_extra_rules_speak_spanish():
    with translation.override("es"), pytest.raises(InvalidInputError) as invalid:
        fields.check_password("123456789012")
    assert "Esta contraseña es una serie de caracteres" in invalid.value.problems[0].message
    with translation.override("es"):
        assert "128" in password_rules.RepeatsAndRunsValidator().get_help_text()


def test_check_password_accepts_a_good_one_and_names_the_field():
    fields.check_password(PASSWORD)
    with pytest.raises(InvalidInputError) as invalid:
        fields.check_password("abc", where="new_password")
    assert set(wheres(invalid)) == {"new_password"}


# --- e-mail addresses ---


def test_normalise_email():
    assert fields.normalise_email(f"  {FULLWIDTH_ABC}@Example.ORG ") == "abc@example.org"
    assert fields.normalise_email("STRASSE@example.org") == fields.normalise_email("straße@example.org")


@pytest.mark.parametrize(
    "second", ["abc@example.org", "ABC@EXAMPLE.ORG", " Abc@example.org", f"{FULLWIDTH_ABC}@example.org"]
)
def test_addresses_differing_only_by_case_or_unicode_form_collide(site_a, second):
    owner = site_a.actor(Role.OWNER)
    staff.add_staff(owner, NewStaff(f"{FULLWIDTH_ABC}@example.org", "First", Role.NURSE))
    count = StaffMember.objects.count()
    with pytest.raises(ConflictError) as taken:
        staff.add_staff(owner, NewStaff(second, "Second", Role.NURSE))
    assert wheres(taken) == ["email"]
    assert StaffMember.objects.count() == count


def test_a_new_clinic_cannot_reuse_a_staff_address(site_a):
    clinics = Clinic.objects.count()
    with pytest.raises(ConflictError):
        new_clinic(email="NURSE@alpha.example.org")
    assert Clinic.objects.count() == clinics
    assert site_a.members[Role.NURSE].user.username == "nurse@alpha.example.org"


def test_add_staff_validates_and_leaves_the_password_unset(site_a):
    owner = site_a.actor(Role.OWNER)
    with pytest.raises(InvalidInputError) as invalid:
        staff.add_staff(owner, NewStaff("not-an-address", "X", Role.NURSE))
    assert wheres(invalid) == ["email"]
    with pytest.raises(InvalidInputError) as invalid:
        staff.add_staff(owner, NewStaff("x@example.org", "   ", Role.NURSE))
    assert wheres(invalid) == ["display_name"]
    member = staff.add_staff(owner, NewStaff(" Y@Example.org ", "  Yara  ", Role.AESTHETICIAN))
    assert (member.user.username, member.display_name, member.role) == ("y@example.org", "Yara", "aesthetician")
    assert member.clinic_id == site_a.clinic.pk
    assert not member.user.has_usable_password()


def test_find_user_normalises_and_skips_inactive_accounts(site_a):
    nurse = site_a.members[Role.NURSE]
    assert staff.find_user(" NURSE@Alpha.Example.org") == nurse.user
    assert staff.find_user("nobody@alpha.example.org") is None
    staff.set_active(site_a.actor(Role.OWNER), nurse.pk, active=False)
    assert staff.find_user("nurse@alpha.example.org") is None


def test_staff_of_a_user_without_a_clinic():
    user = User.objects.create(username="loner@example.org")
    assert staff.staff_of(user) is None


# --- staff management ---


def test_staff_list_is_active_first_then_in_order_added(site_a):
    owner = site_a.actor(Role.OWNER)
    members = site_a.members
    assert [m.role for m in staff.staff_list(owner)] == ["owner", "provider", "nurse", "aesthetician", "front_desk"]
    staff.set_active(owner, members[Role.PROVIDER].pk, active=False)
    staff.set_active(owner, members[Role.NURSE].pk, active=False)
    listed = staff.staff_list(owner)
    assert [m.role for m in listed] == ["owner", "aesthetician", "front_desk", "provider", "nurse"]
    assert [m.user.is_active for m in listed] == [True, True, True, False, False]


def test_set_active_deactivates_and_reactivates(site_a):
    owner, nurse = site_a.actor(Role.OWNER), site_a.members[Role.NURSE]
    assert not staff.set_active(owner, nurse.pk, active=False).user.is_active
    assert not User.objects.get(pk=nurse.user_id).is_active
    assert staff.set_active(owner, nurse.pk, active=True).user.is_active
    assert User.objects.get(pk=nurse.user_id).is_active


@pytest.mark.parametrize("active", [False, True])
def test_an_owner_cannot_change_their_own_account(site_a, active):
    owner = site_a.members[Role.OWNER]
    with pytest.raises(ConflictError, match="you cannot deactivate your own account"):
        staff.set_active(actor_for(owner), owner.pk, active=active)
    assert User.objects.get(pk=owner.user_id).is_active


def test_set_active_on_another_clinics_or_a_missing_member_is_not_found(sites):
    site_a, site_b = sites
    owner = site_a.actor(Role.OWNER)
    for staff_id in (site_b.members[Role.NURSE].pk, site_b.members[Role.OWNER].pk, 10**9):
        with pytest.raises(NotFoundError, match="no such staff member in your clinic"):
            staff.set_active(owner, staff_id, active=False)
    assert User.objects.filter(is_active=False).count() == 0


# --- the clinic's public page ---


def test_update_clinic_changes_the_page(site_a):
    owner = site_a.actor(Role.OWNER)
    clinic = clinic_settings.update_clinic(
        owner, ClinicPage(" Alpha Skin ", " Aston ", " Microneedling ", accepts_requests=False)
    )
    stored = Clinic.objects.get(pk=site_a.clinic.pk)
    assert (stored.name, stored.city, stored.services, stored.accepts_requests) == (
        "Alpha Skin",
        "Aston",
        "Microneedling",
        False,
    )
    assert stored.slug == site_a.clinic.slug  # the address does not move
    assert clinic.pk == stored.pk
    assert site_a.clinic.slug not in [c.slug for c in public.directory()]


def test_update_clinic_validation(site_a):
    owner = site_a.actor(Role.OWNER)
    with pytest.raises(InvalidInputError) as invalid:
        clinic_settings.update_clinic(owner, ClinicPage(" ", "", "x" * 2001, accepts_requests=True))
    assert wheres(invalid) == ["name", "city", "services"]
    assert [p.message for p in invalid.value.problems][-1] == "at most 2000 characters"
    assert Clinic.objects.get(pk=site_a.clinic.pk).name == "Clinic Alpha"
    assert (
        clinic_settings.update_clinic(owner, ClinicPage("A", "B", "x" * 2000, accepts_requests=True)).services
        == "x" * 2000
    )


@pytest.mark.parametrize("typed", ["0", "366", "ten", "", "-5", "1.5"])
def test_a_screening_validity_outside_1_to_365_days_is_refused(site_a, typed):
    owner = site_a.actor(Role.OWNER)
    with pytest.raises(InvalidInputError) as invalid:
        clinic_settings.update_clinic(
            owner, ClinicPage("A", "B", "", accepts_requests=True, screening_valid_days=typed)
        )
    assert [(p.where, p.message) for p in invalid.value.problems] == [
        ("screening_valid_days", "enter a whole number of days from 1 to 365")
    ]
    assert Clinic.objects.get(pk=site_a.clinic.pk).screening_valid_days == 30


def test_the_screening_validity_is_the_clinics_setting(site_a):
    owner = site_a.actor(Role.OWNER)
    page = ClinicPage("A", "B", "", accepts_requests=True, screening_valid_days=" 14 ")
    assert clinic_settings.update_clinic(owner, page).screening_valid_days == 14
    unchanged = ClinicPage("A", "B", "", accepts_requests=True)  # a form without the field leaves it alone
    assert clinic_settings.update_clinic(owner, unchanged).screening_valid_days == 14


# --- the second factor ---


def code_at(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


@pytest.fixture
def enrolled(site_a):
    """A provider with TOTP enrolled at NOW - 5 minutes."""
    member = site_a.members[Role.PROVIDER]
    secret = second_factor.new_totp_secret()
    with time_machine.travel(NOW - timedelta(minutes=5), tick=False):
        assert second_factor.enrol_totp(member, secret, code_at(secret, NOW - timedelta(minutes=5)))
    return member, secret


def test_new_secret_is_32_base32_characters():
    secrets = {second_factor.new_totp_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert len(secret) == 32
        assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_provisioning_uri_names_the_account_and_the_clinic():
    secret = second_factor.new_totp_secret()
    uri = second_factor.provisioning_uri(secret, "nurse@example.org", "Clinic Alpha")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert unquote(parts.path) == "/needlewise (Clinic Alpha):nurse@example.org"
    query = parse_qs(parts.query)
    assert query["secret"] == [secret]
    assert query["issuer"] == ["needlewise (Clinic Alpha)"]


def test_enrol_with_the_wrong_code_stores_nothing(site_a):
    member = site_a.members[Role.OWNER]
    secret = second_factor.new_totp_secret()
    with time_machine.travel(NOW, tick=False):
        wrong = code_at(secret, NOW + timedelta(minutes=10))
        assert not second_factor.enrol_totp(member, secret, wrong)
        assert not second_factor.enrol_totp(member, secret, "abcdef")
    member.refresh_from_db()
    assert (member.totp_secret, member.totp_last_step) == ("", None)


def test_enrol_with_the_right_code_stores_the_secret_and_uses_the_code_up(site_a):
    member = site_a.members[Role.OWNER]
    secret = second_factor.new_totp_secret()
    with time_machine.travel(NOW, tick=False):
        code = code_at(secret, NOW)
        assert second_factor.enrol_totp(member, secret, code)
        stored = StaffMember.objects.get(pk=member.pk)
        assert stored.totp_secret == secret
        assert stored.totp_last_step == pyotp.TOTP(secret).timecode(NOW)
        assert not second_factor.verify_totp(stored, code)  # the enrolment code cannot sign in


def test_verify_accepts_a_code_once(enrolled):
    member, secret = enrolled
    with time_machine.travel(NOW, tick=False):
        code = code_at(secret, NOW)
        assert second_factor.verify_totp(member, code)
        assert member.totp_last_step == pyotp.TOTP(secret).timecode(NOW)
        assert not second_factor.verify_totp(member, code)
        assert not second_factor.verify_totp(StaffMember.objects.get(pk=member.pk), code)


def test_verify_accepts_spaces_inside_the_code(enrolled):
    member, secret = enrolled
    with time_machine.travel(NOW, tick=False):
        code = code_at(secret, NOW)
        assert second_factor.verify_totp(member, f" {code[:3]} {code[3:]} ")


@pytest.mark.parametrize("drift", [-1, 1])
def test_verify_allows_one_step_of_clock_drift(enrolled, drift):
    member, secret = enrolled
    with time_machine.travel(NOW, tick=False):
        assert second_factor.verify_totp(member, code_at(secret, NOW + timedelta(seconds=30 * drift)))


@pytest.mark.parametrize("drift", [-2, 2, 10])
def test_verify_refuses_codes_two_steps_away(enrolled, drift):
    member, secret = enrolled
    with time_machine.travel(NOW, tick=False):
        code = code_at(secret, NOW + timedelta(seconds=30 * drift))
        if code in {code_at(secret, NOW + timedelta(seconds=30 * d)) for d in (-1, 0, 1)}:
            pytest.skip("the distant code happens to equal a near one")  # one chance in ~300,000
        assert not second_factor.verify_totp(member, code)


def test_after_a_later_steps_code_an_earlier_one_is_refused(enrolled):
    member, secret = enrolled
    with time_machine.travel(NOW, tick=False):
        assert second_factor.verify_totp(member, code_at(secret, NOW + timedelta(seconds=30)))
        assert not second_factor.verify_totp(member, code_at(secret, NOW))
    with time_machine.travel(NOW + timedelta(seconds=60), tick=False):
        assert second_factor.verify_totp(member, code_at(secret, NOW + timedelta(seconds=60)))


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456", "abcdef", "12-456", "١٢٣٤٥"])
def test_verify_refuses_malformed_codes(enrolled, code):
    member, _ = enrolled
    with time_machine.travel(NOW, tick=False):
        assert not second_factor.verify_totp(member, code)
    assert StaffMember.objects.get(pk=member.pk).totp_last_step == member.totp_last_step


def test_verify_refuses_everything_without_a_secret(site_a):
    member = site_a.members[Role.NURSE]
    assert not second_factor.verify_totp(member, "123456")
    member.refresh_from_db()
    assert member.totp_last_step is None


# --- lock-out ---


def test_failures_from_many_addresses_slow_an_account_but_never_lock_it(settings):
    slow_after, cap = settings.LOGIN_ACCOUNT_SLOW_AFTER, settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS
    with time_machine.travel(NOW, tick=False) as clock:
        for n in range(slow_after - 1):
            lockout.record_failure("Nurse@Alpha.example.org", f"10.0.0.{n}", f"r{n}", "password")
        assert lockout.wait_seconds("nurse@alpha.example.org", "192.0.2.99") == 0
        lockout.record_failure("NURSE@alpha.example.org", "10.0.1.1", "rx", "totp")
        assert lockout.wait_seconds(" Nurse@Alpha.Example.Org ", "192.0.2.99") == 1  # 2**0 s after the last
        assert not lockout.locked_out("other@alpha.example.org", "192.0.2.99")
        delays = []
        for n in range(8):  # each further failure doubles the delay, up to the cap
            clock.shift(timedelta(seconds=cap))
            lockout.record_failure("nurse@alpha.example.org", f"10.0.2.{n}", f"s{n}", "password")
            delays.append(lockout.wait_seconds("nurse@alpha.example.org", "192.0.2.99"))
        assert delays == [min(2**n, cap) for n in range(1, 9)]
        clock.shift(timedelta(seconds=cap))
        assert not lockout.locked_out("nurse@alpha.example.org", "192.0.2.99")  # never locked for long


def test_lock_out_by_account_and_address_together(settings):
    settings.LOGIN_ACCOUNT_SLOW_AFTER = 100  # only the pair's own lock here
    with time_machine.travel(NOW, tick=False):
        for n in range(settings.LOGIN_FAILURE_LIMIT - 1):
            lockout.record_failure("a@example.org", "192.0.2.1", f"r{n}", "password")
        assert not lockout.locked_out("a@example.org", "192.0.2.1")
        lockout.record_failure("A@example.org", "192.0.2.1", "rx", "password")
        assert lockout.wait_seconds("a@example.org", "192.0.2.1") == settings.LOGIN_FAILURE_WINDOW_MINUTES * 60
        assert not lockout.locked_out("a@example.org", "192.0.2.2")  # the same account from elsewhere


def test_lock_out_by_address_for_any_account(settings):
    limit = settings.LOGIN_FAILURE_LIMIT
    with time_machine.travel(NOW, tick=False):
        for n in range(limit):
            lockout.record_failure(f"user{n}@example.org", "198.51.100.5", f"r{n}", "password")
        assert lockout.locked_out("fresh@example.org", "198.51.100.5")
        assert not lockout.locked_out("fresh@example.org", "198.51.100.6")
        assert not lockout.locked_out("user1@example.org", "198.51.100.6")


def test_lock_out_ends_with_the_window(settings):
    window = timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    with time_machine.travel(NOW, tick=False):
        for n in range(settings.LOGIN_FAILURE_LIMIT):
            lockout.record_failure("a@example.org", "192.0.2.1", f"r{n}", "password")
    with time_machine.travel(NOW + window - timedelta(seconds=1), tick=False):
        assert lockout.wait_seconds("a@example.org", "192.0.2.1") == 1
        assert lockout.locked_out("b@example.org", "192.0.2.1")
        assert not lockout.locked_out("a@example.org", "192.0.2.2")  # slowed for a second only, long ago
    with time_machine.travel(NOW + window, tick=False):
        assert not lockout.locked_out("a@example.org", "192.0.2.1")
        assert not lockout.locked_out("b@example.org", "192.0.2.1")


def test_clear_failures_forgets_the_account_and_this_address_for_it_not_the_address(settings):
    with time_machine.travel(NOW, tick=False):
        for n in range(settings.LOGIN_FAILURE_LIMIT):
            lockout.record_failure("a@example.org", "192.0.2.1", f"r{n}", "password")
            lockout.record_failure("a@example.org", "192.0.2.5", f"q{n}", "password")
        lockout.clear_failures(" A@Example.org", "192.0.2.1")
        assert not lockout.locked_out("a@example.org", "192.0.2.2")
        assert lockout.locked_out("a@example.org", "192.0.2.5")  # another address's guesses still count
        assert lockout.locked_out("b@example.org", "192.0.2.1")  # and so do the address's own
    assert not LoginFailure.objects.filter(key="pair:a@example.org|192.0.2.1").exists()


def test_failures_older_than_a_day_are_purged(monkeypatch):
    monkeypatch.setattr(attempts, "CLEANUP_ONE_IN", 1)
    with time_machine.travel(NOW, tick=False):
        lockout.record_failure("a@example.org", "192.0.2.1", "r1", "password")
    with time_machine.travel(NOW + timedelta(hours=23), tick=False):
        lockout.record_failure("a@example.org", "192.0.2.1", "r2", "password")
    assert LoginFailure.objects.count() == 6
    with time_machine.travel(NOW + timedelta(days=1, seconds=1), tick=False):
        lockout.record_failure("b@example.org", "192.0.2.3", "r3", "password")
    assert sorted(LoginFailure.objects.values_list("key", flat=True)) == sorted(
        [
            "user:a@example.org",
            "ip:192.0.2.1",
            "pair:a@example.org|192.0.2.1",
            "user:b@example.org",
            "ip:192.0.2.3",
            "pair:b@example.org|192.0.2.3",
        ]
    )
    assert str(LoginFailure.objects.first()).startswith("login failure (")


# --- helpers the web edges use ---


def test_active_member_only_for_active_accounts(site_a):
    nurse = site_a.members[Role.NURSE]
    found = staff.active_member(nurse.user_id)
    assert found == nurse
    assert found is not None
    assert found.clinic == site_a.clinic
    staff.set_active(site_a.actor(Role.OWNER), nurse.pk, active=False)
    assert staff.active_member(nurse.user_id) is None
    assert staff.active_member(User.objects.create(username="loner@example.org").pk) is None


@pytest.mark.parametrize("role", list(Role))
def test_only_owners_get_the_clinic_page_form(site_a, role):
    before = AuditEntry.objects.count()
    if role is Role.OWNER:
        clinic_settings.require_owner_page(site_a.actor(role))
        assert AuditEntry.objects.count() == before
    else:
        with pytest.raises(NotAllowedError):
            clinic_settings.require_owner_page(site_a.actor(role))
        assert AuditEntry.objects.get(pk=last_seq()).outcome == "denied"


@pytest.mark.parametrize("role", list(Role))
def test_own_clinic_is_the_actors_clinic(sites, role):
    site_a, site_b = sites
    assert clinic_settings.own_clinic(site_a.actor(role)) == site_a.clinic
    assert clinic_settings.own_clinic(site_b.actor(role)) == site_b.clinic


def test_own_clinic_refuses_an_actor_without_a_clinic():
    with pytest.raises(NotAllowedError):
        clinic_settings.own_clinic(Actor.system("x"))


def test_start_of_day_is_midnight_in_the_server_time_zone(settings):
    assert clinic_settings.start_of_day(date(2031, 3, 4)) == datetime(2031, 3, 4, tzinfo=UTC)
    settings.TIME_ZONE = "America/New_York"
    assert clinic_settings.start_of_day(date(2031, 7, 4)) == datetime(2031, 7, 4, 4, tzinfo=UTC)


def test_deactivation_voids_the_password_and_reactivation_does_not_restore_it(site_a):
    owner, provider = site_a.actor(Role.OWNER), site_a.members[Role.PROVIDER]
    provider.user.set_password(PASSWORD)
    provider.user.save()
    staff.set_active(owner, provider.pk, active=False)
    assert not User.objects.get(pk=provider.user_id).has_usable_password()
    staff.set_active(owner, provider.pk, active=True)
    user = User.objects.get(pk=provider.user_id)
    assert user.is_active
    assert not user.has_usable_password()
    assert not user.check_password(PASSWORD)


def test_reset_second_factor(sites):
    site_a, site_b = sites
    provider = site_a.members[Role.PROVIDER]
    secret = second_factor.new_totp_secret()
    with time_machine.travel(NOW, tick=False):
        assert second_factor.enrol_totp(provider, secret, code_at(secret, NOW))
    owner = site_a.actor(Role.OWNER)
    before = last_seq()
    reset = staff.reset_second_factor(owner, provider.pk)
    stored = StaffMember.objects.get(pk=provider.pk)
    assert (reset.totp_secret, stored.totp_secret, stored.totp_last_step) == ("", "", None)
    [row] = AuditEntry.objects.filter(pk__gt=before)
    assert (row.actor, row.action, row.object_type, row.object_id, row.outcome, row.detail) == (
        owner.actor_id,
        "update",
        "staff",
        str(provider.pk),
        "success",
        {"second_factor": "reset"},
    )
    assert not second_factor.verify_totp(stored, code_at(secret, NOW))
    with pytest.raises(NotFoundError):
        staff.reset_second_factor(owner, site_b.members[Role.PROVIDER].pk)
    for role in (Role.PROVIDER, Role.NURSE, Role.FRONT_DESK):
        with pytest.raises(NotAllowedError):
            staff.reset_second_factor(site_a.actor(role), site_a.members[Role.OWNER].pk)


def test_a_counted_attempt_over_its_limit_is_refused_and_not_counted():
    with time_machine.travel(NOW, tick=False) as clock:
        assert [attempts.hit("limit:test|192.0.2.1", 2, 60) for _ in range(3)] == [0, 0, 60]
        assert LoginFailure.objects.filter(key="limit:test|192.0.2.1").count() == 2
        assert attempts.hit("limit:test|192.0.2.2", 2, 60) == 0  # another address has its own count
        assert attempts.hit("limit:off|192.0.2.1", 0, 60) == 0  # 0: no limit
        clock.shift(timedelta(seconds=60))
        assert attempts.hit("limit:test|192.0.2.1", 2, 60) == 0
