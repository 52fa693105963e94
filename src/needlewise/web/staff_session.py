"""Clinic staff sessions: who is signed in, inactivity and absolute time-outs, the acting Actor.

A staff session is a Django database session (the cookie holds only its random key) that also says
the second factor was passed. Its requests run with the clinic's time zone active, so pages and the
clinic API show times on the clinic's clock (:mod:`needlewise.clinic.local_time`). It ends on the
server, not just in the browser, after ``IDLE_MINUTES`` without a request or ``SESSION_HOURS`` after
sign-in, whichever comes first: on the staff pages and on the clinic JSON API alike (the API then
answers 401, the pages send the person to sign in).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils import timezone

from needlewise.edge.request_actor import SEEN, SIGNED_IN_AT, VERIFIED, actor_of, client_ip, clinic_zone

Handler = Callable[[HttpRequest], HttpResponse]
View = Callable[..., HttpResponse | StreamingHttpResponse]

STAFF_PREFIX = "/clinic/"
STAFF_PATHS = (STAFF_PREFIX, "/api/v1/clinic/")  # the staff pages and the clinic API
#: Activity is noted at most once a minute, so a session may end up to a minute before a full
#: ``IDLE_MINUTES`` of inactivity; it never lasts longer.
SEEN_RESOLUTION_SECONDS = 60


class RequestContextMiddleware:
    """Give each request a random id that its audit rows carry."""

    def __init__(self, get_response: Handler) -> None:
        """Wrap ``get_response``."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Tag the request, and the response with ``X-Request-Id``."""
        request_id = secrets.token_hex(8)
        request.META["NEEDLEWISE_REQUEST_ID"] = request_id
        response = self.get_response(request)
        response.headers["X-Request-Id"] = request_id
        return response


def start(request: HttpRequest) -> None:
    """Mark a freshly signed-in session (after ``login()`` rotated its key) as fully verified."""
    now = time.time()
    request.session[VERIFIED] = True
    request.session[SEEN] = now
    request.session[SIGNED_IN_AT] = now


class StaffSessionMiddleware:
    """End staff sessions that were idle too long or are too old, on the server, before any view runs."""

    def __init__(self, get_response: Handler) -> None:
        """Wrap ``get_response``."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Sign out an expired session; otherwise note this request's time, and use the clinic's clock."""
        if request.path.startswith(STAFF_PATHS) and request.user.is_authenticated:
            now = time.time()
            seen = float(request.session.get(SEEN, 0))
            signed_in = float(request.session.get(SIGNED_IN_AT, 0))
            if now - seen > settings.IDLE_MINUTES * 60 or now - signed_in > settings.SESSION_HOURS * 3600:
                logout(request)  # flushes the session row: the old cookie is worthless
                request.META["NEEDLEWISE_TIMED_OUT"] = "1"
            elif now - seen >= SEEN_RESOLUTION_SECONDS:  # one session write a minute, not one per request
                request.session[SEEN] = now
        if request.path.startswith(STAFF_PATHS) and request.user.is_authenticated:
            with timezone.override(clinic_zone(request)):  # times shown and written on the clinic's clock
                return self.get_response(request)
        return self.get_response(request)


def sign_in_url(request: HttpRequest) -> str:
    """The sign-in page, bringing the person back to this request's page (and saying why they left it)."""
    query = {"next": request.get_full_path()}
    if request.META.get("NEEDLEWISE_TIMED_OUT"):
        query["timed_out"] = "1"
    return f"{settings.LOGIN_URL}?{urlencode(query)}"


def staff_required(view: View) -> View:
    """Run ``view`` with ``request.actor`` set, or send the person to sign in (keeping where they were going)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse | StreamingHttpResponse:
        actor = actor_of(request)
        if actor is None:
            return HttpResponseRedirect(sign_in_url(request))
        request.actor = actor  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


__all__ = [
    "SEEN",
    "SIGNED_IN_AT",
    "VERIFIED",
    "RequestContextMiddleware",
    "StaffSessionMiddleware",
    "actor_of",
    "client_ip",
    "sign_in_url",
    "staff_required",
    "start",
]
