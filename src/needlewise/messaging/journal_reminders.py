"""A home journal's reminder e-mails: the earliest day of the next session, and the day to replace the device.

A journal with an e-mail address gets one reminder for each of these days that it knows and that is
still to come, due at 09:00 on that day on the person's own wall clock (:data:`SEND_AT` in the
journal's time zone, :func:`due`; a journal whose person never chose a zone keeps UTC; the day is
always written in the e-mail). Each says only the day, the journal's private link and how to stop the reminders, in the
journal's language: never the areas, the products or the findings. The next session's reminder says
the day is the earliest, not a recommendation.

Each reminder's key is ``journal_reminder:<ref>:<kind>:<day>``, ``<ref>`` a hash of the journal's
digest (the queue's table never holds the digest itself): :func:`follow` brings the queue in line with
the journal after each change (a new session or device moves the reminder: the one of the old day is
cancelled, that of the new day queued or replaced; a new time zone replaces each waiting one with its
new due time; a day that is past, a paused journal, or no address cancels it). A new key for a new day
keeps every ``Message-ID`` for one message only.

The stop link (:func:`stop_token`, signed with its own salt and no expiry, like a client's
unsubscribe link) names the journal by its digest; :func:`stop` forgets the address and cancels the
reminders still waiting, so none is queued again until the person gives an address again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core import signing
from django.db import transaction
from django.utils import timezone, translation
from django.utils.dates import MONTHS, WEEKDAYS

from needlewise.clinic.contact.client_notes import DAY
from needlewise.errors import N_, NotFoundError, Problem
from needlewise.messaging import outbox
from needlewise.services.journal_state import JournalView
from needlewise.services.ports import OutboundMessage
from needlewise.services.saved_results import digest
from needlewise.storage.models import Journal

PURPOSE = "journal_reminder"
#: Keeps these signatures apart from the site's other signed values.
SALT = "needlewise.journal.reminders"
#: When a reminder is due on its day, on the wall clock of the journal's time zone (UTC if none was chosen).
SEND_AT = time(9, 0)
NEXT_SESSION = "next_session"
REPLACE_DEVICE = "replace_device"

SUBJECTS = {
    NEXT_SESSION: N_("Your home journal: the earliest day for your next session"),
    REPLACE_DEVICE: N_("Your home journal: time to replace your device"),
}
LINES = {
    NEXT_SESSION: N_(
        "You may do your next session from %(date)s. That is the earliest day, not a recommendation: "
        "there is no need to have one then."
    ),
    REPLACE_DEVICE: N_("Your device is due to be replaced from %(date)s."),
}
OPEN = N_("Open your journal before your next session (keep this link private):")
STOP = N_("To stop these reminders, open this link:")


@dataclass(frozen=True, slots=True)
class Links:
    """The journal's private link and its stop-reminders link, absolute, made at the edge."""

    journal: str
    stop: str


def stop_token(token_digest: str) -> str:
    """The signed, URL-safe token of the stop-reminders link of the journal with ``token_digest``."""
    return signing.dumps(token_digest, salt=SALT, compress=False)


def _read(text: str) -> str:
    try:
        value = signing.loads(text, salt=SALT)
    except signing.BadSignature:
        value = None
    if isinstance(value, str):
        return value
    raise NotFoundError([Problem("token", N_("this link is not valid"))])


def key_prefix(token_digest: str, kind: str = "") -> str:
    """The start of the keys of the journal's reminders (of ``kind``, if given): no digest, a hash of it."""
    ref = hashlib.sha256(f"journal-reminder:{token_digest}".encode()).hexdigest()[:32]
    return f"{PURPOSE}:{ref}:" + (f"{kind}:" if kind else "")


def due(day: date, zone: str = "UTC") -> datetime:
    """When the reminder of ``day`` goes, in UTC: :data:`SEND_AT` on that day's wall clock in ``zone`` (IANA).

    A wall-clock time the day has twice (clocks going back) is its first; one the clocks skip (going
    forward past 09:00, or a whole skipped day) is the first moment after it that the clock shows.
    """
    wall = datetime.combine(day, SEND_AT, tzinfo=ZoneInfo(zone))
    early, late = wall.replace(fold=1).astimezone(UTC), wall.astimezone(UTC)  # two instants only in a gap
    if early >= late:  # an ordinary time (equal), or one the day has twice (fold 0 is the first)
        return late
    while late - early > timedelta(seconds=1):  # in a gap: find the moment the clocks jump, to the second
        middle = early + (late - early) / 2
        if middle.astimezone(wall.tzinfo).replace(tzinfo=None) >= wall.replace(tzinfo=None):
            late = middle
        else:
            early = middle
    return late.replace(microsecond=0)


def _day(day: date) -> str:
    words = {"weekday": WEEKDAYS[day.weekday()], "day": day.day, "month": MONTHS[day.month], "year": day.year}
    return translation.gettext(DAY) % {k: str(v) for k, v in words.items()}


def words(kind: str, day: date, lang: str, links: Links) -> tuple[str, str]:
    """The reminder's subject and text in ``lang``: the day, the links, nothing about health."""
    with translation.override(lang):
        lines = [
            translation.gettext(LINES[kind]) % {"date": _day(day)},
            "",
            translation.gettext(OPEN),
            links.journal,
            "",
            "--",
            translation.gettext(STOP),
            links.stop,
        ]
        return translation.gettext(SUBJECTS[kind]), "\n".join(lines) + "\n"


def _days(view: JournalView) -> dict[str, date | None]:
    return {NEXT_SESSION: view.next_session_on, REPLACE_DEVICE: view.replace_on}


def follow(token: str, view: JournalView, links: Links) -> dict[str, str | None]:
    """Bring the journal's reminders in line with ``view`` (just written); the day each kind is reminded of.

    Run in the transaction of the change where there is one. A journal without an address has no
    reminder waiting (taking the address away cancels them: :func:`forget`), so nothing is read or
    written. For a day that is unknown or whose reminder time has passed, the kind's waiting reminder
    is cancelled.
    """
    if not view.reminders:
        return dict.fromkeys(_days(view))
    token_digest = digest(token)
    row = Journal.objects.filter(token_digest=token_digest).values_list("lang", "email", "time_zone").first()
    lang, email, zone = row if row is not None else ("en", "", "")  # deleted meanwhile: nothing to remind of
    now, planned = timezone.now(), dict[str, str | None]()
    for kind, day in _days(view).items():
        prefix = key_prefix(token_digest, kind)
        if not email or day is None or due(day, zone or "UTC") <= now:
            outbox.cancel(prefix, "no reminder", prefix=True)
            planned[kind] = None
            continue
        key = f"{prefix}{day.isoformat()}"
        outbox.cancel(prefix, "moved", prefix=True, keep=key)
        subject, text = words(kind, day, lang, links)
        outbox.put(
            OutboundMessage(
                (email,),
                subject,
                text,
                purpose=PURPOSE,
                key=key,
                not_before=due(day, zone or "UTC"),
                unsubscribe_url=links.stop,
            )
        )
        planned[kind] = day.isoformat()
    return planned


def forget(token: str, reason: str) -> int:
    """Cancel every reminder of the journal behind ``token`` still waiting (``reason``: ``journal deleted``...)."""
    return outbox.cancel(key_prefix(digest(token)), reason, prefix=True)


@dataclass(frozen=True, slots=True)
class Stopping:
    """What a stop link names: the journal's language, and whether its reminders are on."""

    lang: str
    on: bool


def _found(text: str) -> tuple[str, Stopping]:
    token_digest = _read(text)
    row = Journal.objects.filter(token_digest=token_digest).values_list("lang", "email").first()
    if row is None:  # the journal was deleted: nothing to stop
        raise NotFoundError([Problem("token", N_("this link is not valid"))])
    return token_digest, Stopping(row[0], bool(row[1]))


def open_stop(text: str) -> Stopping:
    """The journal a stop link names (nothing changes: mail scanners follow links). ``NotFoundError`` if none."""
    return _found(text)[1]


def stop(text: str) -> Stopping:
    """Stop the reminders of the journal a stop link names: the address forgotten, waiting reminders cancelled."""
    with transaction.atomic():
        token_digest, found = _found(text)
        Journal.objects.filter(token_digest=token_digest).update(email="")
        outbox.cancel(key_prefix(token_digest), "reminders stopped", prefix=True)
    return Stopping(found.lang, on=False)
