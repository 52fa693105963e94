"""The home companion journal's use cases: start one, read it, log sessions and the device, delete it.

A journal is kept behind an unguessable link, like a saved result: its secret is returned once and
only its SHA-256 digest is stored; the profile, the state and the optional e-mail address are sealed
at rest by the storage (:class:`~needlewise.services.ports.Journals`). No HTTP here: the JSON API and
the web pages call the same functions, with typed values (parse the request at the edge), and turn
the errors into statuses (``api/statuses.py``). The reminders that follow a journal's changes are
queued by the edges (:mod:`needlewise.messaging.journal_reminders`): they hold the link.

Signatures (``store`` is ``bootstrap.journals()``, ``kb`` ``bootstrap.knowledge_base()``, ``today``
the person's calendar day):

* ``start_journal(store, profile, kb, lang, email=None, *, time_zone=None) -> tuple[str, JournalView]``:
  the profile document (v2, or the deprecated v1; always read at home, whatever its setting); returns the
  secret token, shown once. ``ProfileError`` (``where`` under ``profile.``), ``InvalidInputError``
  (``email``, ``time_zone``).
* ``open_journal(store, token, kb, lang) -> JournalView``: ``NotFoundError`` for an unknown token;
  ``lang`` ``None`` is the journal's own language (as for the other use cases taking ``lang | None``).
* ``log_session(store, token, entry, kb, lang, today) -> JournalView``: records a
  :class:`~needlewise.services.journal_entries.SessionEntry` (also one that came too soon: it
  happened, and its findings say so) and counts a use of the device. ``InvalidInputError`` naming
  ``on`` (after today, or before 2000) or ``areas`` (none); ``ConflictError`` when the journal is full.
* ``record_device(store, token, device, kb, lang, today) -> JournalView``: records a
  :class:`~needlewise.services.journal_entries.DeviceEntry` (a new one replaces the old).
  ``InvalidInputError`` naming ``bought_on`` (after today, or before 2000).
* ``change_email(store, token, email, kb, lang, *, time_zone=None) -> JournalView``: reminders go to
  ``email`` from now on; ``None`` forgets the address (no reminders). ``time_zone``, an IANA name,
  becomes the zone whose 09:00 they go at (``None`` keeps the journal's; a journal that never chose
  one uses UTC). ``InvalidInputError`` (``email``, ``time_zone``).
* ``delete_journal(store, token) -> bool``: deletes the journal and everything in it.

:class:`~needlewise.services.journal_state.JournalView` holds what the engine decides (findings in
the assessment's finding shape, ``next_session_on``, ``replace_on``, ``pause``); ``to_json()`` is
the API's state; :mod:`needlewise.services.journal_calendar` writes its calendar file;
:mod:`needlewise.services.journal_checks` has the skin check and "things changed".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from needlewise.domain.json_types import JsonValue
from needlewise.domain.profile import Profile
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, ConflictError, InvalidInputError, NotFoundError, Problem, ProfileError
from needlewise.services.journal_entries import DeviceEntry, SessionEntry
from needlewise.services.journal_state import JournalView, journal_view
from needlewise.services.ports import JournalRecord, Journals
from needlewise.services.profiles import parse_profile
from needlewise.services.saved_results import digest, new_token
from needlewise.services.time_zones import valid_time_zone

MAX_EMAIL = 254
EARLIEST = date(2000, 1, 1)  # no session or device day before it: a typed year, never a plausible journal's
MAX_SESSIONS = 500  # one sealed row per journal: years of weekly sessions, and a bounded read
# Spelled out (no \s): the API's schema checks the same pattern, in another regex engine.
EMAIL = re.compile(r"^[^@ \t\r\n]{1,64}@[^@ \t\r\n]+\.[^@ \t\r\n]+$")


def parsed_profile(document: dict[str, JsonValue]) -> Profile:
    """``document`` as the journal reads it (at home); ``ProfileError`` with each problem under ``profile``."""
    try:
        profile = parse_profile(document)
    except ProfileError as error:
        problems = [
            replace(p, where=f"profile.{p.where}" if p.where != "(input)" else "profile") for p in error.problems
        ]
        raise ProfileError(problems) from error
    return _at_home(profile)


def _at_home(profile: Profile) -> Profile:
    """The journal is for sessions at home: it reads the profile at home, whatever setting it names."""
    return replace(profile, setting=Setting.HOME)


def check_email(email: str | None) -> None:
    """``InvalidInputError`` naming ``email`` unless it is ``None`` or looks like an e-mail address."""
    if email is not None and (len(email) > MAX_EMAIL or not EMAIL.fullmatch(email)):
        raise InvalidInputError([Problem("email", N_("Enter a valid e-mail address, or leave it out."))])


def check_time_zone(time_zone: str | None) -> None:
    """``InvalidInputError`` naming ``time_zone`` unless it is ``None`` or an IANA time zone name."""
    if time_zone is not None and not valid_time_zone(time_zone):
        raise InvalidInputError([Problem("time_zone", N_("Choose a time zone from the list, such as Europe/Madrid."))])


def start_journal(  # noqa: PLR0913 - the store, the profile, the knowledge base and the reminders' three
    store: Journals,
    profile: dict[str, JsonValue],
    kb: KnowledgeBase,
    lang: Lang,
    email: str | None = None,
    *,
    time_zone: str | None = None,
) -> tuple[str, JournalView]:
    """Start a journal for ``profile``; the secret token for its link (shown once) and its view."""
    parsed = parsed_profile(profile)
    check_email(email)
    check_time_zone(time_zone)
    token = new_token()
    state: dict[str, JsonValue] = {"sessions": [], "device": None}
    record = JournalRecord(digest(token), lang.value, profile, state, email, time_zone=time_zone)
    store.add(record)
    view = journal_view(kb, parsed, profile, record.state, lang)
    return token, replace(view, reminders=email is not None, time_zone=time_zone)


def find_record(store: Journals, token: str) -> JournalRecord:
    """The stored journal behind ``token``: ``NotFoundError`` (``key``) if there is none."""
    record = store.get(digest(token))
    if record is None:
        raise NotFoundError([Problem("key", N_("No journal has this link; it may have been deleted."))])
    return record


def stored_view(record: JournalRecord, kb: KnowledgeBase, lang: Lang | None) -> JournalView:
    """The view of a stored journal, in ``lang`` (None: the journal's own)."""
    language = lang or Lang(record.lang)
    profile = _at_home(parse_profile(record.profile))
    view = journal_view(kb, profile, record.profile, record.state, language, created_at=record.created_at)
    return replace(view, reminders=record.email is not None, time_zone=record.time_zone)


def open_journal(store: Journals, token: str, kb: KnowledgeBase, lang: Lang | None) -> JournalView:
    """The journal behind ``token``, decided with today's knowledge base, in ``lang`` (None: the journal's)."""
    return stored_view(find_record(store, token), kb, lang)


def _changed(store: Journals, token: str, update: Callable[[JournalRecord], JournalRecord]) -> JournalRecord:
    changed = store.change(digest(token), update)
    if changed is None:
        raise NotFoundError([Problem("key", N_("No journal has this link; it may have been deleted."))])
    return changed


def log_session(  # noqa: PLR0913, PLR0917 - the journal, the entry, the knowledge base, the language, the day
    store: Journals, token: str, entry: SessionEntry, kb: KnowledgeBase, lang: Lang | None, today: date
) -> JournalView:
    """Record ``entry`` (also one that came too soon) and count a use of the device; the journal's view."""

    def add(record: JournalRecord) -> JournalRecord:
        if entry.on > today:
            raise InvalidInputError([Problem("on", N_("A session cannot be logged for a day after today."))])
        if entry.on < EARLIEST:
            raise InvalidInputError([Problem("on", N_("A session cannot be logged for a day before 1 January 2000."))])
        if not entry.areas:
            raise InvalidInputError([Problem("areas", N_("Choose at least one area you treated."))])
        sessions = list(record.state.get("sessions") or [])  # type: ignore[arg-type]
        if len(sessions) >= MAX_SESSIONS:
            raise ConflictError([Problem("on", N_("This journal is full: start a new one."))])
        state = {**record.state, "sessions": [*sessions, entry.to_json()]}
        device = record.state.get("device")
        if isinstance(device, dict):
            counted = DeviceEntry.from_json(device)
            if counted.bought_on is None or counted.bought_on <= entry.on:
                state["device"] = replace(counted, uses=counted.uses + 1).to_json()
        return replace(record, state=state)

    return stored_view(_changed(store, token, add), kb, lang)


def record_device(  # noqa: PLR0913, PLR0917 - the journal, the device, the knowledge base, the language, the day
    store: Journals, token: str, device: DeviceEntry, kb: KnowledgeBase, lang: Lang | None, today: date
) -> JournalView:
    """Record the person's device (a new one replaces the old); the journal's view."""

    def put(record: JournalRecord) -> JournalRecord:
        if device.bought_on is not None and device.bought_on > today:
            raise InvalidInputError([Problem("bought_on", N_("The day it was bought cannot be after today."))])
        if device.bought_on is not None and device.bought_on < EARLIEST:
            raise InvalidInputError(
                [Problem("bought_on", N_("The day it was bought cannot be before 1 January 2000."))]
            )
        return replace(record, state={**record.state, "device": device.to_json()})

    return stored_view(_changed(store, token, put), kb, lang)


def change_email(  # noqa: PLR0913 - the journal, the address, the knowledge base, the language, the zone
    store: Journals,
    token: str,
    email: str | None,
    kb: KnowledgeBase,
    lang: Lang | None,
    *,
    time_zone: str | None = None,
) -> JournalView:
    """Send reminders to ``email`` from now on (``None``: none, the address forgotten); the journal's view.

    ``time_zone`` (an IANA name) is the zone whose 09:00 they go at from now on; ``None`` keeps the journal's.
    """
    check_email(email)
    check_time_zone(time_zone)
    if not store.set_email(digest(token), email, time_zone):
        raise NotFoundError([Problem("key", N_("No journal has this link; it may have been deleted."))])
    return open_journal(store, token, kb, lang)


def delete_journal(store: Journals, token: str) -> bool:
    """Delete the journal behind ``token`` and everything in it; whether there was one."""
    return store.delete(digest(token))
