"""A home journal's calendar file (RFC 5545): the next reasonable session day and the device's replacement day.

All-day events (a person's calendar day, no clock, no zone), nothing about health beyond the words
the caller passes (already in the person's language). Each event keeps its UID across downloads
(made from the journal's link, never showing it), so importing the file again updates the events.
The ``icalendar`` library writes it, as for the clinic's appointments.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from needlewise.services.journal_state import JournalView
from needlewise.services.saved_results import digest

PRODUCT_ID = "-//needlewise//home journal//EN"


@dataclass(frozen=True, slots=True)
class CalendarWords:
    """The events' titles, in the person's language."""

    next_session: str
    replace_device: str


def _uid(token: str, what: str) -> str:
    return hashlib.sha256(f"journal-event:{digest(token)}:{what}".encode()).hexdigest()[:32] + "@needlewise"


def journal_calendar(view: JournalView, token: str, words: CalendarWords, stamp: datetime) -> bytes:
    """The ``.ics`` file of the journal behind ``token``: its next session and replacement days, if known."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    days: list[tuple[str, str, date]] = []
    if view.next_session_on is not None:
        days.append(("next-session", words.next_session, view.next_session_on))
    if view.replace_on is not None:
        days.append(("replace-device", words.replace_device, view.replace_on))
    for what, summary, day in days:
        entry = Event()
        entry.add("uid", _uid(token, what))
        entry.add("dtstamp", stamp.astimezone(UTC))
        entry.add("dtstart", day)
        entry.add("dtend", day + timedelta(days=1))
        entry.add("summary", summary)
        entry.add("transp", "TRANSPARENT")
        calendar.add_component(entry)
    data: bytes = calendar.to_ical()
    return data
