"""Which staff member a Django request acts as: the signed-in user whose session passed every factor.

Shared by the web pages and the JSON API (an edge concern: the clinic's use cases take the
:class:`~needlewise.clinic.access.actor.Actor` this makes, never a request). The session keys are
written at sign-in (:func:`needlewise.web.staff_session.start`).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import cast

from django.contrib.auth.models import User
from django.http import HttpRequest

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts.staff import member_actor, staff_of
from needlewise.services.time_zones import zone_named

VERIFIED = "nw_verified"  # the second factor (or, for roles without one, the password) was passed
SEEN = "nw_seen"  # time of the last request, for the inactivity time-out
SIGNED_IN_AT = "nw_signed_in_at"  # for the absolute time-out


def client_ip(request: HttpRequest) -> str:
    """The peer's address. Forwarded-for headers are ignored: they can be forged by anyone."""
    return str(request.META.get("REMOTE_ADDR", ""))


def request_id(request: HttpRequest) -> str:
    """The random id :class:`~needlewise.web.staff_session.RequestContextMiddleware` gave this request."""
    return str(request.META.get("NEEDLEWISE_REQUEST_ID", ""))


def actor_of(request: HttpRequest) -> Actor | None:
    """The signed-in, fully verified staff member acting in this request, if any."""
    user = request.user
    if not (isinstance(user, User) and user.is_authenticated and request.session.get(VERIFIED)):
        return None
    member = staff_of(user)
    if member is None:
        return None
    # the clinic came with the membership (``StaffBackend.get_user``): its zone costs no query in use cases
    return member_actor(member, client_ip(request), request_id(request), time_zone=member.clinic.time_zone)


def clinic_zone(request: HttpRequest) -> tzinfo:
    """The time zone of the clinic of the staff member :func:`actor_of` found (loaded with the user)."""
    member = staff_of(cast("User", request.user))
    return zone_named(member.clinic.time_zone if member is not None else "UTC")
