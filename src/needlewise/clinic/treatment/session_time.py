"""When a session took place: entered in the clinic's time zone, stored in UTC, never in the future.

The form offers the clinic's "now"; a session recorded afterwards keeps the date and time it took
place, and a form that gives none (a use case called without the page) took place now
(:func:`local_now`). :func:`moment` turns what was typed into a UTC instant through the clinic's
clock (:mod:`needlewise.clinic.local_time`), or names the field that is wrong: empty, not a date or
time, a time the clocks skip, or later than now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from django.utils.translation import gettext_noop

from needlewise.clinic.local_time import ClinicClock
from needlewise.errors import InvalidInputError, Problem

DATE_FIELD = "performed_date"
TIME_FIELD = "performed_time"


@dataclass(frozen=True, slots=True)
class Performed:
    """The date and time typed on the form, in the clinic's time zone (None: empty or not a date or time)."""

    day: date | None
    at: time | None


def local_now(zone: tzinfo, now: datetime) -> Performed:
    """``now`` as the clinic's date and time."""
    here = now.astimezone(zone)
    return Performed(here.date(), here.time())


def moment(performed: Performed, zone: tzinfo, now: datetime, problems: list[Problem]) -> datetime | None:
    """The session's instant in UTC, or None with a problem added at each field that is wrong."""
    if performed.day is None:
        problems.append(Problem.worded(DATE_FIELD, gettext_noop("enter the date of the session as YYYY-MM-DD")))
    if performed.at is None:
        problems.append(Problem.worded(TIME_FIELD, gettext_noop("enter the time of the session as HH:MM (24-hour)")))
    if performed.day is None or performed.at is None:
        return None
    try:
        instant = ClinicClock(zone).entered(performed.day, performed.at, TIME_FIELD)
    except InvalidInputError as skipped:  # a time the clocks skip that day
        problems.extend(skipped.problems)
        return None
    here = now.astimezone(zone)
    if performed.day > here.date():
        today = here.date().isoformat()
        problems.append(
            Problem.worded(
                DATE_FIELD, gettext_noop("a session cannot be in the future: today is %(today)s"), today=today
            )
        )
        return None
    if instant > now:
        problems.append(
            Problem.worded(
                TIME_FIELD,
                gettext_noop("a session cannot be in the future: it is %(now)s now"),
                now=here.strftime("%H:%M"),
            )
        )
        return None
    return instant
