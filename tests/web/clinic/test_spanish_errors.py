"""Bad input on Spanish pages is answered in Spanish: the clinic's own checks, its forms and its refusals."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from needlewise.domain.permissions import Role
from needlewise.storage.models import TreatmentSession
from web.clinic.pages_support import ready_client, session_data
from web.clinic.support import Site, body, staff_client

pytestmark = pytest.mark.django_db

GOOD = {
    "given_name": "Newton",
    "family_name": "Figtree",
    "birth_date": "1985-02-03",
    "phone": "",
    "email": "",
    "notes": "",
}


def _spanish(site: Site, role: Role):
    browser = staff_client(site.members[role])
    browser.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    return browser


def _text(response) -> str:
    return html.unescape(body(response))


def test_the_client_form_answers_in_spanish(site_a: Site):
    desk = _spanish(site_a, Role.FRONT_DESK)
    data = {**GOOD, "family_name": " ", "birth_date": "1985-13-40", "email": "not-an-address", "given_name": "N" * 300}
    page = _text(desk.post("/clinic/clients/new/", data))
    assert "este campo es obligatorio" in page
    assert "escribe la fecha de nacimiento como AAAA-MM-DD" in page
    assert "escribe una dirección de correo electrónico como nombre@example.org" in page
    assert "como máximo 100 caracteres" in page or "como máximo 200 caracteres" in page
    for english in ("this field is required", "enter the date of birth", "at most", "enter an e-mail address"):
        assert english not in page
    future = _text(desk.post("/clinic/clients/new/", {**GOOD, "birth_date": "2999-01-01"}))
    assert "la fecha de nacimiento debe estar entre 1900-01-01 y hoy" in future


def test_a_refusal_and_a_bad_photo_answer_in_spanish(site_a: Site):
    client = ready_client(site_a)
    staff_client(site_a.members[Role.NURSE]).post(reverse("clinic-session-new", args=[client.pk]), session_data())
    session = TreatmentSession.objects.get()
    nurse = _spanish(site_a, Role.NURSE)
    url = reverse("clinic-session-photo-add", args=[session.pk])
    bad = _text(nurse.post(url, {"photo": SimpleUploadedFile("x.jpg", b"%PDF-1.4", "image/jpeg")}))
    assert "este archivo no es una foto que se pueda leer" in bad
    empty = _text(nurse.post(url, {"caption": "x" * 201}))
    assert "como máximo 200 caracteres" in empty
    desk = _spanish(site_a, Role.FRONT_DESK)
    refused = desk.get(reverse("clinic-session", args=[session.pk]))
    assert refused.status_code == 403
    assert "tu rol no te permite ver los datos de salud" in _text(refused)
    missing = _text(nurse.get(reverse("clinic-session", args=[session.pk + 1000])))
    assert "en tu clínica" in missing
