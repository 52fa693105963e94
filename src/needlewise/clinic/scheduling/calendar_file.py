"""One appointment as an iCalendar (RFC 5545) file: a single event on the clinic's clock, nothing about health.

The start and end are written in the clinic's IANA time zone (``DTSTART;TZID=Europe/Madrid:…T100000``)
with the VTIMEZONE that defines it (its rules from a year before the event to a year after), so a
calendar shows the clinic's wall-clock time and converts it correctly for a reader elsewhere; only
the second of a repeated wall-clock time (after the clocks go back) is written in UTC, since the
standard reads a repeated time as the first. The time stamp is UTC, as RFC 5545 requires. The
location is the clinic's address (its city when it has none); the description says how to reach it.

The ``icalendar`` library writes it (escaping, CRLF line ends, folding at 75 octets).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event

from needlewise.domain.contact import Contact

PRODUCT_ID = "-//needlewise//clinic schedule//EN"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """What a calendar file says about an appointment."""

    uid: str
    starts_at: datetime
    minutes: int
    summary: str
    location: str
    cancelled: bool
    stamp: datetime
    description: str = ""  # how to reach the clinic: phone, address, out of hours
    time_zone: str = "UTC"  # the clinic's IANA time zone, which the start and end are written in


def location(city: str, contact: Contact) -> str:
    """Where the appointment is: the clinic's address on one line, or its city when it has none."""
    address = ", ".join(line.strip() for line in contact.address.splitlines() if line.strip())
    return address or city


def reach(name: str, contact: Contact) -> str:
    """How to reach the clinic, in both languages: its phone and what to do out of hours."""
    lines = [name]
    if contact.phone.strip():
        lines.append(f"Phone / Teléfono: {contact.phone.strip()}")
    if contact.out_of_hours.strip():
        lines.append(f"Out of hours / Fuera de horario: {contact.out_of_hours.strip()}")
    return "\n".join(lines)


def _zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (checked when the clinic set it); UTC if Python does not know it."""
    try:
        return ZoneInfo(name.strip() or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _on_clock(instant: datetime, zone: ZoneInfo) -> datetime:
    """``instant`` on the clinic's clock; in UTC when it is the second of a wall-clock time the clocks repeat.

    RFC 5545 reads a repeated local time as its first occurrence, so the second (the hour after the
    clocks go back) can only be written exactly in UTC.
    """
    local = instant.astimezone(zone)
    return instant.astimezone(UTC) if local.fold else local


def calendar_file(event: CalendarEvent) -> bytes:
    """The ``.ics`` file of one event."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    zone = _zone(event.time_zone)
    starts = _on_clock(event.starts_at, zone)
    ends = _on_clock(event.starts_at + timedelta(minutes=event.minutes), zone)
    entry = Event()
    entry.add("uid", event.uid)
    entry.add("dtstamp", event.stamp.astimezone(UTC))
    entry.add("dtstart", starts)
    entry.add("dtend", ends)
    entry.add("summary", event.summary)
    entry.add("location", event.location)
    if event.description:
        entry.add("description", event.description)
    entry.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    calendar.add_component(entry)
    calendar.add_missing_timezones(first_date=date(starts.year - 1, 1, 1), last_date=date(ends.year + 1, 12, 31))
    data: bytes = calendar.to_ical()
    return data
