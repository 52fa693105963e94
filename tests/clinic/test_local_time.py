"""The clinic's clock: its day, and wall-clock times read in its zone across both changes of the clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from needlewise.clinic.accounts.staff import member_actor
from needlewise.clinic.local_time import SKIPPED, ClinicClock, clock_of
from needlewise.domain.permissions import Role
from needlewise.errors import InvalidInputError

MADRID = ClinicClock.named("Europe/Madrid")
NEW_YORK = ClinicClock.named("America/New_York")
SPRING_FORWARD = date(2031, 3, 30)  # last Sunday of March: Madrid goes from 02:00 CET to 03:00 CEST
FALL_BACK = date(2031, 10, 26)  # last Sunday of October: Madrid goes from 03:00 CEST back to 02:00 CET


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2031, 12, 15), utc(2031, 12, 15, 9, 0)),  # winter: CET, UTC+1
        (date(2031, 7, 15), utc(2031, 7, 15, 8, 0)),  # summer: CEST, UTC+2
    ],
)
def test_ten_in_madrid_is_nine_or_eight_utc(day, expected):
    assert MADRID.entered(day, time(10, 0)) == expected
    assert MADRID.local(expected).strftime("%H:%M") == "10:00"


@pytest.mark.parametrize("skipped", [time(2, 0), time(2, 30), time(2, 59)])
def test_a_time_the_clocks_skip_is_refused_clearly(skipped):
    with pytest.raises(InvalidInputError) as refused:
        MADRID.entered(SPRING_FORWARD, skipped, where="date")
    [problem] = refused.value.problems
    assert (problem.where, problem.template) == ("date", SKIPPED)
    assert problem.message == (
        f"There is no {skipped:%H:%M} on 2031-03-30 in Europe/Madrid: the clocks go forward that night. "
        "Choose another time."
    )


def test_the_minutes_around_the_skipped_hour_exist():
    assert MADRID.entered(SPRING_FORWARD, time(1, 59)) == utc(2031, 3, 30, 0, 59)
    assert MADRID.entered(SPRING_FORWARD, time(3, 0)) == utc(2031, 3, 30, 1, 0)


def test_a_time_the_clocks_repeat_is_the_first_of_the_two_still_on_summer_time():
    first = MADRID.entered(FALL_BACK, time(2, 30))
    assert first == utc(2031, 10, 26, 0, 30)
    assert MADRID.local(first).strftime("%H:%M %Z") == "02:30 CEST"
    assert MADRID.local(first + timedelta(hours=1)).strftime("%H:%M %Z") == "02:30 CET"  # the second one
    assert MADRID.entered(FALL_BACK, time(3, 0)) == utc(2031, 10, 26, 2, 0)


def test_the_days_the_clocks_change_are_23_and_25_hours_long():
    start, end = MADRID.day_bounds(SPRING_FORWARD)
    assert (start, end - start) == (utc(2031, 3, 29, 23, 0), timedelta(hours=23))
    start, end = MADRID.day_bounds(FALL_BACK)
    assert (start, end - start) == (utc(2031, 10, 25, 22, 0), timedelta(hours=25))


def test_a_day_whose_midnight_is_skipped_starts_at_its_first_minute():
    santiago = ClinicClock.named("America/Santiago")  # 2031-09-07: 00:00 -04 becomes 01:00 -03
    start = santiago.day_start(date(2031, 9, 7))
    assert start == utc(2031, 9, 7, 4, 0)
    assert santiago.local(start).strftime("%Y-%m-%d %H:%M") == "2031-09-07 01:00"


def test_west_of_utc_the_evening_is_still_the_clinic_s_day():
    evening = NEW_YORK.entered(date(2031, 1, 5), time(23, 30))
    assert evening == utc(2031, 1, 6, 4, 30)
    assert NEW_YORK.day_of(evening) == date(2031, 1, 5)
    assert MADRID.day_of(evening) == date(2031, 1, 6)


def test_today_is_the_clinic_s_calendar_day():
    with time_machine.travel(utc(2031, 1, 6, 3, 0), tick=False):
        assert NEW_YORK.today() == date(2031, 1, 5)
        assert MADRID.today() == date(2031, 1, 6)
        assert NEW_YORK.now().strftime("%Y-%m-%d %H:%M %Z") == "2031-01-05 22:00 EST"


def test_a_time_with_an_offset_is_that_instant_and_one_without_is_on_the_clinic_s_clock():
    with_offset = datetime.fromisoformat("2031-07-15T10:00:00+05:00")
    assert MADRID.read(with_offset) == utc(2031, 7, 15, 5, 0)
    assert MADRID.read(datetime.fromisoformat("2031-07-15T10:00:00")) == utc(2031, 7, 15, 8, 0)
    with pytest.raises(InvalidInputError):
        MADRID.read(datetime.fromisoformat("2031-03-30T02:30:00"))


@pytest.mark.parametrize("name", ["", "Mars/Olympus_Mons", "../etc/passwd"])
def test_a_zone_python_does_not_know_is_utc(name):
    clock = ClinicClock.named(name)
    assert clock.name == "UTC"
    assert clock.entered(date(2031, 7, 15), time(10, 0)) == utc(2031, 7, 15, 10, 0)


@pytest.mark.django_db
def test_a_clinic_s_clock_is_read_from_its_row(site_a):
    site_a.clinic.time_zone = "America/New_York"
    site_a.clinic.save(update_fields=["time_zone"])
    assert clock_of(site_a.clinic.pk).name == "America/New_York"
    assert clock_of(site_a.clinic.pk + 1000).name == "UTC"


@pytest.mark.django_db
def test_an_actor_s_clock_is_the_zone_read_with_their_membership_else_the_clinic_s_row(
    site_a, django_assert_num_queries
):
    site_a.clinic.time_zone = "America/New_York"
    site_a.clinic.save(update_fields=["time_zone"])
    member = site_a.members[Role.NURSE]
    with django_assert_num_queries(0):  # a request's actor: the zone came with the membership
        assert (
            clock_of(member.clinic_id, member_actor(member, time_zone="Europe/Madrid").time_zone).name
            == "Europe/Madrid"
        )
    with django_assert_num_queries(1):  # an actor made without it (a command, a test): the row is read
        assert clock_of(member.clinic_id, member_actor(member).time_zone).name == "America/New_York"
