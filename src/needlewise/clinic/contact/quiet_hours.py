"""Quiet hours: no SMS to a client between 21:00 and 08:00 on the clinic's wall clock.

A message asked for in quiet hours waits for 08:00 of the clinic's next morning (the same morning
after midnight). Red-flag alerts to staff are urgent and ignore quiet hours. The hours are read on the
wall clock, so they hold across daylight-saving changes: 08:00 is 07:00Z in a Madrid winter and
06:00Z in its summer.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from needlewise.clinic.local_time import ClinicClock

#: Quiet hours start at this wall-clock time ...
STARTS = time(21, 0)
#: ... and end at this one, the next morning.
ENDS = time(8, 0)


def quiet(instant: datetime, clock: ClinicClock) -> bool:
    """Whether ``instant`` falls in the clinic's quiet hours."""
    wall = clock.local(instant).time()
    return wall >= STARTS or wall < ENDS


def next_allowed(instant: datetime, clock: ClinicClock) -> datetime:
    """``instant`` itself outside quiet hours; otherwise the UTC instant quiet hours end (08:00 local)."""
    if not quiet(instant, clock):
        return instant
    day = clock.day_of(instant)
    if clock.local(instant).time() >= STARTS:
        day += timedelta(days=1)
    return clock.entered(day, ENDS).astimezone(UTC)
