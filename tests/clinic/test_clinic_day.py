"""Booking, calendar files, day lists and check-in days on the clinic's clock, across both changes of the clocks.

The sites' clinics are in Europe/Madrid; some tests move one to America/New_York, where the evening
is already the next day in UTC. Times typed into the booking form reach ``book`` without an offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import time_machine

from clinic.checkin_support import answer as answer_checkin
from clinic.followup_support import plan_row, session_row
from clinic_factories import clearance_form
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.followup import alerts, checkin_tokens
from needlewise.clinic.followup.checkins import session_day
from needlewise.clinic.local_time import SKIPPED, ClinicClock
from needlewise.clinic.records import screenings
from needlewise.clinic.scheduling import appointments, days
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.errors import InvalidInputError
from needlewise.storage.models import Appointment, CheckIn

pytestmark = pytest.mark.django_db


def wall(*parts: int) -> datetime:
    """A time as typed into the booking form: no offset."""
    return datetime(*parts)  # noqa: DTZ001 - read on the clinic's clock by book()


def book(site, when, minutes=60):
    return appointments.book(
        site.actor(Role.FRONT_DESK), site.client.pk, site.members[Role.NURSE].user_id, when, minutes
    )


def ics_fields(site, appointment) -> dict[str, str]:
    text = appointments.ics(site.actor(Role.FRONT_DESK), appointment.pk).decode()
    lines = text.replace("\r\n ", "").split("\r\n")
    return dict(line.split(":", 1) for line in lines if line)


def read_back(site, appointment) -> tuple[datetime, datetime]:
    """The event's start and end as a calendar program reads them (TZID and VTIMEZONE), in UTC."""
    ics = appointments.ics(site.actor(Role.FRONT_DESK), appointment.pk)
    calendar = icalendar.Calendar.from_ical(ics)
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == site.clinic.time_zone
    [event] = calendar.walk("VEVENT")
    return event.decoded("DTSTART").astimezone(UTC), event.decoded("DTEND").astimezone(UTC)


def in_new_york(site) -> None:
    site.clinic.time_zone = "America/New_York"
    site.clinic.save(update_fields=["time_zone"])


@pytest.fixture
def in_march():
    with time_machine.travel(datetime(2031, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        yield


@pytest.mark.parametrize(
    ("typed", "utc_start"),
    [
        (wall(2031, 12, 15, 10, 0), datetime(2031, 12, 15, 9, 0, tzinfo=UTC)),  # CET
        (wall(2031, 7, 15, 10, 0), datetime(2031, 7, 15, 8, 0, tzinfo=UTC)),  # CEST
        (wall(2031, 3, 31, 10, 0), datetime(2031, 3, 31, 8, 0, tzinfo=UTC)),  # the day after spring forward
        (wall(2031, 10, 27, 10, 0), datetime(2031, 10, 27, 9, 0, tzinfo=UTC)),  # the day after fall back
    ],
)
@pytest.mark.usefixtures("in_march")
def test_ten_o_clock_in_madrid_is_written_to_the_calendar_file_on_the_clinic_s_clock(site_a, typed, utc_start):
    appointment = book(site_a, typed)
    fields = ics_fields(site_a, appointment)
    day = utc_start.strftime("%Y%m%d")
    assert (fields["DTSTART;TZID=Europe/Madrid"], fields["DTEND;TZID=Europe/Madrid"]) == (
        f"{day}T100000",
        f"{day}T110000",
    )
    assert read_back(site_a, appointment) == (utc_start, utc_start + timedelta(hours=1))


@pytest.mark.usefixtures("in_march")
def test_booking_at_0230_on_the_spring_forward_day_is_refused_clearly(site_a):
    with pytest.raises(InvalidInputError) as refused:
        book(site_a, wall(2031, 3, 30, 2, 30))
    [problem] = refused.value.problems
    assert (problem.where, problem.template) == ("starts_at", SKIPPED)
    assert "There is no 02:30 on 2031-03-30 in Europe/Madrid" in problem.message
    assert not Appointment.objects.exists()


@pytest.mark.usefixtures("in_march")
def test_booking_at_0230_on_the_fall_back_day_is_the_first_0230(site_a):
    appointment = book(site_a, wall(2031, 10, 26, 2, 30))
    assert appointment.starts_at == datetime(2031, 10, 26, 0, 30, tzinfo=UTC)  # 02:30 CEST
    fields = ics_fields(site_a, appointment)
    assert (fields["DTSTART;TZID=Europe/Madrid"], fields["DTEND"]) == (
        "20311026T023000",  # the first 02:30 (summer time), as RFC 5545 reads a repeated time
        "20311026T013000Z",  # the second 02:30 (winter time) can only be written exactly in UTC
    )
    assert read_back(site_a, appointment) == (
        datetime(2031, 10, 26, 0, 30, tzinfo=UTC),
        datetime(2031, 10, 26, 1, 30, tzinfo=UTC),
    )
    [column] = [c for c in days.day_list(site_a.actor(Role.FRONT_DESK), date(2031, 10, 26)) if c.rows]
    [row] = column.rows
    assert (row.starts_at.strftime("%H:%M %Z"), row.ends_at.strftime("%H:%M %Z")) == ("02:30 CEST", "02:30 CET")


@pytest.mark.usefixtures("in_march")
def test_the_25_hour_day_lists_its_last_half_hour_and_not_the_next_day_s_first(site_a):
    late = book(site_a, wall(2031, 10, 26, 23, 30), 30)
    book(site_a, wall(2031, 10, 27, 0, 0), 30)
    shown = [r.appointment_id for c in days.day_list(site_a.actor(Role.FRONT_DESK), date(2031, 10, 26)) for r in c.rows]
    assert shown == [late.pk]


def test_in_new_york_an_evening_appointment_is_on_the_clinic_s_day(site_a):
    in_new_york(site_a)
    with time_machine.travel(datetime(2031, 1, 5, 15, 0, tzinfo=UTC), tick=False):
        appointment = book(site_a, wall(2031, 1, 5, 21, 0))
        desk = site_a.actor(Role.FRONT_DESK)
        on_the_day = [r for c in days.day_list(desk, date(2031, 1, 5)) for r in c.rows]
        next_day = [r for c in days.day_list(desk, date(2031, 1, 6)) for r in c.rows]
    assert appointment.starts_at == datetime(2031, 1, 6, 2, 0, tzinfo=UTC)
    assert [r.starts_at.strftime("%Y-%m-%d %H:%M %Z") for r in on_the_day] == ["2031-01-05 21:00 EST"]
    assert next_day == []
    fields = ics_fields(site_a, appointment)
    assert fields["DTSTART;TZID=America/New_York"] == "20310105T210000"  # the evening, not the next day's 02:00
    assert read_back(site_a, appointment)[0] == datetime(2031, 1, 6, 2, 0, tzinfo=UTC)


def test_an_evening_time_already_past_on_the_clinic_s_clock_is_refused(site_a):
    in_new_york(site_a)
    with time_machine.travel(datetime(2031, 1, 6, 3, 0, tzinfo=UTC), tick=False):  # 22:00 in New York
        with pytest.raises(InvalidInputError) as refused:
            book(site_a, wall(2031, 1, 5, 21, 30))
        assert refused.value.first.message == "the appointment must be in the future"
        assert book(site_a, wall(2031, 1, 5, 22, 30)).starts_at == datetime(2031, 1, 6, 3, 30, tzinfo=UTC)


def test_check_in_days_count_from_the_clinic_s_day_of_a_late_evening_session(site_a, kb):
    in_new_york(site_a)
    performed_at = datetime(2031, 1, 6, 4, 30, tzinfo=UTC)  # 23:30 on 5 January in New York
    with time_machine.travel(performed_at + timedelta(minutes=45), tick=False):
        session = session_row(site_a, kb, performed_at=performed_at)
    due = list(CheckIn.objects.filter(session=session).order_by("day").values_list("day", "due_on"))
    assert due == [(1, date(2031, 1, 6)), (3, date(2031, 1, 8)), (7, date(2031, 1, 12))]
    assert session_day(session, ClinicClock.named("America/New_York")) == date(2031, 1, 5)


def test_the_alerts_list_gives_the_session_s_clinic_day(site_a, kb):
    in_new_york(site_a)
    performed_at = datetime(2031, 1, 6, 4, 30, tzinfo=UTC)
    with time_machine.travel(performed_at + timedelta(days=1), tick=False):
        session = session_row(site_a, kb, performed_at=performed_at)
        checkin = CheckIn.objects.get(session=session, day=3)
        answer_checkin(
            Actor.anonymous("198.51.100.7", "req-day"), checkin_tokens.link_token(checkin), {"fever_chills"}, kb
        )
        [alert] = alerts.alerts(site_a.actor(Role.NURSE), kb, Lang.EN)
    assert (alert.checkin_id, alert.session_on) == (checkin.pk, date(2031, 1, 5))


def test_suggested_dates_start_on_the_clinic_s_today(site_a, kb):
    in_new_york(site_a)
    plan_row(site_a, kb, sessions_planned=2, interval=28)
    with time_machine.travel(datetime(2031, 1, 6, 3, 0, tzinfo=UTC), tick=False):  # 5 January in New York
        found = appointments.suggestions(site_a.actor(Role.FRONT_DESK), site_a.client.pk)
    assert found == [date(2031, 1, 5), date(2031, 2, 2)]


def test_a_clearance_lasts_to_the_end_of_its_last_day_on_the_clinic_s_calendar(site_a):
    in_new_york(site_a)
    provider = site_a.actor(Role.PROVIDER)
    last_day = date(2031, 1, 5)
    with time_machine.travel(datetime(2031, 1, 5, 15, 0, tzinfo=UTC), tick=False):
        screenings.clear(provider, site_a.stop.pk, clearance_form(last_day, expires_on=last_day))
    with time_machine.travel(datetime(2031, 1, 6, 4, 59, tzinfo=UTC), tick=False):  # 23:59 in New York
        evening = screenings.client_record(provider, site_a.client.pk).status
    with time_machine.travel(datetime(2031, 1, 6, 5, 0, tzinfo=UTC), tick=False):  # midnight in New York
        midnight = screenings.client_record(provider, site_a.client.pk).status
    assert evening is not None
    assert midnight is not None
    assert (evening.today, evening.clearance is not None) == (last_day, True)
    assert (midnight.today, midnight.clearance) == (date(2031, 1, 6), None)
