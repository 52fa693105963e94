"""A home journal's calendar file (RFC 5545): the next reasonable session day and the device's replacement day.

All-day events (a person's calendar day, no clock, no zone), nothing about health beyond the words
the caller passes (already in the person's language): a title and a plain description of each event
("home session", "replace the device") that says to open the needlewise journal. Each event keeps its
UID across downloads (made from the journal's link, never showing it), so importing the file again
updates the events.

The journal's link is never in the file: it is the only key to the journal's health answers, and a
calendar is often synced to a third party (a mail provider, a phone's cloud), shared or shown on a
lock screen; the description says to open the journal, whose link the person kept. A paused journal
(or one whose latest skin check says to wait) has no next-session event and no note saying why
(that would be health information in the calendar): only the device's replacement day, which stays
true whatever the pause. The ``icalendar`` library writes it, as for the clinic's appointments.
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
    """The events' titles and descriptions, in the person's language."""

    next_session: str
    replace_device: str
    next_session_note: str
    replace_device_note: str


def _uid(token: str, what: str) -> str:
    return hashlib.sha256(f"journal-event:{digest(token)}:{what}".encode()).hexdigest()[:32] + "@needlewise"


def journal_calendar(view: JournalView, token: str, words: CalendarWords, stamp: datetime) -> bytes:
    """The ``.ics`` file of the journal behind ``token``: its next session and replacement days, if known."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    days: list[tuple[str, str, str, date]] = []
    if view.next_session_on is not None:
        days.append(("next-session", words.next_session, words.next_session_note, view.next_session_on))
    if view.replace_on is not None:
        days.append(("replace-device", words.replace_device, words.replace_device_note, view.replace_on))
    for what, summary, note, day in days:
        entry = Event()
        entry.add("uid", _uid(token, what))
        entry.add("dtstamp", stamp.astimezone(UTC))
        entry.add("dtstart", day)
        entry.add("dtend", day + timedelta(days=1))
        entry.add("summary", summary)
        entry.add("description", note)
        entry.add("transp", "TRANSPARENT")
        calendar.add_component(entry)
    data: bytes = calendar.to_ical()
    return data
