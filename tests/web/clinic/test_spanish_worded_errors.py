"""Messages with a number or a name in them read in Spanish on Spanish pages, and in the API asked in Spanish.

Numbers are written with a decimal comma (0,1), choices by their labels and actions and kinds of record
in words, never as identifiers (``view_health``, ``pen``, ``client``).
"""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from clinic.followup_support import session_row
from clinic_factories import clinic_today
from needlewise.bootstrap import knowledge_base
from needlewise.domain.permissions import Role
from needlewise.storage.models import Appointment, RecallContact, TreatmentPlan, TreatmentSession
from web.clinic.pages_support import ready_client, session_data
from web.clinic.support import Site, body, staff_client

pytestmark = pytest.mark.django_db

API = "/api/v1/clinic"


def _spanish(site: Site, role: Role) -> Client:
    browser = staff_client(site.members[role])
    browser.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    return browser


def _page(response) -> str:
    return html.unescape(body(response))


def _no_english(page: str, *phrases: str) -> None:
    found = [phrase for phrase in phrases if phrase in page]
    assert not found, f"English left on a Spanish page: {found}"


def test_a_booking_of_the_wrong_length_names_the_range_in_spanish(site_a: Site):
    desk = _spanish(site_a, Role.FRONT_DESK)
    practitioner = str(site_a.members[Role.NURSE].user_id)
    day = (clinic_today() + timedelta(days=1)).isoformat()
    booking = {"practitioner": practitioner, "date": day, "time": "10:00", "minutes": "5"}
    response = desk.post(f"/clinic/clients/{site_a.client.pk}/book/", booking)
    assert response.status_code == 422
    page = _page(response)
    assert "entre 15 y 480 minutos" in page
    none = _page(desk.post(f"/clinic/clients/{site_a.client.pk}/book/", {**booking, "practitioner": ""}))
    assert "elige un profesional" in none
    _no_english(page + none, "between 15", "480 minutes", "choose a practitioner")
    assert not Appointment.objects.exists()


def test_a_plan_form_names_its_bounds_and_unknown_choices_in_spanish(site_a: Site):
    nurse = _spanish(site_a, Role.NURSE)
    data = {"goals": ["texture", "tan"], "zone_cheeks": "deep", "sessions_planned": "many", "products": ["snail"]}
    response = nurse.post(f"/clinic/clients/{site_a.client.pk}/plans/new/", data)
    assert response.status_code == 422
    page = _page(response)
    assert "escribe una longitud de aguja de 0,1 a 3,0 mm, con dos decimales como máximo" in page
    assert "planifica de 1 a 20 sesiones" in page
    assert "objetivo desconocido: 'tan'" in page
    assert "producto desconocido: 'snail'" in page
    _no_english(page, "0.1", "3.0 mm", "plan from", "unknown goal", "unknown product", "enter a needle length")
    assert not TreatmentPlan.objects.exists()


def test_a_session_form_names_the_needle_range_and_device_kinds_in_spanish(site_a: Site):
    client = ready_client(site_a)
    nurse = _spanish(site_a, Role.NURSE)
    data = session_data(device_kind="undecided", zone_cheeks="0.333")
    response = nurse.post(reverse("clinic-session-new", args=[client.pk]), data)
    assert response.status_code == 422
    page = _page(response)
    assert "elige uno de estos: Dermapen / pluma motorizada, Rodillo (dermaroller), Sello (stamp)" in page
    assert "escribe un número de 0,1 a 3, con dos decimales como máximo" in page
    _no_english(page, "choose one of", "pen, roller", "enter a number from", "0.1 to")
    assert not TreatmentSession.objects.exists()


def test_the_english_session_form_names_device_kinds_by_their_labels(site_a: Site):
    client = ready_client(site_a)
    nurse = staff_client(site_a.members[Role.NURSE])
    page = _page(nurse.post(reverse("clinic-session-new", args=[client.pk]), session_data(device_kind="")))
    assert "choose one of: Motorised pen, Roller (dermaroller), Stamp" in page


def test_a_recall_names_what_to_enter_in_spanish(site_a: Site):
    nurse = _spanish(site_a, Role.NURSE)
    empty = _page(nurse.post("/clinic/recall/mark/", {"kind": "lot", "key": " ", "reason": "a long enough reason"}))
    assert "escribe el lote del cartucho" in empty
    device = _page(nurse.post("/clinic/recall/mark/", {"kind": "device", "key": "", "reason": "a long reason"}))
    assert "escribe el número de serie del dispositivo" in device
    session_row(site_a, knowledge_base(), lot="LOT-1")  # the reason is asked beside a list of sessions
    short = _page(nurse.post("/clinic/recall/mark/", {"kind": "lot", "key": "LOT-1", "reason": "recall"}))
    assert "escribe el motivo con al menos 10 caracteres" in short
    _no_english(empty + device + short, "enter the", "cartridge lot", "device serial", "give the reason")
    assert not RecallContact.objects.exists()


def test_refusals_name_the_action_and_the_record_in_spanish(site_a: Site):
    desk = _spanish(site_a, Role.FRONT_DESK)
    refused = desk.get(reverse("clinic-plan-new", args=[site_a.client.pk]))
    assert refused.status_code == 403
    said = _page(refused)
    assert "tu rol no te permite registrar tratamientos" in said
    missing = desk.get(reverse("clinic-client", args=[site_a.client.pk + 1000]))
    assert missing.status_code == 404
    assert "no existe ese registro (cliente) en tu clínica" in _page(missing)
    _no_english(said + _page(missing), "record_treatment", "record treatment", "your role may not", "no such client")


def test_the_api_answers_a_spanish_browser_in_spanish_with_the_same_codes_and_fields(site_a: Site):
    desk = _spanish(site_a, Role.FRONT_DESK)
    refused = desk.get(f"{API}/recall", {"key": "LOT-1"})
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "not_allowed",
        "message": "tu rol no te permite hacer retiradas de lotes o dispositivos",
        "problems": [],
    }
    missing = desk.get(f"{API}/clients/{site_a.client.pk + 1000}")
    assert missing.status_code == 404
    assert missing.json()["message"] == "no existe ese registro (cliente) en tu clínica"
    nurse = _spanish(site_a, Role.NURSE)
    empty = nurse.get(f"{API}/recall", {"key": " "})
    assert empty.status_code == 422
    assert empty.json()["error"] == "invalid_input"
    assert empty.json()["problems"] == [{"field": "key", "message": "escribe el lote del cartucho", "suggestion": None}]
    english = nurse.get(f"{API}/recall", {"key": " ", "lang": "en"})  # the lang parameter comes first
    assert english.json()["problems"] == [{"field": "key", "message": "enter the cartridge lot", "suggestion": None}]
