"""A check-in's private link and short code: made from the secret key, found again by their digests, shown to staff.

Each check-in's link carries a token that is recomputed, never stored:
``base64url(HMAC-SHA256(SECRET_KEY, "checkin:<check-in id>:<session id>:<day>"))``. Staff can show or
print the link at any time, while the database holds only the token's SHA-256 (unique, looked up by
equality): a copy of the database alone does not reveal any link. After a change of the secret key
the links already handed out keep working (their digests are stored), but staff can no longer show
them again: a recomputed token no longer matches.

Each check-in also has a short code for paper (:mod:`needlewise.clinic.followup.short_links`), kept the
same way (its digest only); either opens the check-in, the short one only until some weeks after its day.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_session
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.followup import short_links
from needlewise.clinic.local_time import clock_of
from needlewise.domain.permissions import Action
from needlewise.errors import N_, NotFoundError, Problem
from needlewise.storage.models import CheckIn, TreatmentSession

_TOKEN_LIMIT = 100  # a real token has 43 characters


def link_token(checkin: CheckIn) -> str:
    """The check-in's private-link token, recomputed from the secret key and the check-in's identity."""
    message = f"checkin:{checkin.pk}:{checkin.session_id}:{checkin.day}".encode()
    mac = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def token_digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def by_token(token: str, *, lock: bool = False) -> CheckIn:
    """The check-in of a full token or of a short code still valid; NotFoundError otherwise."""
    rows = CheckIn.objects.select_for_update() if lock else CheckIn.objects.all()
    code = short_links.normalised(token)
    if code is not None:
        found = rows.filter(short_digest=token_digest(code)).first()
        if found is not None and clock_of(found.clinic_id).today() > short_links.valid_until(found.due_on):
            found = None  # expired: the same answer as a code that never existed
    else:
        found = rows.filter(token_digest=token_digest(token)).first() if 0 < len(token) <= _TOKEN_LIMIT else None
    if found is None:
        raise NotFoundError([Problem("checkin", N_("no check-in has this link"))])
    return found


@dataclass(frozen=True, slots=True)
class SessionCheckin:
    """A session's check-in with its private-link token and short code, for staff to show, print or copy."""

    checkin: CheckIn
    token: str
    short_code: str


def session_checkins(session: TreatmentSession) -> list[SessionCheckin]:
    """A session's check-ins by day, with their tokens (un-audited: for use inside audited use cases)."""
    return [
        SessionCheckin(c, link_token(c), short_links.short_code(c))
        for c in CheckIn.objects.filter(session=session).order_by("day")
    ]


@use_case(Action.VIEW_HEALTH, "checkin", missing="session")
def checkins_of_session(actor: Actor, session_id: int) -> list[SessionCheckin]:
    """A session's check-ins with their links (the read is recorded)."""
    session = access_session(actor, session_id)
    found = session_checkins(session)
    audit_log.record(actor, "read", "checkin", client_id=session.client_id, detail={"session": session.pk})
    return found
