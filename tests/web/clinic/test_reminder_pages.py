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
from web.clinic.support import Site, staff_client

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
    assert (reminder.status, reminder.last_error) == ("withheld", "appointment cancelled")


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
