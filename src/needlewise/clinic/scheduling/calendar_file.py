"""One appointment as an iCalendar (RFC 5545) file: a single event, times in UTC, nothing about health.

The location is the clinic's address (its city when it has none); the description says how to reach it.

The ``icalendar`` library writes it (escaping, CRLF line ends, folding at 75 octets).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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


def calendar_file(event: CalendarEvent) -> bytes:
    """The ``.ics`` file of one event."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    entry = Event()
    entry.add("uid", event.uid)
    entry.add("dtstamp", event.stamp.astimezone(UTC))
    entry.add("dtstart", event.starts_at.astimezone(UTC))
    entry.add("dtend", (event.starts_at + timedelta(minutes=event.minutes)).astimezone(UTC))
    entry.add("summary", event.summary)
    entry.add("location", event.location)
    if event.description:
        entry.add("description", event.description)
    entry.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    calendar.add_component(entry)
    data: bytes = calendar.to_ical()
    return data
