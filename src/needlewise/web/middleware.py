"""Security headers on every response, and per-address rate limiting of the API."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from needlewise.api.error_words import in_error_lang
from needlewise.web import rate_windows

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
API_PREFIX = "/api/"
#: Pages and files that carry someone's answers or a staff record: never kept by a browser or proxy
#: cache. The public questionnaire, its result and PDF, saved results, check-in links (long and
#: short), the clinic directory's "send my result" pages, the staff pages and the API.
NO_STORE_PREFIXES = (API_PREFIX, "/clinic/", "/clinics/", "/assess/", "/result/", "/save/", "/r/", "/checkin/", "/c/")

Handler = Callable[[HttpRequest], HttpResponse]


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy (everything served by the app itself) and related headers."""

    def __init__(self, get_response: Handler) -> None:
        """Wrap ``get_response``."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Add the headers unless a view set its own."""
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.path.startswith(NO_STORE_PREFIXES):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class RateLimitMiddleware:
    """At most ``NEEDLEWISE_RATE_LIMIT`` API requests per minute per client address (0: no limit).

    A fixed one-minute window per address, counted in a table every worker process of this machine
    shares (:mod:`needlewise.web.rate_windows`), so the whole server allows the configured number
    however the client's connections spread over workers.
    """

    def __init__(self, get_response: Handler) -> None:
        """Wrap ``get_response``; open the shared windows when the limit is on."""
        self.get_response = get_response
        self.limit = max(0, int(settings.RATE_LIMIT_PER_MINUTE))
        self.windows = (
            rate_windows.shared(Path(settings.RATE_WINDOWS_FILE), settings.SECRET_KEY.encode()) if self.limit else None
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Refuse with 429 and ``Retry-After`` once the address used up its window."""
        if self.windows is not None and request.path.startswith(API_PREFIX):
            address = request.META.get("REMOTE_ADDR", "unknown")
            retry_after = self.windows.hit(address, self.limit, time.monotonic())
            if retry_after is not None:
                with in_error_lang(request):
                    message = _("Too many requests: at most %(limit)s a minute per address.") % {"limit": self.limit}
                body = {"error": "rate_limited", "message": message, "problems": []}
                return HttpResponse(
                    orjson.dumps(body),
                    status=429,
                    content_type="application/json",
                    headers={"Retry-After": str(retry_after)},
                )
        return self.get_response(request)
