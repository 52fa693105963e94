"""Notes to clients from the pages (issue 14): a booking's reminder, withdrawn when cancelled; a new consent version."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clinic.treatment_support import signed_consent
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.contact import consent_to_contact
from needlewise.clinic.local_time import clock_of
from needlewise.domain.permissions import Role
from needlewise.domain.statuses import Channel, ContactMethod
from needlewise.storage.models import Appointment, QueuedMessage
from web.clinic.support import Site, body, staff_client

pytestmark = pytest.mark.django_db


def test_a_booking_from_the_page_queues_the_reminder_and_cancelling_withdraws_it(site_a: Site, delivered_mail):
    consent_to_contact.record(
        site_a.actor(Role.FRONT_DESK), site_a.client.pk, Channel.EMAIL, granted=True, method=ContactMethod.IN_PERSON
    )
    day = clock_of(site_a.clinic.pk).today() + timedelta(days=5)
    form = {"practitioner": str(site_a.members[Role.NURSE].user_id), "date": day.isoformat(), "time": "10:00"}
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    assert desk.post(f"/clinic/clients/{site_a.client.pk}/book/", {**form, "minutes": "60"}).status_code == 302
    appointment = Appointment.objects.get()
    reminder = QueuedMessage.objects.get(purpose="appointment_reminder")
    assert (reminder.status, reminder.recipients) == ("queued", [site_a.client.email])
    assert reminder.next_attempt_at == appointment.starts_at - timedelta(hours=48)
    assert len(delivered_mail) == 0  # not due yet
    assert desk.post(f"/clinic/appointments/{appointment.pk}/cancel/").status_code == 302
    reminder.refresh_from_db()
    assert (reminder.status, reminder.last_error) == ("cancelled", "appointment cancelled")


def test_a_new_consent_version_from_the_page_tells_clients_with_an_appointment(site_a: Site):
    signed_consent(site_a, knowledge_base())
    consent_to_contact.record(
        site_a.actor(Role.FRONT_DESK), site_a.client.pk, Channel.EMAIL, granted=True, method=ContactMethod.IN_PERSON
    )
    day = clock_of(site_a.clinic.pk).today() + timedelta(days=1)
    form = {"practitioner": str(site_a.members[Role.NURSE].user_id), "date": day.isoformat(), "time": "10:00"}
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    assert desk.post(f"/clinic/clients/{site_a.client.pk}/book/", {**form, "minutes": "60"}).status_code == 302
    intro = {"intro_en": "Our updated form.", "intro_es": "Nuestro formulario actualizado."}
    response = staff_client(site_a.owner).post("/clinic/consent/", intro)
    assert response.status_code == 302
    note = QueuedMessage.objects.get(purpose="consent_update")
    assert (note.status, note.recipients) == ("queued", [site_a.client.email])


@pytest.mark.parametrize(
    ("lang", "words"), [("en", ["Move an appointment", "Back to the schedule"]), ("es", ["Mover una cita", "Volver"])]
)
def test_moving_from_the_page_replaces_the_reminder(site_a: Site, lang: str, words: list[str]):
    consent_to_contact.record(
        site_a.actor(Role.FRONT_DESK), site_a.client.pk, Channel.EMAIL, granted=True, method=ContactMethod.IN_PERSON
    )
    day = clock_of(site_a.clinic.pk).today() + timedelta(days=5)
    form = {"practitioner": str(site_a.members[Role.NURSE].user_id), "date": day.isoformat(), "time": "10:00"}
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    desk.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
    assert desk.post(f"/clinic/clients/{site_a.client.pk}/book/", {**form, "minutes": "60"}).status_code == 302
    appointment = Appointment.objects.get()
    schedule = body(desk.get(f"/clinic/schedule/?day={day.isoformat()}"))
    url = f"/clinic/appointments/{appointment.pk}/move/"
    assert f'href="{url}"' in schedule
    page = body(desk.get(url))
    assert 'name="date" value="' + day.isoformat() + '"' in page
    assert 'name="time" value="10:00"' in page
    for word in words:
        assert word in page
    assert desk.post(url, {"date": day.isoformat(), "time": "25:00"}).status_code == 422
    assert desk.post(url, {"date": "2020-01-01", "time": "10:00"}).status_code == 422
    later = day + timedelta(days=2)
    response = desk.post(url, {"date": later.isoformat(), "time": "11:30"})
    assert (response.status_code, response["Location"]) == (302, f"/clinic/schedule/?day={later.isoformat()}")
    old, new = QueuedMessage.objects.filter(purpose="appointment_reminder").order_by("pk")
    assert (old.status, old.last_error, new.status) == ("cancelled", "appointment moved", "queued")
    assert "/unsubscribe/" in new.text  # the new reminder carries the client's unsubscribe link
    assert clock_of(site_a.clinic.pk).local(Appointment.objects.get().starts_at).strftime("%H:%M") == "11:30"
    assert desk.post(f"/clinic/appointments/{appointment.pk}/cancel/").status_code == 302
    refused = desk.post(url, {"date": later.isoformat(), "time": "12:00"})
    assert refused.status_code == 422
    cancelled = {
        "en": "this appointment is cancelled; book a new one",
        "es": "esta cita está cancelada; reserva una nueva",
    }
    assert cancelled[lang] in body(refused)
