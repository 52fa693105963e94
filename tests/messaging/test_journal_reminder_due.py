"""When a home journal's reminder is due: 09:00 on the person's own wall clock on its day, in UTC.

Fixed days for the clocks going forward and back (in Europe and in the Americas), zones far from UTC on
both sides, and a day the clocks skipped whole (Samoa, 30 December 2011); then a property over every
zone and day: the instant shows 09:00 on that zone's clock on that day, or, where the clocks jump over
09:00, it is the first moment after the jump.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needlewise.messaging.journal_reminders import SEND_AT, due
from needlewise.services.time_zones import REGIONS, place_of, time_zone_names, valid_time_zone, zone_choices


@pytest.mark.parametrize(
    ("day", "zone", "expected"),
    [
        (date(2026, 12, 9), "UTC", datetime(2026, 12, 9, 9, 0, tzinfo=UTC)),
        (date(2026, 12, 9), "America/Los_Angeles", datetime(2026, 12, 9, 17, 0, tzinfo=UTC)),  # 09:00 PST, not 01:00
        (date(2026, 3, 8), "America/Los_Angeles", datetime(2026, 3, 8, 16, 0, tzinfo=UTC)),  # spring forward: PDT
        (date(2026, 3, 7), "America/Los_Angeles", datetime(2026, 3, 7, 17, 0, tzinfo=UTC)),  # the day before: PST
        (date(2026, 11, 1), "America/Los_Angeles", datetime(2026, 11, 1, 17, 0, tzinfo=UTC)),  # fall back: PST
        (date(2026, 10, 31), "America/Los_Angeles", datetime(2026, 10, 31, 16, 0, tzinfo=UTC)),
        (date(2026, 3, 29), "Europe/Madrid", datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),  # spring forward: CEST
        (date(2026, 10, 25), "Europe/Madrid", datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),  # fall back: CET
        (date(2026, 12, 9), "Pacific/Kiritimati", datetime(2026, 12, 8, 19, 0, tzinfo=UTC)),  # UTC+14: the day before
        (date(2026, 12, 9), "Pacific/Pago_Pago", datetime(2026, 12, 9, 20, 0, tzinfo=UTC)),  # UTC-11
        (date(2026, 12, 9), "Asia/Kolkata", datetime(2026, 12, 9, 3, 30, tzinfo=UTC)),  # a half-hour zone
        (date(2026, 4, 5), "Australia/Sydney", datetime(2026, 4, 4, 23, 0, tzinfo=UTC)),  # the southern fall back
    ],
)
def test_the_reminder_is_due_at_nine_on_the_local_clock(day: date, zone: str, expected: datetime) -> None:
    assert due(day, zone) == expected
    assert due(day, zone).astimezone(ZoneInfo(zone)).time() == SEND_AT


def test_a_day_the_clocks_skipped_is_reminded_at_the_first_moment_after_the_jump() -> None:
    skipped = due(date(2011, 12, 30), "Pacific/Apia")  # Samoa went from 29 December 23:59:59 to 31 December 00:00
    assert skipped == datetime(2011, 12, 30, 10, 0, tzinfo=UTC)
    apia = ZoneInfo("Pacific/Apia")
    assert skipped.astimezone(apia) == datetime(2011, 12, 31, 0, 0, tzinfo=apia)
    assert skipped - timedelta(seconds=1) < due(date(2011, 12, 31), "Pacific/Apia")


def test_without_a_zone_the_reminder_keeps_nine_utc() -> None:
    assert due(date(2026, 12, 9)) == datetime(2026, 12, 9, 9, 0, tzinfo=UTC)


ZONES = time_zone_names()  # the list's and the others the API accepts (US/Pacific, Etc/GMT+12 ...)


@settings(max_examples=400, deadline=None)
@given(day=st.dates(date(1970, 1, 1), date(2060, 12, 31)), zone=st.sampled_from(ZONES))
def test_the_due_instant_shows_nine_on_that_days_clock_or_is_the_first_moment_after_a_jump(
    day: date, zone: str
) -> None:
    here = ZoneInfo(zone)
    instant = due(day, zone)
    assert instant.tzinfo is UTC
    wall = instant.astimezone(here).replace(tzinfo=None)
    nine = datetime.combine(day, SEND_AT)
    if wall != nine:  # only where the clocks skip 09:00: the clock jumped over it at this very instant
        before = (instant - timedelta(seconds=1)).astimezone(here).replace(tzinfo=None)
        assert before < nine < wall
    else:  # and never the later of two 09:00s on a day that has it twice
        earlier = datetime.combine(day, SEND_AT, tzinfo=here).astimezone(UTC)
        assert instant == earlier


def test_the_list_offers_readable_places_by_region_and_every_name_is_valid() -> None:
    regions = zone_choices()
    assert [r.label for r in regions] == list(REGIONS.values())
    names = [z.name for r in regions for z in r.zones]
    assert "America/Los_Angeles" in names
    assert "Europe/Madrid" in names
    assert not any(n.startswith(("Etc/", "US/")) for n in names)
    assert all(valid_time_zone(n) for n in names)
    america = next(r for r in regions if r.label == "America")
    places = [z.place for z in america.zones]
    assert places == sorted(places)
    assert place_of("America/Argentina/Buenos_Aires") == "Argentina, Buenos Aires"
    assert place_of("UTC") == "UTC"
    assert valid_time_zone("US/Pacific")
    assert not valid_time_zone("Mars/Olympus")
    assert not valid_time_zone("localtime")  # the server's own zone, whatever it is
    assert "Factory" not in time_zone_names()
    assert not valid_time_zone("../etc/passwd")
