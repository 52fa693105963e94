"""One's own signed-in sessions: which are live (when, from which address and browser), and ending the others.

A staff session is a Django database session; at sign-in it notes the address and a short summary
of the browser (never the whole User-Agent string). The account page lists the live sessions of the
signed-in account by reading the unexpired session rows (a clinic has a few staff, so a few rows),
and can end all but the current one. A session's key is never shown: the page names it by a
digest.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils import timezone

from needlewise.edge.request_actor import SEEN, SIGNED_IN_AT, VERIFIED, client_ip

SIGNED_IN_FROM = "nw_signed_in_from"
BROWSER = "nw_browser"
_BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS", "macOS"),
    ("Linux", "Linux"),
)
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


@dataclass(frozen=True, slots=True)
class LiveSession:
    """One signed-in session of the account, as the account page shows it."""

    ref: str  # a digest of the key, never the key
    signed_in_at: datetime
    last_seen: datetime
    address: str
    browser: str
    current: bool


def browser_summary(agent: str) -> str:
    """A short summary of a User-Agent string, such as "Firefox on Linux" ("" when it names neither)."""
    name = next((label for mark, label in _BROWSERS if mark in agent), "")
    system = next((label for mark, label in _SYSTEMS if mark in agent), "")
    return " · ".join(part for part in (name, system) if part)


def note_origin(request: HttpRequest) -> None:
    """Note, in a freshly signed-in session, the address and browser it was signed in from."""
    request.session[SIGNED_IN_FROM] = client_ip(request)
    request.session[BROWSER] = browser_summary(_PRINTABLE.sub("", request.headers.get("User-Agent", ""))[:500])


def _ref(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()[:16]


def _live(data: dict[str, object], user_id: str, now: float) -> bool:
    if data.get("_auth_user_id") != user_id or not data.get(VERIFIED):
        return False
    seen, signed_in = float(str(data.get(SEEN, 0))), float(str(data.get(SIGNED_IN_AT, 0)))
    return now - seen <= settings.IDLE_MINUTES * 60 and now - signed_in <= settings.SESSION_HOURS * 3600


def _own_rows(request: HttpRequest) -> list[tuple[Session, dict[str, object]]]:
    """The unexpired, still live session rows of the signed-in account, with their data."""
    user_id, now, store = str(request.user.pk), time.time(), SessionStore()
    rows = []
    for row in Session.objects.filter(expire_date__gt=timezone.now()):
        data = store.decode(row.session_data)
        if _live(data, user_id, now):
            rows.append((row, data))
    return rows


def own_sessions(request: HttpRequest) -> list[LiveSession]:
    """The live sessions of the signed-in account, the current one first, then the latest signed in."""
    current = request.session.session_key
    found = [
        LiveSession(
            ref=_ref(row.session_key),
            signed_in_at=datetime.fromtimestamp(float(str(data.get(SIGNED_IN_AT, 0))), tz=UTC),
            last_seen=datetime.fromtimestamp(float(str(data.get(SEEN, 0))), tz=UTC),
            address=str(data.get(SIGNED_IN_FROM, "")),
            browser=str(data.get(BROWSER, "")),
            current=row.session_key == current,
        )
        for row, data in _own_rows(request)
    ]
    return sorted(found, key=lambda s: (not s.current, -s.signed_in_at.timestamp()))


def end_other_sessions(request: HttpRequest) -> int:
    """End every live session of the signed-in account but this one; how many were ended."""
    current = request.session.session_key
    keys = [row.session_key for row, _ in _own_rows(request) if row.session_key != current]
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)
