"""Limits per address on the public pages that write, mail or work hard, shared by every worker.

Anyone may use these pages without signing in, so each is limited per client address within a
window (``PUBLIC_LIMITS`` in the settings: name -> (requests, seconds); a limit of 0 turns one off).
The counts are kept in the database (:mod:`needlewise.clinic.sign_in.attempts`), so every worker
process, and every server on one database, shares them; a request over its limit is answered 429
with ``Retry-After`` and a page saying to wait, and is not counted.

``X-Forwarded-For`` is ignored (anyone can forge it): behind a reverse proxy, have the proxy set
the peer address. Sign-in failures have their own lock-out on top (:mod:`~needlewise.clinic.sign_in.lockout`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from needlewise.api.error_words import in_error_lang
from needlewise.api.responses import error_response
from needlewise.clinic.sign_in import attempts
from needlewise.edge.request_actor import client_ip
from needlewise.errors import N_
from needlewise.web.views.common import render

Handler = Callable[[HttpRequest], HttpResponse]
ANY = frozenset({"GET", "HEAD", "POST"})
POST = frozenset({"POST"})
TOO_MANY = N_("Too many requests from your address. Wait %(minutes)s minutes, then try again.")


@dataclass(frozen=True, slots=True)
class Rule:
    """The requests one limit counts: a name in ``PUBLIC_LIMITS``, the methods, and the paths."""

    name: str
    methods: frozenset[str]
    path: re.Pattern[str]


RULES = (
    Rule("checkin", ANY, re.compile(r"/(checkin/[^/]+/|c/[^/]+)")),  # a private check-in link
    Rule("save", POST, re.compile(r"/save/")),  # keeping a result: a row each
    Rule("journal", POST, re.compile(r"/(api/v1/journals|journal/new/)")),  # starting a home journal: a row each
    # into a clinic's intake queue: a result, or a home journal's referral (page and API)
    Rule("clinic_request", POST, re.compile(r"/(clinics/[^/]+/request/|journal/[^/]+/referral/[^/]+/)")),
    Rule("clinic_request", POST, re.compile(r"/api/v1/journals/[^/]+/referrals")),
    Rule("pdf", ANY, re.compile(r"/(result|r/[^/]+|journal/[^/]+)/pdf/")),  # a PDF: about 0.3 s of CPU each
    Rule("sign_in", POST, re.compile(r"/clinic/sign-in/([a-z-]+/)?")),  # the password, code and set-up steps
    Rule("reset", POST, re.compile(r"/clinic/password-reset/([^/]+/[^/]+/)?")),  # asking for a link, using one
    Rule("sms_hook", POST, re.compile(r"/hooks/sms/(status|inbound)")),  # Twilio's reports: a signature check each
)


def rule_for(request: HttpRequest) -> Rule | None:
    """The limit a request counts towards, if any."""
    return next((r for r in RULES if request.method in r.methods and r.path.fullmatch(request.path)), None)


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    """The 429 page (the API's error object on an API path): wait ``wait`` seconds."""
    minutes = max(1, math.ceil(wait / 60))
    if request.path.startswith("/api/"):
        with in_error_lang(request):
            message = _(TOO_MANY) % {"minutes": minutes}
        response = error_response(429, "rate_limited", message)
        response["Retry-After"] = str(wait)
        response["Cache-Control"] = "no-store"
        return response
    message = _(TOO_MANY) % {"minutes": minutes}
    response = render(request, "error.html", {"status": 429, "message": message}, status=429)
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response


class PublicLimitMiddleware:
    """Count each request a rule names against its address; refuse those over the limit (see the module)."""

    def __init__(self, get_response: Handler) -> None:
        """Wrap ``get_response``."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Answer 429 once the address used up the rule's window; otherwise count the request and go on."""
        rule = rule_for(request)
        if rule is not None:
            limit, window = settings.PUBLIC_LIMITS[rule.name]
            wait = attempts.hit(f"limit:{rule.name}|{client_ip(request)}", limit, window)
            if wait:
                return too_many(request, wait)
        return self.get_response(request)
