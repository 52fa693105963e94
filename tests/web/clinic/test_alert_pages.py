"""Open check-in alerts get attention: a banner on each workspace page, the phone to call, what was done."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clinic.checkin_support import answer as answer_checkin
from clinic.followup_support import checkin_of, session_row
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.access.actor import Actor
from needlewise.domain.permissions import Role
from needlewise.storage.models import CheckIn
from needlewise.storage.models import Client as ClientRow
from web.clinic.support import Site, body, signed_in, staff_client

pytestmark = pytest.mark.django_db

PUBLIC = Actor.anonymous("198.51.100.8", "req-alert-pages")
PAGES = ("/clinic/", "/clinic/clients/", "/clinic/rescreen/", "/clinic/account/")
BANNER = re.compile(r'<p class="alert-banner" role="status">(.*?)</p>', re.DOTALL)


@pytest.fixture
def kb():
    return knowledge_base()


def open_alert(site: Site, kb, yes: str = "fever_chills") -> CheckIn:
    session = session_row(site, kb, performed_at=timezone.now() - timedelta(days=3), lot="LOT-ALERT")
    checkin, token = checkin_of(session, 3)
    answer_checkin(PUBLIC, token, {yes}, kb)
    return checkin


def banner(page: str) -> str | None:
    found = BANNER.search(page)
    return " ".join(re.sub(r"<[^>]*>", " ", found.group(1)).split()) if found else None


def test_the_banner_is_on_every_workspace_page_until_the_alert_is_closed(site_a, kb):
    nurse = staff_client(site_a.members[Role.NURSE])
    for path in PAGES:
        assert banner(body(nurse.get(path))) is None, path
    checkin = open_alert(site_a, kb)
    for path in PAGES:
        page = body(nurse.get(path))
        assert banner(page) == "1 check-in alert is open : a client's answers need a practitioner. See the alerts", path
        assert '<a href="/clinic/alerts/">See the alerts</a>' in page
    open_alert(site_a, kb, "spreading_redness")
    assert banner(body(nurse.get("/clinic/"))).startswith("2 check-in alerts are open")
    nurse.post(f"/clinic/alerts/{checkin.pk}/acknowledge/", {"action": "called_client", "note": "Called her."})
    assert banner(body(nurse.get("/clinic/"))).startswith("1 check-in alert is open")


def test_the_banner_is_for_roles_that_see_alerts_and_in_spanish(site_a, site_b, kb):
    open_alert(site_a, kb)
    assert banner(body(staff_client(site_a.owner).get("/clinic/"))) is not None
    assert banner(body(staff_client(site_a.members[Role.PROVIDER]).get("/clinic/clients/"))) is not None
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    for path in ("/clinic/", "/clinic/clients/", "/clinic/account/"):
        page = body(desk.get(path))
        assert "alert-banner" not in page, path
        assert "/clinic/alerts/" not in page, path
    assert banner(body(staff_client(site_b.members[Role.NURSE]).get("/clinic/"))) is None  # another clinic's
    spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    assert banner(body(spanish.get("/clinic/"))) == (
        "1 alerta de control abierta : las respuestas de un cliente necesitan a un profesional. Ver las alertas"
    )


def test_the_alert_list_shows_the_clients_phone_to_call(site_a, kb):
    open_alert(site_a, kb)
    nurse = staff_client(site_a.members[Role.NURSE])
    phone = site_a.client.phone
    tel = "tel:+" + "".join(c for c in phone if c.isdigit())
    assert f'<a class="phone" href="{tel}">{phone}</a>' in body(nurse.get("/clinic/alerts/"))
    ClientRow.objects.filter(pk=site_a.client.pk).update(phone="")
    assert "No phone on file" in body(nurse.get("/clinic/alerts/"))


def test_closing_an_alert_asks_what_was_done(site_a, kb):
    checkin = open_alert(site_a, kb)
    nurse = staff_client(site_a.members[Role.NURSE])
    url = f"/clinic/alerts/{checkin.pk}/acknowledge/"
    page = body(nurse.get(url))
    assert "Zephyrine Quixotelle" in page
    assert f'href="tel:+{"".join(c for c in site_a.client.phone if c.isdigit())}"' in page
    for action in ("called_client", "advised_care", "booked_review", "other"):
        assert f'value="{action}"' in page
    assert 'value="adverse_event"' not in page
    refused = nurse.post(url, {"action": "", "note": " "})
    assert refused.status_code == 422
    shown = body(refused)
    assert "choose what was done" in shown
    assert "say in a few words what was done" in shown
    assert CheckIn.objects.get(pk=checkin.pk).alert == "open"
    kept = body(nurse.post(url, {"action": "booked_review", "note": ""}))
    assert 'value="booked_review" required checked' in kept


def test_closing_an_alert_in_spanish(site_a, kb):
    checkin = open_alert(site_a, kb)
    nurse = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    url = f"/clinic/alerts/{checkin.pk}/acknowledge/"
    page = body(nurse.get(url))
    assert "Cerrar la alerta" in page
    assert "¿Qué se hizo?" in page
    assert "Se llamó al cliente" in page
    shown = body(nurse.post(url, {"action": "nope", "note": ""}))
    assert "elige qué se hizo" in shown
    assert "di en pocas palabras qué se hizo" in shown
    too_long = body(nurse.post(url, {"action": "other", "note": "x" * 1001}))
    assert "como máximo 1000 caracteres" in too_long
    response = nurse.post(url, {"action": "other", "note": "Le escribí por WhatsApp."})
    assert response.status_code == 302
    assert "La alerta está cerrada; lo que se hizo queda registrado." in body(nurse.get(response["Location"]))
