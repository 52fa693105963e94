"""The clinic's on-call contact and reminder lead time (issue 14): set on the settings page, in both languages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from needlewise.storage.models import Clinic
from web.clinic.support import Site, body, signed_in, staff_client

pytestmark = pytest.mark.django_db

PAGE = {"name": "Clinic Alpha", "city": "Alphaville", "services": "", "accepts_requests": "1"}


@pytest.fixture(autouse=True)
def english_after():
    """A Spanish page leaves Spanish active in the thread; later tests in this process expect the default."""
    yield
    translation.deactivate()


def contact(site: Site) -> dict[str, str]:
    clinic = Clinic.objects.get(pk=site.clinic.pk)
    return {"phone": clinic.phone, "address": clinic.address, "out_of_hours": "", "time_zone": clinic.time_zone}


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["On call and reminders", "On-call e-mail", "On-call phone", "Appointment reminders (hours before)"]),
        ("es", ["Guardia y recordatorios", "Correo de guardia", "Teléfono de guardia", "Recordatorios de cita"]),
    ],
)
def test_the_settings_page_shows_the_on_call_contact_and_reminder_hours(site_a: Site, lang: str, words: list[str]):
    Clinic.objects.filter(pk=site_a.clinic.pk).update(on_call_email="oncall@alpha.example.org", reminder_hours=24)
    page = body(signed_in(Client(HTTP_ACCEPT_LANGUAGE=lang), site_a.owner).get("/clinic/settings/"))
    assert 'name="on_call_email" value="oncall@alpha.example.org"' in page
    assert 'name="on_call_phone" value=""' in page
    assert 'name="reminder_hours" value="24"' in page
    for word in words:
        assert word in page


def test_the_owner_sets_the_on_call_contact_and_turns_reminders_off(site_a: Site):
    reach = {"on_call_email": " OnCall@Alpha.example.org ", "on_call_phone": "+34 600 111 222", "reminder_hours": "0"}
    response = staff_client(site_a.owner).post("/clinic/settings/", {**PAGE, **contact(site_a), **reach})
    assert response.status_code == 200
    clinic = Clinic.objects.get(pk=site_a.clinic.pk)
    assert (clinic.on_call_email, clinic.on_call_phone, clinic.reminder_hours) == (
        "oncall@alpha.example.org",
        "+34 600 111 222",
        0,
    )
    empty = {"on_call_email": "", "on_call_phone": "", "reminder_hours": "168"}
    assert staff_client(site_a.owner).post("/clinic/settings/", {**PAGE, **contact(site_a), **empty}).status_code == 200
    clinic.refresh_from_db()
    assert (clinic.on_call_email, clinic.on_call_phone, clinic.reminder_hours) == ("", "", 168)


def test_a_form_without_these_fields_leaves_them_as_they_are(site_a: Site):
    Clinic.objects.filter(pk=site_a.clinic.pk).update(on_call_phone="+34 600 111 222", reminder_hours=12)
    assert staff_client(site_a.owner).post("/clinic/settings/", PAGE).status_code == 200
    clinic = Clinic.objects.get(pk=site_a.clinic.pk)
    assert (clinic.on_call_phone, clinic.reminder_hours) == ("+34 600 111 222", 12)


@pytest.mark.parametrize(
    ("lang", "errors"),
    [
        (
            "en",
            [
                'id="f-on_call_email-error-1">enter an e-mail address like name@example.org',
                'id="f-on_call_phone-error-1">enter a phone number of 6 to 20 digits',
                'id="f-reminder_hours-error-1">enter a whole number of hours from 0 (no reminders) to 168',
            ],
        ),
        (
            "es",
            [
                'id="f-on_call_email-error-1">escribe una dirección de correo electrónico',
                'id="f-on_call_phone-error-1">escribe un número de teléfono de 6 a 20 dígitos',
                'id="f-reminder_hours-error-1">escribe un número entero de horas de 0 (sin recordatorios) a 168',
            ],
        ),
    ],
)
@pytest.mark.parametrize(
    "reach",
    [
        {"on_call_email": "on call", "on_call_phone": "12345", "reminder_hours": "169"},
        {"on_call_email": "a@b", "on_call_phone": "+34 " + "6" * 40, "reminder_hours": "-1"},
        {
            "on_call_email": "x@" + "y" * 250 + ".org",
            "on_call_phone": "phone 600111222",
            "reminder_hours": "\uff12\uff14",
        },
    ],
)
def test_wrong_on_call_details_and_hours_are_refused_next_to_their_fields(
    site_a: Site, lang: str, errors: list[str], reach: dict[str, str]
):
    browser = signed_in(Client(HTTP_ACCEPT_LANGUAGE=lang), site_a.owner)
    response = browser.post("/clinic/settings/", {**PAGE, **contact(site_a), **reach})
    assert response.status_code == 422
    page = body(response)
    for error in errors:
        assert error in page
    assert f'name="on_call_email" value="{reach["on_call_email"]}"' in page
    clinic = Clinic.objects.get(pk=site_a.clinic.pk)
    assert (clinic.on_call_email, clinic.on_call_phone, clinic.reminder_hours) == ("", "", 48)
