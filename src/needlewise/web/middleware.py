"""Security headers on every response, and per-address rate limiting of the API."""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
MAX_TRACKED_ADDRESSES = 100_000
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

    A fixed one-minute window per address, kept in this process. ``needlewise serve`` runs several
    worker processes and tells each (``NEEDLEWISE_WORKERS``) to allow its share of the limit, so the
    whole server allows about the configured number when requests spread evenly over workers.
    """

    def __init__(self, get_response: Handler) -> None:
        """Wrap ``get_response``."""
        self.get_response = get_response
        workers = max(1, int(os.environ.get("NEEDLEWISE_WORKERS", "1")))
        limit = int(settings.RATE_LIMIT_PER_MINUTE)
        self.limit = 0 if limit <= 0 else max(1, math.ceil(limit / workers))
        self.window_seconds = 60.0
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Refuse with 429 and ``Retry-After`` once the address used up its window."""
        if self.limit and request.path.startswith(API_PREFIX):
            retry_after = self._retry_after(request.META.get("REMOTE_ADDR", "unknown"), time.monotonic())
            if retry_after is not None:
                body = {
                    "error": "rate_limited",
                    "message": f"Too many requests: at most {settings.RATE_LIMIT_PER_MINUTE} a minute per address.",
                    "problems": [],
                }
                return HttpResponse(
                    orjson.dumps(body),
                    status=429,
                    content_type="application/json",
                    headers={"Retry-After": str(retry_after)},
                )
        return self.get_response(request)

    def _retry_after(self, address: str, now: float) -> int | None:
        with self._lock:
            start, count = self._windows.get(address, (now, 0))
            if now - start >= self.window_seconds:
                start, count = now, 0
            if count >= self.limit:
                return max(1, math.ceil(self.window_seconds - (now - start)))
            self._windows[address] = (start, count + 1)
            if len(self._windows) > MAX_TRACKED_ADDRESSES:  # forget finished windows so memory stays bounded
                self._windows = {a: w for a, w in self._windows.items() if now - w[0] < self.window_seconds}
            return None
