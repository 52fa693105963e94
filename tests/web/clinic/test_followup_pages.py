"""Staff pages after a session: alerts, adverse events, the aftercare sheet, the schedule and bookings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clinic.checkin_support import answer as answer_checkin
from clinic.followup_support import checkin_of, plan_row, session_row, short_of
from clinic_factories import clinic_today
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.access.actor import Actor
from needlewise.domain.permissions import Role
from needlewise.storage.models import AdverseEvent, Appointment, CheckIn
from web.clinic.support import Site, body, signed_in, staff_client

pytestmark = pytest.mark.django_db

PUBLIC = Actor.anonymous("198.51.100.7", "req-pages")


def spanish_client(member):
    """A browser asking for Spanish, with ``member`` signed in."""
    return signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), member)


def visible(page: str) -> str:
    """A page's text as shown, spaces collapsed: tags (and the codes in their attributes) left out."""
    return " ".join(re.sub(r"<[^>]*>", " ", page).split())


@pytest.fixture
def kb():
    return knowledge_base()


@pytest.fixture
def session(site_a: Site, kb):
    return session_row(site_a, kb, performed_at=timezone.now() - timedelta(days=3), lot="LOT-PAGES")


@pytest.fixture
def alert(session, kb):
    checkin, token = checkin_of(session, 3)
    answer_checkin(PUBLIC, token, {"fever_chills"}, kb)
    return checkin


def question_text(kb, question_id):
    return next(q.text.en for q in kb.treatment.checkin.questions if q.question_id == question_id)


# --- alerts ---


def test_the_alert_list_shows_the_alert_and_acknowledging_closes_it(site_a, alert, kb):
    nurse = staff_client(site_a.members[Role.NURSE])
    page = body(nurse.get("/clinic/alerts/"))
    assert "Zephyrine Quixotelle" in page
    assert "seek care now" in page
    assert question_text(kb, "fever_chills") in page
    assert f"/clinic/sessions/{alert.session_id}/adverse-events/new/?checkin={alert.pk}" in page
    assert f'href="/clinic/alerts/{alert.pk}/acknowledge/"' in page
    form = {"action": "advised_care", "note": "Told her to go to urgent care now."}
    response = nurse.post(f"/clinic/alerts/{alert.pk}/acknowledge/", form)
    assert (response.status_code, response["Location"]) == (302, "/clinic/alerts/?closed=1")
    stored = CheckIn.objects.get(pk=alert.pk)
    assert (stored.alert, stored.acknowledged_action, stored.acknowledged_note) == (
        "acknowledged",
        "advised_care",
        "Told her to go to urgent care now.",
    )
    after = body(nurse.get("/clinic/alerts/?closed=1"))
    assert "No open alerts." in after
    assert "The alert is closed; what was done is recorded." in after
    assert nurse.post(f"/clinic/alerts/{alert.pk}/acknowledge/", form).status_code == 409
    assert nurse.get(f"/clinic/alerts/{alert.pk}/acknowledge/").status_code == 409


def test_owners_see_alerts_without_actions_and_the_front_desk_not_at_all(site_a, alert):
    owner_page = body(staff_client(site_a.owner).get("/clinic/alerts/"))
    assert "Zephyrine Quixotelle" in owner_page
    assert "/acknowledge/" not in owner_page
    assert "A practitioner closes it" in owner_page
    assert staff_client(site_a.owner).get(f"/clinic/alerts/{alert.pk}/acknowledge/").status_code == 403
    form = {"action": "other", "note": "Seen."}
    assert staff_client(site_a.owner).post(f"/clinic/alerts/{alert.pk}/acknowledge/", form).status_code == 403
    assert staff_client(site_a.members[Role.FRONT_DESK]).get("/clinic/alerts/").status_code == 403


def test_another_clinic_cannot_see_or_acknowledge_the_alert(site_a, site_b, alert):
    del site_a
    nurse_b = staff_client(site_b.members[Role.NURSE])
    assert "Zephyrine" not in body(nurse_b.get("/clinic/alerts/"))
    assert nurse_b.get(f"/clinic/alerts/{alert.pk}/acknowledge/").status_code == 404
    form = {"action": "other", "note": "Seen."}
    assert nurse_b.post(f"/clinic/alerts/{alert.pk}/acknowledge/", form).status_code == 404
    assert CheckIn.objects.get(pk=alert.pk).alert == "open"


# --- adverse events ---


def test_recording_an_adverse_event_from_the_alert(site_a, session, alert, kb):
    nurse = staff_client(site_a.members[Role.NURSE])
    url = f"/clinic/sessions/{session.pk}/adverse-events/new/"
    page = body(nurse.get(f"{url}?checkin={alert.pk}"))
    assert f'<option value="{alert.pk}" selected>' in page
    assert 'name="close_alert" value="1" checked' in page
    from_session = body(nurse.get(url))  # the natural route: the session's open alert is chosen and ticked
    assert f'<option value="{alert.pk}" selected>' in from_session
    assert 'name="close_alert" value="1" checked' in from_session
    assert "LOT-PAGES" in page
    for kind in kb.treatment.adverse_event_kinds:
        assert f'value="{kind.kind_id}"' in page
    onset = timezone.localdate().isoformat()
    form = {
        "kind": "infection_bacterial",
        "severity": "moderate",
        "serious": "1",
        "onset_on": onset,
        "outcome": "ongoing",
        "description": "Fever and spreading redness; referred to urgent care.",
        "checkin": str(alert.pk),
        "close_alert": "1",
        "alert_note": "Called her; referred to urgent care.",
    }
    refused = nurse.post(url, {**form, "alert_note": ""})
    assert refused.status_code == 422
    assert "say what was done about the alert" in body(refused)
    assert 'name="close_alert" value="1" checked' in body(refused)
    response = nurse.post(url, form)
    event = AdverseEvent.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/clinic/adverse-events/{event.pk}/")
    assert (event.checkin_id, event.serious, event.cartridge_lot) == (alert.pk, True, "LOT-PAGES")
    stored = CheckIn.objects.get(pk=alert.pk)
    assert (stored.alert, stored.acknowledged_note) == ("acknowledged", "Called her; referred to urgent care.")
    shown = body(nurse.get(response["Location"]))
    assert "Fever and spreading redness" in shown
    assert "LOT-PAGES" in shown
    kind = next(k for k in kb.treatment.adverse_event_kinds if k.kind_id == "infection_bacterial")
    assert kind.label.en in shown
    assert "serious" in shown


def test_an_invalid_report_shows_the_errors_next_to_the_fields(site_a, session):
    nurse = staff_client(site_a.members[Role.NURSE])
    url = f"/clinic/sessions/{session.pk}/adverse-events/new/"
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = nurse.post(url, {"kind": "x", "severity": "", "onset_on": future, "outcome": "ongoing", "checkin": "z"})
    assert response.status_code == 422
    page = body(response)
    for field in ("kind", "severity", "onset_on", "description"):
        assert f'id="f-{field}-error-1"' in page
    assert 'aria-invalid="true"' in page
    assert not AdverseEvent.objects.exists()


def test_updating_the_outcome(site_a, session):
    nurse = staff_client(site_a.members[Role.NURSE])
    url = f"/clinic/sessions/{session.pk}/adverse-events/new/"
    today = timezone.localdate().isoformat()
    nurse.post(
        url,
        {"kind": "pih", "severity": "mild", "onset_on": today, "outcome": "ongoing", "description": "Dark patch."},
    )
    event = AdverseEvent.objects.get()
    event_url = f"/clinic/adverse-events/{event.pk}/"
    assert 'data-outcome="ongoing"' in body(nurse.get(event_url))
    response = nurse.post(event_url, {"outcome": "resolved", "note": "Faded with sun protection."})
    assert (response.status_code, response["Location"]) == (302, event_url)
    page = body(nurse.get(event_url))
    assert 'data-outcome="resolved"' in page
    assert "ongoing → resolved: Faded with sun protection." in page
    invalid = nurse.post(event_url, {"outcome": "resolved", "note": ""})
    assert invalid.status_code == 422
    assert 'id="f-outcome-error-1"' in body(invalid)
    owner = staff_client(site_a.owner)
    assert "Update the outcome" not in body(owner.get(event_url))
    assert owner.post(event_url, {"outcome": "unknown", "note": ""}).status_code == 403


def test_adverse_event_pages_refuse_other_roles_and_clinics(site_a, site_b, session):
    url = f"/clinic/sessions/{session.pk}/adverse-events/new/"
    assert staff_client(site_a.owner).get(url).status_code == 403
    assert staff_client(site_a.members[Role.FRONT_DESK]).get(url).status_code == 403
    assert staff_client(site_b.members[Role.NURSE]).get(url).status_code == 404
    event = AdverseEvent.objects.create(
        clinic=site_a.clinic,
        client=site_a.client,
        session=session,
        cartridge_lot=session.cartridge_lot,
        kind="retired_kind",
        severity="mild",
        onset_on=timezone.localdate(),
        outcome="unknown",
        description="Recorded under an older knowledge base.",
        recorded_by_id=site_a.members[Role.NURSE].user_id,
    )
    assert staff_client(site_b.members[Role.NURSE]).get(f"/clinic/adverse-events/{event.pk}/").status_code == 404
    page = body(staff_client(site_a.members[Role.PROVIDER]).get(f"/clinic/adverse-events/{event.pk}/"))
    assert "Adverse event: retired_kind" in page  # a kind the knowledge base no longer lists, as is


def test_the_adverse_event_pages_in_spanish_word_kind_severity_and_outcome(site_a, session, kb):
    nurse = spanish_client(site_a.members[Role.NURSE])
    form_page = visible(body(nurse.get(f"/clinic/sessions/{session.pk}/adverse-events/new/")))
    for word in ("leve", "moderada", "intensa", "en curso", "resuelto", "desconocido"):
        assert word in form_page
    form = {
        "kind": "infection_bacterial",
        "severity": "moderate",
        "onset_on": timezone.localdate().isoformat(),
        "outcome": "ongoing",
        "description": "Fiebre y enrojecimiento que se extiende.",
    }
    response = nurse.post(f"/clinic/sessions/{session.pk}/adverse-events/new/", form)
    assert response.status_code == 302
    kind = next(k for k in kb.treatment.adverse_event_kinds if k.kind_id == "infection_bacterial")
    event_page = visible(body(nurse.get(response["Location"])))
    alerts_page = visible(body(nurse.get("/clinic/alerts/")))
    for page in (event_page, alerts_page):
        assert kind.label.es in page
        assert "moderada" in page
        assert "en curso" in page
        for code in ("infection", "moderate", "ongoing"):
            assert code not in page


# --- aftercare sheet ---


def test_the_aftercare_sheet_has_the_red_flags_and_the_checkin_links(site_a, session, kb):
    nurse = staff_client(site_a.members[Role.NURSE])
    page = body(nurse.get(f"/clinic/sessions/{session.pk}/aftercare/"))
    red_flags = next(s for s in kb.sections if s.section_id == "red-flags")
    assert red_flags.title.en in page
    assert red_flags.steps[1].en in page
    for day in (1, 3, 7):
        _, token = checkin_of(session, day)
        _, code = short_of(session, day)
        assert f'href="http://testserver/c/{code}"' in page  # the check-ins' own language: no ?lang=
        assert f'<code class="short-link">http://testserver/c/{code}</code>' in page
        assert f"<title>QR code of your check-in link for day {day}</title>" in page
        assert token not in page  # the long link is no longer printed
    assert f"/clinic/sessions/{session.pk}/aftercare.pdf?lang=en" in page


def test_the_aftercare_sheet_in_spanish_points_the_links_to_spanish(site_a, session, kb):
    nurse = staff_client(site_a.members[Role.NURSE])
    page = body(nurse.get(f"/clinic/sessions/{session.pk}/aftercare/?lang=es"))
    assert next(s for s in kb.sections if s.section_id == "red-flags").title.es in page
    _, code = short_of(session, 1)
    assert f"http://testserver/c/{code}?lang=es" in page
    assert "<title>Código QR del enlace de tu control del día 1</title>" in page
    pdf = nurse.get(f"/clinic/sessions/{session.pk}/aftercare.pdf?lang=es")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="aftercare-session-{session.pk}.pdf"'
    assert pdf.content.startswith(b"%PDF")


def test_a_session_without_checkins_uses_the_staff_language(site_a, kb):
    session = session_row(site_a, kb, lang=None)
    page = body(staff_client(site_a.members[Role.NURSE]).get(f"/clinic/sessions/{session.pk}/aftercare/?lang=xx"))
    assert "No check-ins were scheduled for this session" in page


def test_the_aftercare_sheet_is_for_clinical_staff_of_the_clinic(site_a, site_b, session):
    del site_a
    assert staff_client(site_b.members[Role.NURSE]).get(f"/clinic/sessions/{session.pk}/aftercare/").status_code == 404
    desk = staff_client(site_b.members[Role.FRONT_DESK])
    assert desk.get(f"/clinic/sessions/{session.pk}/aftercare.pdf").status_code == 403


# --- schedule ---


def tomorrow():
    return (clinic_today() + timedelta(days=1)).isoformat()


def booking(site: Site, **changes):
    form = {"practitioner": str(site.members[Role.NURSE].user_id), "date": tomorrow(), "time": "10:00", "minutes": "60"}
    return {**form, **changes}


def test_booking_from_the_suggestions_to_the_day_list(site_a, kb):
    plan_row(site_a, kb, sessions_planned=3, interval=28)
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    url = f"/clinic/clients/{site_a.client.pk}/book/"
    page = body(desk.get(url))
    assert "Suggested dates" in page
    assert f'<time datetime="{clinic_today().isoformat()}">' in page
    assert "nurse alpha (nurse)" in page
    assert "Owner alpha (owner)" not in page
    response = desk.post(url, booking(site_a))
    assert (response.status_code, response["Location"]) == (302, f"/clinic/schedule/?day={tomorrow()}")
    appointment = Appointment.objects.get()
    day = body(desk.get(response["Location"]))
    assert "Zephyrine Quixotelle" in day
    assert "10:00\u201311:00" in day  # an en dash between the times
    assert "1 of 3" in day
    assert f"/clinic/appointments/{appointment.pk}.ics" in day
    only_provider = body(
        desk.get(f"/clinic/schedule/?day={tomorrow()}&practitioner={site_a.members[Role.PROVIDER].user_id}")
    )
    assert "Zephyrine Quixotelle" not in only_provider
    assert "No appointments." in only_provider


def test_the_schedule_pages_in_spanish_word_the_roles(site_a, kb):
    plan_row(site_a, kb, sessions_planned=3, interval=28)
    desk = spanish_client(site_a.members[Role.FRONT_DESK])
    url = f"/clinic/clients/{site_a.client.pk}/book/"
    form_page = visible(body(desk.get(url)))
    nurse_name = site_a.members[Role.NURSE].display_name
    assert f"{nurse_name} (enfermero/a)" in form_page
    assert f"{site_a.members[Role.PROVIDER].display_name} (médico/a responsable)" in form_page
    assert f"{site_a.members[Role.AESTHETICIAN].display_name} (esteticista)" in form_page
    assert desk.post(url, booking(site_a)).status_code == 302
    day_page = visible(body(desk.get(f"/clinic/schedule/?day={tomorrow()}")))
    assert f"{nurse_name} (enfermero/a)" in day_page
    for code in ("(nurse)", "(provider)", "(aesthetician)"):
        assert code not in form_page
        assert code not in day_page


def test_a_booking_too_soon_names_the_earliest_date_next_to_the_time(site_a, kb):
    plan = plan_row(site_a, kb, interval=28)
    session_row(site_a, kb, plan=plan, performed_at=timezone.now() - timedelta(days=1))
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    response = desk.post(f"/clinic/clients/{site_a.client.pk}/book/", booking(site_a))
    assert response.status_code == 422
    earliest = (clinic_today() + timedelta(days=27)).isoformat()
    assert f"the earliest date is {earliest}" in body(response)
    assert 'id="f-starts_at-error-1"' in body(response)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": "tomorrow", "time": "10:00"}, "enter the date as YYYY-MM-DD and the time as HH:MM"),
        ({"time": "ten"}, "enter the date as YYYY-MM-DD and the time as HH:MM"),
        ({"practitioner": ""}, "choose a practitioner"),
        ({"practitioner": "99999999999999999999"}, "choose a practitioner"),  # no 64-bit id: was a 500
        ({"practitioner": "²"}, "choose a practitioner"),
        ({"minutes": "5"}, "between 15 and 480 minutes"),
    ],
)
def test_invalid_bookings_are_explained(site_a, changes, message):
    response = staff_client(site_a.members[Role.FRONT_DESK]).post(
        f"/clinic/clients/{site_a.client.pk}/book/", booking(site_a, **changes)
    )
    assert response.status_code == 422
    assert message in body(response)


def test_an_overlap_is_explained_on_the_form(site_a):
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    url = f"/clinic/clients/{site_a.client.pk}/book/"
    desk.post(url, booking(site_a))
    response = desk.post(url, booking(site_a, time="10:30"))
    assert response.status_code == 422
    assert "the practitioner has another appointment at that time" in body(response)


def test_the_calendar_file_and_cancelling(site_a):
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    desk.post(f"/clinic/clients/{site_a.client.pk}/book/", booking(site_a))
    appointment = Appointment.objects.get()
    ics = desk.get(f"/clinic/appointments/{appointment.pk}.ics")
    assert ics["Content-Type"] == "text/calendar; charset=utf-8"
    assert ics["Content-Disposition"] == f'attachment; filename="appointment-{appointment.pk}.ics"'
    text = ics.content.decode()
    assert f"UID:{appointment.uid}\r\n" in text
    assert "SUMMARY:Microneedling session — Clinic Alpha\r\n" in text
    assert "Zephyrine" not in text
    response = desk.post(f"/clinic/appointments/{appointment.pk}/cancel/")
    assert (response.status_code, response["Location"]) == (302, f"/clinic/schedule/?day={tomorrow()}")
    assert Appointment.objects.get().status == "cancelled"
    assert desk.post(f"/clinic/appointments/{appointment.pk}/cancel/").status_code == 409
    assert "Zephyrine Quixotelle" not in body(desk.get(response["Location"]))


def test_the_schedule_pages_keep_to_the_clinic(site_a, site_b):
    staff_client(site_a.members[Role.FRONT_DESK]).post(f"/clinic/clients/{site_a.client.pk}/book/", booking(site_a))
    appointment = Appointment.objects.get()
    desk_b = staff_client(site_b.members[Role.FRONT_DESK])
    assert desk_b.get(f"/clinic/clients/{site_a.client.pk}/book/").status_code == 404
    assert desk_b.get(f"/clinic/appointments/{appointment.pk}.ics").status_code == 404
    assert desk_b.post(f"/clinic/appointments/{appointment.pk}/cancel/").status_code == 404
    assert "Zephyrine" not in body(desk_b.get(f"/clinic/schedule/?day={tomorrow()}"))
    assert Appointment.objects.get().status == "booked"


def test_the_schedule_defaults_to_today_and_explains_a_bad_day(site_a):
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    page = body(desk.get("/clinic/schedule/"))
    assert f'Schedule: <time datetime="{clinic_today().isoformat()}">' in page
    assert "nurse alpha" in page
    bad = desk.get("/clinic/schedule/?day=31/12/2031")
    assert bad.status_code == 422
    assert "Enter the day as YYYY-MM-DD." in body(bad)


def test_the_session_page_and_aftercare_sheet_in_spanish_write_0_5_mm_with_a_comma(site_a, session, kb):
    spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    forehead = kb.vocabulary["areas"]["forehead"].label.es
    record = body(spanish.get(f"/clinic/sessions/{session.pk}/"))
    assert f"{forehead}: 0,5 mm" in record
    sheet = body(spanish.get(f"/clinic/sessions/{session.pk}/aftercare/?lang=es"))
    assert f"{forehead}: 0,5 mm" in sheet
    english = body(staff_client(site_a.members[Role.NURSE]).get(f"/clinic/sessions/{session.pk}/aftercare/?lang=en"))
    assert f"{kb.vocabulary['areas']['forehead'].label.en}: 0.5 mm" in english


def test_head_is_answered_like_get_on_workspace_and_public_clinic_pages(site_a, session):
    nurse = staff_client(site_a.members[Role.NURSE])
    paths = ["/clinic/", "/clinic/clients/", "/clinic/alerts/", f"/clinic/sessions/{session.pk}/aftercare/"]
    for path in (*paths, f"/clinic/sessions/{session.pk}/"):
        response = nurse.head(path)
        assert response.status_code == 200, path
        assert response.content == b""
    public = Client()
    for path in ("/", "/clinics/", f"/clinics/{site_a.clinic.slug}/"):
        assert public.head(path).status_code == 200, path
