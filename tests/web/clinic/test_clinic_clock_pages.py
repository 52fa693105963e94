"""Staff pages and the clinic API on the clinic's clock: booking, the day list, calendar files, timestamps.

The test sites' clinics are in Europe/Madrid (UTC+1 in winter, UTC+2 in summer).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from clinic.followup_support import plan_row, session_row
from needlewise.bootstrap import knowledge_base
from needlewise.domain.permissions import Role
from needlewise.storage.models import Appointment
from web.clinic.support import Site, body, signed_in, staff_client

pytestmark = pytest.mark.django_db

WINTER_MORNING = datetime(2031, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def winter():
    with time_machine.travel(WINTER_MORNING, tick=False) as traveller:
        yield traveller


def visible(page: str) -> str:
    return " ".join(re.sub(r"<[^>]*>", " ", page).split())


def booking(site: Site, day: str, at: str) -> dict[str, str]:
    return {"practitioner": str(site.members[Role.NURSE].user_id), "date": day, "time": at, "minutes": "60"}


@pytest.mark.usefixtures("winter")
def test_ten_o_clock_typed_in_madrid_is_stored_at_nine_utc_and_shown_at_ten(site_a: Site):
    plan_row(site_a, knowledge_base(), sessions_planned=3, interval=28)
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    url = f"/clinic/clients/{site_a.client.pk}/book/"
    form = visible(body(desk.get(url)))
    assert "On the clinic's clock (Europe/Madrid)." in form
    response = desk.post(url, booking(site_a, "2031-12-15", "10:00"))
    assert (response.status_code, response["Location"]) == (302, "/clinic/schedule/?day=2031-12-15")
    appointment = Appointment.objects.get()
    assert appointment.starts_at == datetime(2031, 12, 15, 9, 0, tzinfo=UTC)
    day = visible(body(desk.get(response["Location"])))
    assert "10:00\u201311:00" in day
    assert "Times are on the clinic's clock (Europe/Madrid)." in day
    ics = desk.get(f"/clinic/appointments/{appointment.pk}.ics").content.decode()
    assert "DTSTART;TZID=Europe/Madrid:20311215T100000" in ics
    assert "DTEND;TZID=Europe/Madrid:20311215T110000" in ics
    assert "BEGIN:VTIMEZONE" in ics
    nurse = staff_client(site_a.members[Role.NURSE])
    client_page = visible(body(nurse.get(f"/clinic/clients/{site_a.client.pk}/")))
    assert "2031-12-15 10:00 CET" in client_page
    assert "UTC" not in client_page


def test_the_schedule_opens_on_the_clinic_s_today(site_a: Site, winter):
    winter.move_to(datetime(2031, 12, 1, 23, 30, tzinfo=UTC))  # already 2 December in Madrid
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    assert "<title>Schedule 2031-12-02" in body(desk.get("/clinic/schedule/"))


def test_a_time_the_clocks_skip_is_refused_in_the_page_s_language(site_a: Site):
    with time_machine.travel(datetime(2031, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        url = f"/clinic/clients/{site_a.client.pk}/book/"
        english = staff_client(site_a.members[Role.FRONT_DESK]).post(url, booking(site_a, "2031-03-30", "02:30"))
        spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.FRONT_DESK]).post(
            url, booking(site_a, "2031-03-30", "02:30")
        )
    assert english.status_code == spanish.status_code == 422
    assert "There is no 02:30 on 2031-03-30 in Europe/Madrid: the clocks go forward that night." in visible(
        body(english)
    )
    assert "No existe la hora 02:30 el 2031-03-30 en Europe/Madrid" in visible(body(spanish))
    assert not Appointment.objects.exists()


def test_the_fall_back_day_s_0230_is_booked_as_the_first_one(site_a: Site):
    with time_machine.travel(datetime(2031, 10, 1, 9, 0, tzinfo=UTC), tick=False):
        desk = staff_client(site_a.members[Role.FRONT_DESK])
        response = desk.post(f"/clinic/clients/{site_a.client.pk}/book/", booking(site_a, "2031-10-26", "02:30"))
        day = visible(body(desk.get(response["Location"])))
    assert Appointment.objects.get().starts_at == datetime(2031, 10, 26, 0, 30, tzinfo=UTC)
    assert "02:30\u201302:30" in day  # 60 real minutes: 02:30 summer time to 02:30 winter time


@pytest.mark.usefixtures("winter")
def test_session_times_on_staff_pages_are_on_the_clinic_s_clock(site_a: Site):
    kb = knowledge_base()
    session = session_row(site_a, kb, performed_at=WINTER_MORNING - timedelta(hours=8, minutes=30))  # 00:30 CET
    nurse = staff_client(site_a.members[Role.NURSE])
    page = visible(body(nurse.get(f"/clinic/sessions/{session.pk}/")))
    assert "Session of 2031-12-01" in page  # still 30 November in UTC
    client_page = visible(body(nurse.get(f"/clinic/clients/{site_a.client.pk}/")))
    assert "2031-12-01 00:30 CET" in client_page


@pytest.mark.usefixtures("winter")
def test_the_clinic_api_writes_times_with_the_clinic_s_offset(site_a: Site):
    nurse = staff_client(site_a.members[Role.NURSE])
    found = nurse.get(f"/api/v1/clinic/clients/{site_a.client.pk}").json()
    created = datetime.fromisoformat(found["client"]["created_at"])
    assert found["client"]["created_at"].endswith("+01:00")
    assert created == site_a.client.created_at
    screened = [datetime.fromisoformat(s["created_at"]) for s in found["screenings"]]
    assert {s.utcoffset() for s in screened} == {timedelta(hours=1)}
