"""The clinic's clock: its time zone, its calendar day, and the times people enter, read in it.

Every time is stored in UTC; a clinic's staff enter and read times in the clinic's IANA time zone
(``Clinic.time_zone``, checked when it is set). This module is the one place that converts:

- :meth:`ClinicClock.today` and :meth:`ClinicClock.day_of` give the clinic's calendar day (day lists,
  "not before" dates, check-in days, screening validity);
- :meth:`ClinicClock.day_bounds` gives the UTC instants a clinic day starts and ends at (23 or 25
  hours long on the days the clocks change);
- :meth:`ClinicClock.entered` reads a wall-clock time a person typed. A time that does not exist
  (the hour skipped when the clocks go forward, 02:30 in Madrid on the last Sunday of March) is
  refused with a problem that says so. A time that happens twice (the hour repeated when the clocks
  go back, 02:30 in Madrid on the last Sunday of October) is read as the **first** of the two, still
  on summer time (``fold=0``: 02:30 CEST = 00:30 UTC), the earlier instant;
- :meth:`ClinicClock.local` turns a stored instant into the clinic's wall-clock time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_noop

from needlewise.errors import InvalidInputError, Problem
from needlewise.services.time_zones import zone_named
from needlewise.storage.models import Clinic

TIME_ZONE = "SELECT time_zone FROM clinic WHERE id = %s"
SKIPPED = gettext_noop(
    "There is no %(time)s on %(date)s in %(zone)s: the clocks go forward that night. Choose another time."
)
"""The problem's English template for a wall-clock time the clocks skip (translated at the edge)."""


@dataclass(frozen=True, slots=True)
class ClinicClock:
    """A clinic's time zone and what follows from it: its day, and wall-clock times read in it."""

    zone: tzinfo

    @classmethod
    def named(cls, name: str) -> ClinicClock:
        """The clock of the zone called ``name`` (UTC for a name Python does not know)."""
        return cls(zone_named(name))

    @property
    def name(self) -> str:
        """The zone's IANA name (``UTC`` for UTC)."""
        return str(self.zone)

    def now(self) -> datetime:
        """The current time on the clinic's wall clock."""
        return timezone.now().astimezone(self.zone)

    def local(self, instant: datetime) -> datetime:
        """A stored (aware) instant on the clinic's wall clock."""
        return instant.astimezone(self.zone)

    def day_of(self, instant: datetime) -> date:
        """The clinic's calendar day at ``instant``."""
        return self.local(instant).date()

    def today(self) -> date:
        """The clinic's calendar day now."""
        return self.day_of(timezone.now())

    def day_start(self, day: date) -> datetime:
        """The UTC instant the clinic's ``day`` starts (its first wall-clock minute, even where midnight is skipped)."""
        return datetime.combine(day, time.min, tzinfo=self.zone).astimezone(UTC)

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The UTC instants the clinic's ``day`` starts and the next one starts."""
        return self.day_start(day), self.day_start(day + timedelta(days=1))

    def entered(self, day: date, at: time, where: str = "starts_at") -> datetime:
        """The UTC instant of wall-clock ``at`` on ``day`` in the clinic (see the module for DST choices).

        Raises :class:`InvalidInputError` at ``where`` for a time the clocks skip that day.
        """
        wall = datetime.combine(day, at.replace(tzinfo=None, fold=0))
        instant = wall.replace(tzinfo=self.zone).astimezone(UTC)
        if instant.astimezone(self.zone).replace(tzinfo=None) != wall:
            raise InvalidInputError(
                [Problem.worded(where, SKIPPED, time=at.strftime("%H:%M"), date=day.isoformat(), zone=self.name)]
            )
        return instant

    def read(self, value: datetime, where: str = "starts_at") -> datetime:
        """A time as given: with an offset, that instant; without one, read on the clinic's wall clock."""
        if timezone.is_aware(value):
            return value.astimezone(UTC)
        return self.entered(value.date(), value.time(), where)


def clock_of(clinic_id: int, zone: str = "") -> ClinicClock:
    """The clock of a clinic (one query); UTC for a clinic that does not exist.

    ``zone`` is the clinic's zone when the caller has it already (an actor's ``time_zone``, read with a
    request's membership): then no row is read.
    """
    if zone:
        return ClinicClock.named(zone)
    with connections[router.db_for_read(Clinic)].cursor() as cursor:  # a fixed statement: every clinic page reads it
        cursor.execute(TIME_ZONE, [clinic_id])
        row = cursor.fetchone()
    return ClinicClock.named(row[0] if row else "UTC")
