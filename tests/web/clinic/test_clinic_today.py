"""A clinic's "today" and the days its messages print are on the clinic's clock, never the server's UTC day.

23:30 UTC on 7 December is already the 8th in Auckland (12:30 NZDT); 03:30 UTC on the 8th is still the
7th in Los Angeles (19:30 PST). Staff pages run with the clinic's zone active (the staff session's
middleware), so a form's default day is the clinic's; messages to clients write the day and time of an
appointment on the clinic's clock, in the client's language, whatever day it is in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from clinic_factories import client_outbox
from needlewise.clinic.consent import update_notes
from needlewise.clinic.contact import consent_to_contact
from needlewise.clinic.contact.client_notes import From
from needlewise.clinic.scheduling import appointments
from needlewise.domain.permissions import Role
from needlewise.domain.statuses import Channel, ContactMethod
from needlewise.storage.models import Client, Clinic, QueuedMessage
from web.clinic.support import Site, body, staff_client

pytestmark = pytest.mark.django_db

#: (the server's clock, the clinic's zone, its day there, the UTC day)
AUCKLAND = (datetime(2026, 12, 7, 23, 30, tzinfo=UTC), "Pacific/Auckland", date(2026, 12, 8), date(2026, 12, 7))
LOS_ANGELES = (datetime(2026, 12, 8, 3, 30, tzinfo=UTC), "America/Los_Angeles", date(2026, 12, 7), date(2026, 12, 8))
CLOCKS = pytest.mark.parametrize("clock", [AUCKLAND, LOS_ANGELES], ids=["auckland", "los_angeles"])


def in_zone(site: Site, zone: str) -> None:
    Clinic.objects.filter(pk=site.clinic.pk).update(time_zone=zone)


@CLOCKS
def test_the_clearance_form_offers_the_clinics_today(site_a: Site, clock: tuple[datetime, str, date, date]) -> None:
    now, zone, today, utc_day = clock
    in_zone(site_a, zone)
    with time_machine.travel(now, tick=False):
        page = body(staff_client(site_a.members[Role.PROVIDER]).get(f"/clinic/screenings/{site_a.stop.pk}/clear/"))
    assert f'name="cleared_on" value="{today.isoformat()}"' in page
    assert f'name="cleared_on" value="{utc_day.isoformat()}"' not in page


@CLOCKS
def test_the_schedule_opens_on_the_clinics_today(site_a: Site, clock: tuple[datetime, str, date, date]) -> None:
    now, zone, today, _utc_day = clock
    in_zone(site_a, zone)
    with time_machine.travel(now, tick=False):
        page = body(staff_client(site_a.members[Role.FRONT_DESK]).get("/clinic/schedule/"))
    assert f"<title>Schedule {today.isoformat()}" in page


#: Each clinic's appointment, typed on its clock: on another day in UTC (23:30Z on the 10th; 03:30Z on the 10th).
APPOINTMENTS = {
    "Pacific/Auckland": datetime(2026, 12, 11, 12, 30),  # noqa: DTZ001 - as typed on the clinic's clock
    "America/Los_Angeles": datetime(2026, 12, 9, 19, 30),  # noqa: DTZ001 - as typed on the clinic's clock
}
#: How each message writes the appointment's day and time, by zone and language.
WHEN = {
    ("Pacific/Auckland", "en"): "on Friday 11 December 2026 at 12:30",
    ("Pacific/Auckland", "es"): "el viernes 11 de diciembre de 2026 a las 12:30",
    ("America/Los_Angeles", "en"): "on Wednesday 9 December 2026 at 19:30",
    ("America/Los_Angeles", "es"): "el miércoles 9 de diciembre de 2026 a las 19:30",
}
MESSAGES = pytest.mark.parametrize(("zone", "lang"), list(WHEN))


def booked_in(site: Site, zone: str, lang: str) -> datetime:
    """An appointment booked (at the Auckland test clock) for a client writing in ``lang``; its start, UTC."""
    in_zone(site, zone)
    Client.objects.filter(pk=site.client.pk).update(language=lang)
    desk = site.actor(Role.FRONT_DESK)
    for channel in (Channel.EMAIL, Channel.SMS):
        consent_to_contact.record(desk, site.client.pk, channel, granted=True, method=ContactMethod.IN_PERSON)
    nurse = site.members[Role.NURSE].user_id
    typed = APPOINTMENTS[zone]
    booked = appointments.book(desk, site.client.pk, nurse, typed, 60, sender=client_outbox())
    assert booked.starts_at.date() != typed.date()  # another day in UTC
    return booked.starts_at


@MESSAGES
def test_an_appointment_reminder_prints_the_clinics_day_and_time(site_a: Site, zone: str, lang: str) -> None:
    with time_machine.travel(AUCKLAND[0], tick=False):
        booked_in(site_a, zone, lang)
    rows = {row.channel: row for row in QueuedMessage.objects.filter(purpose="appointment_reminder")}
    assert set(rows) == {"email", "sms"}
    assert WHEN[zone, lang] in rows["email"].text.splitlines()[0]
    assert WHEN[zone, lang] in rows["sms"].text


@MESSAGES
def test_a_new_consent_versions_note_prints_the_clinics_day_and_time(site_a: Site, zone: str, lang: str) -> None:
    with time_machine.travel(AUCKLAND[0], tick=False):
        starts_at = booked_in(site_a, zone, lang)
    sender = From.of(Clinic.objects.get(pk=site_a.clinic.pk))
    for channel in (Channel.EMAIL, Channel.SMS):
        said = update_notes.words(starts_at, sender, lang, channel)
        assert WHEN[zone, lang] in said.text.replace(", on ", " on ")
