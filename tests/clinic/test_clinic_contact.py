"""The clinic's contact details (issue 12): stored and checked, given to clients, required before treatment."""

from __future__ import annotations

from datetime import date

import pytest

from clinic.followup_support import checkin_of, session_row
from clinic.support import PASSWORD, last_seq, rows_after
from clinic.treatment_support import Ready, form, ready_client
from clinic_factories import site_contact
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import clinic_settings, staff
from needlewise.clinic.accounts.clinic_settings import ClinicPage
from needlewise.clinic.accounts.fields import contact_problems
from needlewise.clinic.followup import checkins
from needlewise.clinic.followup.aftercare import aftercare_facts
from needlewise.clinic.scheduling.calendar_file import location, reach
from needlewise.clinic.treatment import recording, session_checks
from needlewise.domain.contact import Contact
from needlewise.domain.permissions import Role
from needlewise.domain.treatment import CheckCode, CheckResult
from needlewise.domain.vocabulary import Lang
from needlewise.errors import InvalidInputError, NotAllowedError, SessionBlockedError
from needlewise.reports.aftercare import SessionSheet, aftercare_html
from needlewise.services.time_zones import valid_time_zone
from needlewise.storage.models import Clinic, TreatmentSession

pytestmark = pytest.mark.django_db

CONTACT = Contact("+34 (91) 555-0100", "Calle Mayor 1\nMadrid", "Call 112 in an emergency.", "Europe/Madrid")


def new_clinic(contact: Contact | None = None) -> Clinic:
    owner = staff.create_clinic(
        name="Contact Clinic",
        city="Madrid",
        owner_email="owner@contact.example.org",
        owner_name="Olive Owner",
        owner_password=PASSWORD,
        contact=contact,
    )
    return Clinic.objects.get(pk=owner.clinic_id)


# --- the details and their checks ---


def test_a_clinic_is_created_with_its_contact_details_trimmed():
    clinic = new_clinic(Contact(" +34 (91) 555-0100 ", " Calle Mayor 1\nMadrid ", " Call 112. ", " Europe/Madrid "))
    assert (clinic.phone, clinic.address, clinic.out_of_hours, clinic.time_zone) == (
        "+34 (91) 555-0100",
        "Calle Mayor 1\nMadrid",
        "Call 112.",
        "Europe/Madrid",
    )


def test_a_clinic_created_without_details_has_no_phone_and_utc():
    clinic = new_clinic()
    assert (clinic.phone, clinic.address, clinic.out_of_hours, clinic.time_zone) == ("", "", "", "UTC")


@pytest.mark.parametrize(
    ("contact", "where"),
    [
        (Contact(phone="phone: 555 0100"), ["phone"]),
        (Contact(phone="+34 555"), ["phone"]),  # too few digits
        (Contact(phone="1" * 21), ["phone"]),  # too many
        (Contact(phone="+34 " + "1 " * 19), ["phone", "phone"]),  # too long and too many digits
        (Contact(address="a" * 501), ["address"]),
        (Contact(out_of_hours="o" * 1001), ["out_of_hours"]),
        (Contact(time_zone="Europe/Atlantis"), ["time_zone"]),
        (Contact(time_zone=""), ["time_zone"]),
    ],
)
def test_wrong_contact_details_are_refused_naming_the_field(contact: Contact, where: list[str]):
    assert [p.where for p in contact_problems(contact)] == where
    with pytest.raises(InvalidInputError) as refused:
        new_clinic(contact)
    assert [p.where for p in refused.value.problems] == where
    assert not Clinic.objects.exists()


def test_accepted_phones_and_time_zones():
    for phone in ("+34 (91) 555-0100", "0800 000 000", "(555) 123-4567", ""):
        assert contact_problems(Contact(phone=phone)) == []
    assert valid_time_zone("Europe/Madrid")
    assert valid_time_zone("UTC")
    assert not valid_time_zone("../etc/passwd")


def test_the_owner_changes_the_contact_details_and_the_change_is_audited(site_a):
    owner = site_a.actor(Role.OWNER)
    before = last_seq()
    page = ClinicPage("Clinic Alpha", "Alphaville", "", accepts_requests=True, contact=CONTACT)
    clinic_settings.update_clinic(owner, page)
    assert clinic_settings.own_contact(site_a.actor(Role.NURSE)) == ("Clinic Alpha", CONTACT)
    assert [(r.action, r.object_type) for r in rows_after(before)] == [("update", "clinic")]


def test_a_page_without_contact_details_leaves_them_as_they_are(site_a):
    owner = site_a.actor(Role.OWNER)
    clinic_settings.update_clinic(owner, ClinicPage("Clinic Alpha", "Alphaville", "", accepts_requests=True))
    assert clinic_settings.own_contact(owner) == ("Clinic Alpha", site_contact("alpha"))


def test_wrong_details_on_the_settings_page_change_nothing(site_a):
    owner = site_a.actor(Role.OWNER)
    page = ClinicPage("Clinic Alpha", "Alphaville", "", accepts_requests=True, contact=Contact(phone="x"))
    with pytest.raises(InvalidInputError) as refused:
        clinic_settings.update_clinic(owner, page)
    assert [p.where for p in refused.value.problems] == ["phone"]
    assert Clinic.objects.get(pk=site_a.clinic.pk).phone == site_contact("alpha").phone


def test_only_staff_read_their_clinics_contact():
    with pytest.raises(NotAllowedError):
        clinic_settings.own_contact(Actor.anonymous("198.51.100.7", "req-contact"))


def test_the_tel_address_keeps_the_plus_and_the_digits_only():
    assert CONTACT.tel == "tel:+34915550100"
    assert Contact(phone="(555) 123-4567").tel == "tel:5551234567"


# --- no phone, no session ---


@pytest.fixture
def ready(site_a, kb) -> Ready:
    return ready_client(site_a, kb)


def test_a_clinic_without_a_phone_cannot_record_a_session(ready, kb):
    Clinic.objects.filter(pk=ready.site.clinic.pk).update(phone=" ")
    nurse = ready.site.actor(Role.NURSE)
    before = last_seq()
    with pytest.raises(SessionBlockedError) as refused:
        recording.record(nurse, ready.client.pk, form(ready), kb)
    assert [c.code for c in refused.value.checks] == [CheckCode.CLINIC_PHONE]
    [problem] = refused.value.problems
    assert problem.where == "clinic_phone"
    assert "clinic settings page (/clinic/settings/" in problem.message
    assert not TreatmentSession.objects.exists()
    [row] = [r for r in rows_after(before) if r.object_type == "session"]
    assert (row.outcome, row.detail["blocked"]) == ("blocked", ["clinic_phone"])
    outcome = recording.check(nurse, ready.client.pk, form(ready), kb)
    assert [c.code for c in outcome.blocked] == [CheckCode.CLINIC_PHONE]


def test_with_a_phone_the_check_passes_and_is_kept_with_the_session(ready, kb):
    done = recording.record(ready.site.actor(Role.NURSE), ready.client.pk, form(ready), kb)
    assert done.session is not None
    assert {"code": "clinic_phone", "passed": True, "details": {}} in done.session.checks


def test_the_refusal_is_worded_in_spanish(kb):
    problem = session_checks.explain(CheckResult(CheckCode.CLINIC_PHONE, passed=False), kb, Lang.ES)
    assert problem.template == session_checks.WORDS[CheckCode.CLINIC_PHONE]
    assert session_checks.NAMES[CheckCode.CLINIC_PHONE] == "The clinic has a phone number for its clients"


# --- what clients are given ---


def test_a_check_in_carries_the_clinics_contact(site_a, kb):
    _, token = checkin_of(session_row(site_a, kb), 1)
    view = checkins.open_checkin(Actor.anonymous("198.51.100.7", "req-contact"), token, kb)
    assert view.contact == site_contact("alpha")


def test_the_aftercare_facts_and_sheet_carry_the_contact(site_a, kb):
    session = session_row(site_a, kb)
    facts = aftercare_facts(site_a.actor(Role.NURSE), session.pk)
    assert facts.sheet.contact == site_contact("alpha")
    html = aftercare_html(facts.sheet, kb, Lang.ES, [])
    assert "Cómo contactar con tu clínica" in html
    assert f'href="{site_contact("alpha").tel}"' in html


def test_a_sheet_without_contact_details_shows_only_the_clinic():
    sheet = SessionSheet(clinic_name="Clinic Alpha", session_on=date(2031, 6, 15), zones=(), products=())
    assert sheet.contact == Contact()


def test_the_calendar_file_gives_the_address_and_how_to_reach_the_clinic():
    assert location("Madrid", CONTACT) == "Calle Mayor 1, Madrid"
    assert location("Madrid", Contact()) == "Madrid"
    assert reach("Clinic", CONTACT) == (
        "Clinic\nPhone / Teléfono: +34 (91) 555-0100\nOut of hours / Fuera de horario: Call 112 in an emergency."
    )
    assert reach("Clinic", Contact()) == "Clinic"
