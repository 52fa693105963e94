"""Scheduling: suggested dates from the plan, booking rules, cancelling, day lists, calendar files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import time_machine
from django.contrib.auth.models import User

from clinic.followup_support import plan_row, session_row
from clinic.support import expected, last_seq, rows_after, summary
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.clients import client_form, clients
from needlewise.clinic.scheduling import appointments, changes, days
from needlewise.clinic.scheduling.calendar_file import CalendarEvent, calendar_file
from needlewise.domain.permissions import Role
from needlewise.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from needlewise.storage.models import Appointment, TreatmentPlan

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 6, 15, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def at_nine():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def book(site, when, minutes=60, *, practitioner=Role.NURSE, client=None):
    practitioner_id = site.members[practitioner].user_id if practitioner else None
    return appointments.book(site.actor(Role.FRONT_DESK), (client or site.client).pk, practitioner_id, when, minutes)


def unfold(ics: bytes) -> dict[str, str]:
    """The calendar file's properties (last one wins), after RFC 5545 unfolding."""
    text = ics.decode()
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.replace("\r\n ", "").split("\r\n")
    return dict(line.split(":", 1) for line in lines if line)


# --- suggestions ---


def test_no_active_plan_no_suggestions(site_a):
    assert appointments.suggestions(site_a.actor(Role.FRONT_DESK), site_a.client.pk) == []


def test_a_plan_without_sessions_starts_today(site_a, kb):
    plan_row(site_a, kb, sessions_planned=3, interval=28)
    desk = site_a.actor(Role.FRONT_DESK)
    seq = last_seq()
    assert appointments.suggestions(desk, site_a.client.pk) == [TODAY, date(2031, 7, 13), date(2031, 8, 10)]
    assert [summary(r) for r in rows_after(seq)] == [
        expected(desk, "read", "appointment_suggestions", client_id=site_a.client.pk)
    ]


def test_suggestions_follow_the_last_session_by_the_interval(site_a, kb):
    plan = plan_row(site_a, kb, sessions_planned=4, interval=30)
    session_row(site_a, kb, plan=plan, performed_at=NOW - timedelta(days=40))
    session_row(site_a, kb, plan=plan, performed_at=NOW - timedelta(days=10))
    found = appointments.suggestions(site_a.actor(Role.NURSE), site_a.client.pk)
    assert found == [TODAY + timedelta(days=20), TODAY + timedelta(days=50)]


def test_overdue_sessions_are_suggested_from_today(site_a, kb):
    plan = plan_row(site_a, kb, sessions_planned=3, interval=28)
    session_row(site_a, kb, plan=plan, performed_at=NOW - timedelta(days=60))
    assert appointments.suggestions(site_a.actor(Role.NURSE), site_a.client.pk) == [TODAY, TODAY + timedelta(days=28)]


def test_a_finished_plan_has_no_suggestions(site_a, kb):
    plan = plan_row(site_a, kb, sessions_planned=1, interval=28)
    session_row(site_a, kb, plan=plan, performed_at=NOW - timedelta(days=60))
    assert appointments.suggestions(site_a.actor(Role.NURSE), site_a.client.pk) == []


# --- booking ---


def test_the_front_desk_books_a_practitioner(site_a, kb):
    plan = plan_row(site_a, kb)
    desk = site_a.actor(Role.FRONT_DESK)
    seq = last_seq()
    appointment = book(site_a, at(TODAY, 14), 45)
    stored = Appointment.objects.get(pk=appointment.pk)
    assert (stored.clinic_id, stored.client_id, stored.plan_id) == (site_a.clinic.pk, site_a.client.pk, plan.pk)
    assert (stored.practitioner_id, stored.created_by_id) == (site_a.members[Role.NURSE].user_id, desk.user_id)
    assert (stored.starts_at, stored.minutes, stored.status) == (at(TODAY, 14), 45, "booked")
    assert stored.uid.endswith("@needlewise")
    assert len(stored.uid) == 43
    assert [summary(r) for r in rows_after(seq)] == [
        expected(desk, "create", "appointment", appointment.pk, client_id=site_a.client.pk)
    ]


def test_a_booking_too_soon_after_the_last_session_names_the_earliest_date(site_a, kb):
    plan = plan_row(site_a, kb, interval=28)
    session_row(site_a, kb, plan=plan, performed_at=NOW - timedelta(days=10))
    with pytest.raises(InvalidInputError) as refused:
        book(site_a, at(TODAY + timedelta(days=17), 10))
    assert refused.value.first.where == "starts_at"
    assert "the earliest date is 2031-07-03" in refused.value.first.message
    assert book(site_a, at(TODAY + timedelta(days=18), 10)).plan_id == plan.pk


def test_without_an_active_plan_any_future_time_can_be_booked(site_a, kb):
    session = session_row(site_a, kb, performed_at=NOW - timedelta(days=1))
    TreatmentPlan.objects.filter(pk=session.plan_id).update(status="closed")
    appointment = book(site_a, at(TODAY, 15))
    assert (appointment.plan_id, appointment.starts_at) == (None, at(TODAY, 15))


def test_overlapping_appointments_of_a_practitioner_are_refused(site_a):
    book(site_a, at(TODAY, 10), 60)
    for start, minutes in ((at(TODAY, 10, 30), 60), (at(TODAY, 9, 30), 60), (at(TODAY, 10, 15), 15)):
        with pytest.raises(ConflictError):
            book(site_a, start, minutes)
    assert book(site_a, at(TODAY, 11), 30).starts_at == at(TODAY, 11)  # right after
    assert book(site_a, at(TODAY, 9, 30), 30).starts_at == at(TODAY, 9, 30)  # right before
    assert book(site_a, at(TODAY, 10), 60, practitioner=Role.PROVIDER).minutes == 60  # someone else


def test_a_cancelled_appointment_frees_its_time(site_a):
    first = book(site_a, at(TODAY, 10))
    seq = last_seq()
    cancelled = changes.cancel(site_a.actor(Role.FRONT_DESK), first.pk)
    assert cancelled.status == "cancelled"
    assert [summary(r)[3:6] for r in rows_after(seq)] == [("cancel", "appointment", str(first.pk))]
    assert book(site_a, at(TODAY, 10)).pk != first.pk
    with pytest.raises(ConflictError):
        changes.cancel(site_a.actor(Role.FRONT_DESK), first.pk)


@pytest.mark.parametrize("practitioner", [Role.OWNER, Role.FRONT_DESK])
def test_only_treating_roles_are_booked(site_a, practitioner):
    with pytest.raises(InvalidInputError) as refused:
        book(site_a, at(TODAY, 10), practitioner=practitioner)
    assert refused.value.first.where == "practitioner"


def test_inactive_or_other_clinics_practitioners_are_refused(site_a, site_b):
    with pytest.raises(InvalidInputError):
        appointments.book(
            site_a.actor(Role.FRONT_DESK), site_a.client.pk, site_b.members[Role.NURSE].user_id, at(TODAY, 10), 60
        )
    User.objects.filter(pk=site_a.members[Role.NURSE].user_id).update(is_active=False)
    with pytest.raises(InvalidInputError):
        book(site_a, at(TODAY, 10))
    assert [p.user_id for p in appointments.practitioners(site_a.actor(Role.FRONT_DESK))] == [
        site_a.members[Role.AESTHETICIAN].user_id,
        site_a.members[Role.PROVIDER].user_id,
    ]


@pytest.mark.parametrize(
    ("when", "minutes", "practitioner", "wheres"),
    [
        (None, 60, Role.NURSE, ["starts_at"]),
        (datetime(2031, 6, 15, 10, 30), 60, Role.NURSE, ["starts_at"]),  # noqa: DTZ001 - 10:30 in Madrid: past
        (NOW - timedelta(minutes=1), 60, Role.NURSE, ["starts_at"]),
        (NOW + timedelta(hours=1), 10, Role.NURSE, ["minutes"]),
        (NOW + timedelta(hours=1), 481, Role.NURSE, ["minutes"]),
        (NOW + timedelta(hours=1), None, None, ["practitioner", "minutes"]),
    ],
)
def test_invalid_bookings_name_the_field(site_a, when, minutes, practitioner, wheres):
    with pytest.raises(InvalidInputError) as refused:
        book(site_a, when, minutes, practitioner=practitioner)
    assert [p.where for p in refused.value.problems] == wheres
    assert not Appointment.objects.exists()


def test_an_archived_client_is_not_booked(site_a):
    clients.set_archived(site_a.actor(Role.PROVIDER), site_a.client.pk, archived=True)
    with pytest.raises(ConflictError):
        book(site_a, at(TODAY, 10))


def test_scheduling_needs_a_clinic_role():
    robot = Actor.system("cron")
    with pytest.raises(NotAllowedError):
        days.day_list(robot, TODAY)
    with pytest.raises(NotAllowedError):
        appointments.practitioners(robot)


def test_another_clinics_clients_and_appointments_are_not_found(site_a, site_b):
    appointment = book(site_a, at(TODAY, 10))
    desk_b = site_b.actor(Role.FRONT_DESK)
    seq = last_seq()
    with pytest.raises(NotFoundError):
        appointments.suggestions(desk_b, site_a.client.pk)
    with pytest.raises(NotFoundError):
        appointments.book(desk_b, site_a.client.pk, site_b.members[Role.NURSE].user_id, at(TODAY, 12), 60)
    with pytest.raises(NotFoundError):
        changes.cancel(desk_b, appointment.pk)
    with pytest.raises(NotFoundError):
        appointments.ics(desk_b, appointment.pk)
    assert [summary(r)[3:6] for r in rows_after(seq)] == [
        ("not_found", "client", str(site_a.client.pk)),
        ("not_found", "client", str(site_a.client.pk)),
        ("not_found", "appointment", str(appointment.pk)),
        ("not_found", "appointment", str(appointment.pk)),
    ]
    assert all(not column.rows for column in days.day_list(desk_b, TODAY))
    assert Appointment.objects.get(pk=appointment.pk).status == "booked"


# --- day list ---


def test_the_day_list_shows_each_practitioners_appointments_with_the_plan_session_number(site_a, kb):
    plan = plan_row(site_a, kb, sessions_planned=4, interval=1)
    session_row(site_a, kb, plan=plan, performed_at=NOW - timedelta(days=3))
    other = clients.create(site_a.actor(Role.FRONT_DESK), client_form.ClientDetails("Ines", "Arbol", date(1980, 1, 2)))
    second = book(site_a, at(TODAY, 11))
    third = book(site_a, at(TODAY + timedelta(days=1), 11))
    walk_in = book(site_a, at(TODAY, 12), practitioner=Role.PROVIDER, client=other)
    cancelled = book(site_a, at(TODAY, 16))
    changes.cancel(site_a.actor(Role.FRONT_DESK), cancelled.pk)
    desk = site_a.actor(Role.FRONT_DESK)
    seq = last_seq()
    columns = days.day_list(desk, TODAY)
    names = [c.practitioner.name for c in columns]
    assert names == ["aesthetician alpha", "nurse alpha", "provider alpha"]
    by_name = {c.practitioner.name: c.rows for c in columns}
    assert by_name["aesthetician alpha"] == ()
    [row] = by_name["nurse alpha"]
    assert (row.appointment_id, row.client_name, row.session_number, row.sessions_planned) == (
        second.pk,
        "Zephyrine Quixotelle",
        2,
        4,
    )
    assert (row.starts_at, row.minutes) == (at(TODAY, 11), 60)
    [row] = by_name["provider alpha"]
    assert (row.appointment_id, row.client_name, row.session_number, row.sessions_planned) == (
        walk_in.pk,
        "Ines Arbol",
        None,
        None,
    )
    [row] = days.day_list(desk, TODAY + timedelta(days=1), site_a.members[Role.NURSE].user_id)[0].rows
    assert (row.appointment_id, row.session_number) == (third.pk, 3)
    assert [summary(r) for r in rows_after(seq)] == [expected(desk, "read", "appointment")] * 2
    assert rows_after(seq)[0].detail == {"day": "2031-06-15", "shown": [second.pk, walk_in.pk]}


def test_a_former_practitioner_still_shows_with_their_appointments(site_a):
    appointment = book(site_a, at(TODAY, 11))
    User.objects.filter(pk=site_a.members[Role.NURSE].user_id).update(is_active=False)
    columns = days.day_list(site_a.actor(Role.FRONT_DESK), TODAY)
    nurse = next(c for c in columns if c.practitioner.user_id == site_a.members[Role.NURSE].user_id)
    assert [r.appointment_id for r in nurse.rows] == [appointment.pk]


# --- calendar file ---


def test_the_calendar_file_has_the_times_on_the_clinic_s_clock_and_no_health_details(site_a, kb):
    plan_row(site_a, kb)
    appointment = book(site_a, at(TODAY, 14, 30), 45)
    desk = site_a.actor(Role.FRONT_DESK)
    seq = last_seq()
    ics = appointments.ics(desk, appointment.pk)
    assert [summary(r) for r in rows_after(seq)] == [
        expected(desk, "export", "appointment", appointment.pk, client_id=site_a.client.pk)
    ]
    fields = unfold(ics)
    assert (fields["BEGIN"], fields["END"], fields["VERSION"]) == ("VEVENT", "VCALENDAR", "2.0")
    assert fields["UID"] == appointment.uid
    assert (fields["DTSTART;TZID=Europe/Madrid"], fields["DTEND;TZID=Europe/Madrid"], fields["DTSTAMP"]) == (
        "20310615T163000",  # 14:30 UTC is 16:30 in Madrid in summer
        "20310615T171500",
        "20310615T090000Z",  # the time stamp stays in UTC (RFC 5545)
    )
    assert "TZID:Europe/Madrid" in ics.decode()
    assert fields["SUMMARY"] == "Microneedling session — Clinic Alpha"
    assert (fields["LOCATION"], fields["STATUS"]) == ("1 Main Street\\, Alphaville", "CONFIRMED")
    assert fields["DESCRIPTION"].startswith("Clinic Alpha\\nPhone / Teléfono: +34 (91) 555-05-")
    text = ics.decode()
    for private in ("Zephyrine", "Quixotelle", "texture", "cheeks", "hyaluronic", "screening", "home_ok"):
        assert private not in text
    changes.cancel(desk, appointment.pk)
    assert unfold(appointments.ics(desk, appointment.pk))["STATUS"] == "CANCELLED"


def test_the_calendar_file_parses_back_with_icalendar(site_a):
    appointment = book(site_a, at(TODAY, 14, 30), 45)
    calendar = icalendar.Calendar.from_ical(appointments.ics(site_a.actor(Role.FRONT_DESK), appointment.pk))
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == appointment.uid
    assert event.decoded("DTSTART") == at(TODAY, 14, 30)


def test_text_values_are_escaped_and_long_lines_folded_on_character_boundaries():
    summary_text = "Sesión; clínica, a\\b " + "ñ" * 100
    event = CalendarEvent("u@x", NOW, 30, summary_text, "Town", cancelled=False, stamp=NOW)
    ics = calendar_file(event)
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))
    assert b"Sesi\xc3\xb3n\\; cl\xc3\xadnica\\," in ics
    [parsed] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(parsed["SUMMARY"]) == summary_text


@pytest.mark.parametrize("zone", ["UTC", "", "Not/A_Zone"])
def test_a_clinic_on_utc_or_an_unknown_zone_gets_utc_times_and_no_vtimezone(zone):
    ics = calendar_file(CalendarEvent("u@x", NOW, 30, "Session", "Town", cancelled=False, stamp=NOW, time_zone=zone))
    fields = unfold(ics)
    assert (fields["DTSTART"], fields["DTEND"]) == ("20310615T090000Z", "20310615T093000Z")
    assert b"VTIMEZONE" not in ics
