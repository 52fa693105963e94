"""The clinic's contact details (issue 12): set on the settings page, shown on every page a client sees.

A client told by a check-in to call the clinic or seek care now is given the number, as a ``tel:`` link;
a clinic without a phone cannot record sessions, and the session page says so before the form.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from clinic.checkin_support import answered_form
from clinic.followup_support import checkin_of, session_row
from clinic.treatment_support import consent_template, signed_consent
from clinic_factories import site_contact
from needlewise.bootstrap import knowledge_base
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.storage.models import Clinic, TreatmentSession
from web.clinic.pages_support import ready_client, session_data, sign_url
from web.clinic.support import Site, body, signed_in, staff_client

pytestmark = pytest.mark.django_db

PHONE = site_contact("alpha").phone
TEL = "tel:+" + "".join(c for c in PHONE if c.isdigit())
PAGE = {"name": "Clinic Alpha", "city": "Alphaville", "services": "", "accepts_requests": "1"}


@pytest.fixture
def kb():
    return knowledge_base()


@pytest.fixture(autouse=True)
def english_after():
    """A Spanish page leaves Spanish active in the thread; later tests in this process expect the default."""
    yield
    translation.deactivate()


def without_phone(site: Site) -> None:
    Clinic.objects.filter(pk=site.clinic.pk).update(phone="")


def spanish(site: Site, role: Role) -> Client:
    return signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site.members[role])


def answer(token: str, yes: list[str], lang: str = "en") -> str:
    browser = Client(HTTP_ACCEPT_LANGUAGE=lang, enforce_csrf_checks=True)
    url = f"/checkin/{token}/?lang={lang}"
    page = browser.get(url).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf
    response = browser.post(url, {"csrfmiddlewaretoken": csrf.group(1), **answered_form(page, yes), "lang": lang})
    assert response.status_code == 200
    return response.content.decode()


# --- the check-in pages ---


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("Call Clinic Alpha: ", "How to reach Clinic Alpha", "When the clinic is closed:")),
        ("es", ("Llama a Clinic Alpha: ", "Cómo contactar con Clinic Alpha", "Cuando la clínica está cerrada:")),
    ],
)
def test_seek_care_now_gives_the_number_to_call_as_a_link(site_a: Site, kb, lang, words):
    call, heading, closed = words
    _, token = checkin_of(session_row(site_a, kb), 3)
    page = answer(token, ["fever_chills"], lang)
    assert 'data-triage="seek_care_now"' in page
    assert f'<a class="button primary" href="{TEL}">{call}{PHONE}</a>' in page
    assert f'<a href="{TEL}">{PHONE}</a>' in page
    assert heading in page
    assert f"{closed} Out-of-hours nurse line of Alphaville: 0800 000 000" in page
    assert "1 Main Street" in page


def test_call_the_clinic_gives_the_number_too(site_a: Site, kb):
    _, token = checkin_of(session_row(site_a, kb), 3)
    page = answer(token, ["worsening_pain_swelling"])
    assert 'data-triage="call_clinic"' in page
    assert f'href="{TEL}">Call Clinic Alpha: {PHONE}</a>' in page


def test_expected_healing_shows_the_contact_without_the_call_button(site_a: Site, kb):
    _, token = checkin_of(session_row(site_a, kb), 1)
    page = answer(token, [])
    assert 'data-triage="expected"' in page
    assert 'class="button primary" href="tel:' not in page
    assert f'<a href="{TEL}">{PHONE}</a>' in page


def test_the_unanswered_check_in_shows_the_contact(site_a: Site, kb):
    _, token = checkin_of(session_row(site_a, kb), 1)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/checkin/{token}/").content.decode()
    assert f'<a href="{TEL}">{PHONE}</a>' in page


def test_a_clinic_without_a_phone_still_tells_the_client_to_call(site_a: Site, kb):
    _, token = checkin_of(session_row(site_a, kb), 3)
    Clinic.objects.filter(pk=site_a.clinic.pk).update(phone="", address="", out_of_hours="")
    page = answer(token, ["fever_chills"])
    assert "Call the clinic on the phone number they gave you." in page
    assert "tel:" not in page
    assert "When the clinic is closed" not in page


# --- the settings page ---


def test_the_settings_page_holds_the_contact_details(site_a: Site):
    page = body(staff_client(site_a.owner).get("/clinic/settings/"))
    assert f'name="phone" value="{PHONE}"' in page
    assert 'type="tel"' in page
    assert ">1 Main Street\nAlphaville</textarea>" in page
    assert '<label for="f-time_zone">Time zone</label>' in page
    assert '<select id="f-time_zone" name="time_zone" autocomplete="off" aria-describedby="f-time_zone-hint">' in page
    assert '<optgroup label="Europe">' in page
    assert '<option value="Europe/Madrid" selected>Madrid (Europe/Madrid)</option>' in page
    assert page.count(" selected>") == 1  # the current zone, and nothing else
    assert "data-browser-zone" not in page  # the clinic's zone, never the browser's
    assert 'id="phone-missing"' not in page


def test_the_owner_changes_the_contact_details(site_a: Site):
    contact = {"phone": " +34 600 11 22 33 ", "address": "Plaza 2", "out_of_hours": "Call 112.", "time_zone": "UTC"}
    response = staff_client(site_a.owner).post("/clinic/settings/", {**PAGE, **contact})
    assert response.status_code == 200
    clinic = Clinic.objects.get(pk=site_a.clinic.pk)
    assert (clinic.phone, clinic.address, clinic.out_of_hours, clinic.time_zone) == (
        "+34 600 11 22 33",
        "Plaza 2",
        "Call 112.",
        "UTC",
    )
    public = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/clinics/{site_a.clinic.slug}/").content.decode()
    assert '<a href="tel:+34600112233">+34 600 11 22 33</a>' in public


def test_a_wrong_phone_or_time_zone_is_refused_next_to_its_field(site_a: Site):
    contact = {"phone": "call me", "address": "", "out_of_hours": "", "time_zone": "Europe/Atlantis"}
    response = staff_client(site_a.owner).post("/clinic/settings/", {**PAGE, **contact})
    assert response.status_code == 422
    page = body(response)
    assert 'id="f-phone-error-1">enter a phone number of 6 to 20 digits' in page
    assert 'id="f-time_zone-error-1">unknown time zone: choose one such as Europe/Madrid or UTC' in page
    assert 'aria-describedby="f-time_zone-hint f-time_zone-error-1" aria-invalid="true">' in page
    assert 'name="phone" value="call me"' in page
    assert Clinic.objects.get(pk=site_a.clinic.pk).phone == PHONE


def test_a_zone_the_list_does_not_offer_stays_chosen_and_the_list_is_in_spanish(site_a: Site):
    contact = {"phone": PHONE, "address": "", "out_of_hours": "", "time_zone": "US/Pacific"}
    owner = staff_client(site_a.owner)
    assert owner.post("/clinic/settings/", {**PAGE, **contact}).status_code == 200  # a name Python knows
    assert Clinic.objects.get(pk=site_a.clinic.pk).time_zone == "US/Pacific"
    page = body(owner.get("/clinic/settings/"))
    assert '<option value="US/Pacific" selected>US/Pacific</option>' in page  # kept, not replaced by UTC
    assert page.count(" selected>") == 1
    Clinic.objects.filter(pk=site_a.clinic.pk).update(time_zone="UTC")
    spanish_page = body(signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.owner).get("/clinic/settings/"))
    assert '<label for="f-time_zone">Zona horaria</label>' in spanish_page
    assert "El personal lee y escribe cada hora en el reloj de la clínica" in spanish_page
    assert '<option value="UTC" selected>UTC (hora universal)</option>' in spanish_page
    assert '<optgroup label="Océano Índico">' in spanish_page


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Contact details for clients", "Out of hours", "Add the clinic's phone number below"]),
        ("es", ["Datos de contacto para los clientes", "Fuera de horario", "Añade abajo el teléfono de la clínica"]),
    ],
)
def test_the_settings_page_asks_for_a_missing_phone(site_a: Site, lang, words):
    without_phone(site_a)
    browser = signed_in(Client(HTTP_ACCEPT_LANGUAGE=lang), site_a.owner)
    page = body(browser.get("/clinic/settings/"))
    assert 'id="phone-missing"' in page
    for word in words:
        assert word in page


# --- recording a session ---


def test_a_clinic_without_a_phone_is_told_before_the_form_and_cannot_record(site_a: Site):
    client = ready_client(site_a)
    without_phone(site_a)
    nurse = staff_client(site_a.members[Role.NURSE])
    url = reverse("clinic-session-new", args=[client.pk])
    page = body(nurse.get(url))
    assert page.index('id="no-clinic-phone"') < page.index('name="device_model"')
    assert "No session can be recorded until the clinic has a phone number" in page
    refused = nurse.post(url, session_data())
    assert refused.status_code == 409
    assert "The clinic has no phone number" in body(refused)
    assert "/clinic/settings/" in body(refused)
    assert not TreatmentSession.objects.exists()


def test_the_practitioner_is_told_in_spanish(site_a: Site):
    client = ready_client(site_a)
    without_phone(site_a)
    page = body(spanish(site_a, Role.NURSE).get(reverse("clinic-session-new", args=[client.pk])))
    assert "No se puede registrar ninguna sesión hasta que la clínica tenga un teléfono" in page
    refused = spanish(site_a, Role.NURSE).post(reverse("clinic-session-new", args=[client.pk]), session_data())
    assert refused.status_code == 409
    assert "La clínica no tiene teléfono" in body(refused)


def test_with_a_phone_the_form_has_no_warning(site_a: Site):
    client = ready_client(site_a)
    page = body(staff_client(site_a.members[Role.NURSE]).get(reverse("clinic-session-new", args=[client.pk])))
    assert 'id="no-clinic-phone"' not in page


# --- documents: aftercare, consent, public page ---


@pytest.mark.parametrize(
    ("lang", "words"), [("en", ["How to reach your clinic", "Phone"]), ("es", ["Cómo contactar con tu clínica"])]
)
def test_the_aftercare_sheet_gives_the_contact(site_a: Site, kb, lang, words):
    session = session_row(site_a, kb, performed_at=timezone.now() - timedelta(days=1), lot="LOT-CONTACT")
    nurse = staff_client(site_a.members[Role.NURSE])
    page = body(nurse.get(f"/clinic/sessions/{session.pk}/aftercare/?lang={lang}"))
    assert f'<a href="{TEL}">{PHONE}</a>' in page
    assert "Out-of-hours nurse line of Alphaville" in page
    for word in words:
        assert word in page


def test_the_consent_pages_give_the_contact(site_a: Site, kb):
    consent_template(site_a, kb)
    for lang in ("en", "es"):
        page = body(signed_in(Client(HTTP_ACCEPT_LANGUAGE=lang), site_a.members[Role.NURSE]).get(sign_url(site_a)))
        assert f'<a href="{TEL}">{PHONE}</a>' in page
    assert "Cómo contactar con Clinic Alpha" in page
    consent = signed_consent(site_a, kb)
    copy = body(staff_client(site_a.members[Role.NURSE]).get(f"/clinic/consents/{consent.pk}/"))
    assert "How to reach Clinic Alpha" in copy
    assert f'<a href="{TEL}">{PHONE}</a>' in copy


def test_the_public_page_leaves_out_contact_details_a_clinic_has_not_given(site_a: Site):
    Clinic.objects.filter(pk=site_a.clinic.pk).update(phone="", address="", out_of_hours="")
    public = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/clinics/{site_a.clinic.slug}/").content.decode()
    assert "How to reach" not in public


def test_the_public_page_gives_the_contact_in_spanish(site_a: Site):
    public = Client(HTTP_ACCEPT_LANGUAGE="es").get(f"/clinics/{site_a.clinic.slug}/").content.decode()
    assert "Cómo contactar con Clinic Alpha" in public
    assert f'<a href="{TEL}">{PHONE}</a>' in public
    assert Lang.ES.value == "es"
