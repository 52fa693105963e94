"""The session pages: check, record (or be told why not), the session record, photos."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from clinic.checkin_support import answer as answer_checkin
from clinic.treatment_support import photo_with_exif
from needlewise.bootstrap import knowledge_base
from needlewise.domain.permissions import Role
from needlewise.storage.models import SessionPhoto, TreatmentSession
from web.clinic.pages_support import ready_client, session_data
from web.clinic.support import body, signed_in, staff_client

pytestmark = pytest.mark.django_db


def test_a_client_without_a_plan_is_sent_to_write_one(site_a):
    page = staff_client(site_a.members[Role.NURSE]).get(reverse("clinic-session-new", args=[site_a.client.pk]))
    assert page.status_code == 200
    assert "This client has no active treatment plan" in body(page)
    assert reverse("clinic-plan-new", args=[site_a.client.pk]) in body(page)


def test_the_form_offers_the_planned_zones_with_their_lengths(site_a):
    client = ready_client(site_a)
    page = staff_client(site_a.members[Role.NURSE]).get(reverse("clinic-session-new", args=[client.pk]))
    text = body(page)
    assert page.status_code == 200
    assert 'name="zone_cheeks" value="1"' in text
    assert 'name="zone_forehead" value="1"' in text
    assert "Needle length per zone (length, not depth)" in text


def test_check_shows_every_check_and_records_nothing(site_a):
    client = ready_client(site_a)
    browser = staff_client(site_a.members[Role.NURSE])
    page = browser.post(reverse("clinic-session-new", args=[client.pk]), session_data(action="check"))
    assert page.status_code == 200
    assert "Every check passed. Now treat, then enter the treatment below and record the session." in body(page)
    assert 'id="f-passes"' in body(page)
    assert TreatmentSession.objects.count() == 0


def test_recording_a_session_leads_to_its_record_with_checkin_links(site_a):
    client = ready_client(site_a)
    browser = staff_client(site_a.members[Role.NURSE])
    numbing = {"numbing_product": "Compounded cream", "numbing_compounded": "on", "numbing_zones": ["cheeks"]}
    sent = browser.post(
        reverse("clinic-session-new", args=[client.pk]),
        session_data(products_applied=["vitamin_c_serum"], **numbing),
    )
    session = TreatmentSession.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == reverse("clinic-session", args=[session.pk]) + "?recorded=1"
    page = browser.get(sent["Location"])
    text = body(page)
    assert page.status_code == 200
    assert "The session is recorded." in text
    assert "lot LOT-PAGE, serial SN-PAGE-1" in text
    assert "/checkin/" not in text  # a link is the key to the client's answers: shown only when asked
    assert text.count(">Show link</a>") == 3
    assert "Numbing cream:" in text
    assert "Vitamin C serum:" in text
    assert reverse("clinic-aftercare", args=[session.pk]) in text
    client_page = body(browser.get(reverse("clinic-client", args=[client.pk])))
    assert reverse("clinic-session", args=[session.pk]) in client_page
    assert "LOT-PAGE" in client_page


def test_a_blocked_session_says_why_and_what_to_do(site_a):
    client = ready_client(site_a)
    browser = staff_client(site_a.members[Role.AESTHETICIAN])
    expired = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = browser.post(reverse("clinic-session-new", args=[client.pk]), session_data(cartridge_expiry=expired))
    text = body(page)
    assert page.status_code == 409
    assert "Do not treat: the session cannot go ahead" in text
    assert 'id="f-passes"' not in text  # back at step 1: no treatment fields
    assert f"The cartridge expired on {expired}. Discard it and open a new sterile cartridge." in text
    assert "1 mm on Cheeks is above your scope (0.5 mm)." in text
    assert TreatmentSession.objects.count() == 0


def test_bad_input_is_shown_next_to_its_field(site_a):
    client = ready_client(site_a)
    browser = staff_client(site_a.members[Role.NURSE])
    page = browser.post(reverse("clinic-session-new", args=[client.pk]), session_data(passes="zero", zone_cheeks="1.5"))
    text = body(page)
    assert page.status_code == 422
    assert "enter a whole number from 1 to 20" in text
    assert "longer than the 1 mm the plan allows for this zone" in text
    assert 'value="zero"' in text
    cheeks = re.search(r'<input[^>]*id="f-zone_cheeks"[^>]*>', text)
    assert cheeks is not None
    assert 'aria-invalid="true"' in cheeks.group(0)
    assert 'aria-describedby="f-zone_cheeks-hint f-zone_cheeks-error-1"' in cheeks.group(0)


def test_photos_are_uploaded_without_metadata_and_served_uncached(site_a):
    client = ready_client(site_a)
    browser = staff_client(site_a.members[Role.NURSE])
    browser.post(reverse("clinic-session-new", args=[client.pk]), session_data())
    session = TreatmentSession.objects.get()
    upload = photo_with_exif()
    with_file = {"photo": _named(upload, "cheek.jpg"), "caption": "Before"}
    sent = browser.post(reverse("clinic-session-photo-add", args=[session.pk]), with_file)
    assert sent.status_code == 302
    photo = SessionPhoto.objects.get()
    page = body(browser.get(reverse("clinic-session", args=[session.pk])))
    assert reverse("clinic-photo", args=[photo.pk]) in page
    served = browser.get(reverse("clinic-photo", args=[photo.pk]))
    assert (served.status_code, served["Content-Type"], served["Cache-Control"]) == (200, "image/jpeg", "no-store")
    assert b"Phone Model X" not in served.content
    refused = browser.post(
        reverse("clinic-session-photo-add", args=[session.pk]), {"photo": _named(b"%PDF-1.4", "x.pdf")}
    )
    assert refused.status_code == 422
    assert "this file is not a photo that can be read" in body(refused)
    empty = browser.post(reverse("clinic-session-photo-add", args=[session.pk]), {})
    assert empty.status_code == 422
    assert "choose a photo to upload" in body(empty)


def test_the_front_desk_sees_no_session(site_a):
    client = ready_client(site_a)
    staff_client(site_a.members[Role.NURSE]).post(reverse("clinic-session-new", args=[client.pk]), session_data())
    session = TreatmentSession.objects.get()
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    assert desk.get(reverse("clinic-session", args=[session.pk])).status_code == 403
    assert desk.get(reverse("clinic-session-new", args=[client.pk])).status_code == 403
    assert "LOT-PAGE" not in body(desk.get(reverse("clinic-client", args=[client.pk])))


def _named(data: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415 - only these tests upload

    return SimpleUploadedFile(name, data)


def test_the_workspace_banner_counts_open_check_in_alerts_for_clinical_staff(site_a):
    from clinic.followup_support import checkin_of, session_row  # noqa: PLC0415 - only this test needs a red flag
    from needlewise.clinic.access.actor import Actor  # noqa: PLC0415

    kb = knowledge_base()
    _, token = checkin_of(session_row(site_a, kb), 3)
    answer_checkin(Actor.anonymous("192.0.2.7", "home"), token, {"fever_chills"}, kb)
    nurse_home = body(staff_client(site_a.members[Role.NURSE]).get(reverse("clinic-home")))
    assert "1 check-in alert is open" in nurse_home
    assert reverse("clinic-alerts") in nurse_home
    desk_home = body(staff_client(site_a.members[Role.FRONT_DESK]).get(reverse("clinic-home")))
    assert "check-in alert" not in desk_home
    assert reverse("clinic-schedule") in desk_home


def _visible(page: str) -> str:
    """A page's text as shown, spaces collapsed: tags (and the codes in their attributes) left out."""
    return " ".join(re.sub(r"<[^>]*>", " ", page).split())


def test_the_session_record_in_spanish_shows_words_not_codes(site_a):
    from clinic.followup_support import checkin_of  # noqa: PLC0415 - only this test answers a check-in
    from needlewise.clinic.access.actor import Actor  # noqa: PLC0415

    client = ready_client(site_a)
    numbing = {"numbing_product": "Crema anestésica", "numbing_lidocaine_percent": "4", "numbing_minutes": "30"}
    nurse = site_a.members[Role.NURSE]
    sent = staff_client(nurse).post(reverse("clinic-session-new", args=[client.pk]), session_data(**numbing))
    assert sent.status_code == 302
    session = TreatmentSession.objects.get()
    _, token = checkin_of(session, 1)
    answer_checkin(Actor.anonymous("192.0.2.8", "home"), token, set(), knowledge_base())
    spanish = signed_in(Browser(HTTP_ACCEPT_LANGUAGE="es"), nurse)
    text = _visible(body(spanish.get(reverse("clinic-session", args=[session.pk]))))
    expiry = session.cartridge_expiry.isoformat()
    assert f"{nurse.display_name} (enfermero/a)" in text
    assert f"lote LOT-PAGE, n.º de serie SN-PAGE-1, caduca el {expiry}" in text
    assert "n.º de serie DEV-9" in text
    assert "4 % de lidocaína" in text
    assert "Cartucho nunca usado antes" in text
    assert "Consentimiento firmado en la versión vigente" in text
    assert "evolución esperada" in text
    for english in ("(nurse)", "lot LOT-PAGE", "expires", "lidocaine", "Cartridge never used", "expected course"):
        assert english not in text


def test_the_session_page_shows_one_check_in_link_only_when_asked(site_a):
    client = ready_client(site_a)
    browser = staff_client(site_a.members[Role.NURSE])
    browser.post(reverse("clinic-session-new", args=[client.pk]), session_data())
    session = TreatmentSession.objects.get()
    url = reverse("clinic-session", args=[session.pk])
    assert "/checkin/" not in body(browser.get(url))
    shown = body(browser.get(url + "?link=3"))
    links = re.findall(r'readonly value="(http://testserver/checkin/[\w-]{43}/)"', shown)
    assert len(links) == 1
    assert shown.count("/checkin/") == 1
    assert 'aria-label="Private link for day 3"' in shown
    assert browser.get(links[0]).status_code == 200  # the link shown is the client's working link
    for nonsense in ("99", "abc", "-1", "12345"):
        assert "/checkin/" not in body(browser.get(url + f"?link={nonsense}"))
