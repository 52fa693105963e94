"""Counted attempts in a sliding window, kept in the database so every worker process shares them.

One row per counted attempt (``login_failure``: a key and a time). Keys say what is counted and for
whom, e.g. ``pair:<account>|<address>`` for failed sign-ins or ``limit:save|<address>`` for requests to
a public page; they carry addresses and normalised e-mail addresses, never anything about health.
An attempt over its limit is refused and not counted, so a key holds at most about ``limit`` rows in
its window whatever the flood; rows older than a day are deleted now and then.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from needlewise.storage.models import LoginFailure

#: Old rows are cleared on about one insert in this many (a full clean-up is a table scan).
CLEANUP_ONE_IN = 64
KEEP = timedelta(days=1)


def wait_seconds(key: str, limit: int, window_seconds: int, now: datetime | None = None) -> int:
    """Seconds until ``key`` may count another attempt (0: now): it holds ``limit`` in the last window."""
    if limit <= 0:
        return 0
    now = now or timezone.now()
    window = timedelta(seconds=window_seconds)
    times = list(LoginFailure.objects.filter(key=key, at__gt=now - window).order_by("at").values_list("at", flat=True))
    if len(times) < limit:
        return 0
    frees_at = times[len(times) - limit] + window  # when enough of them have left the window
    return max(1, math.ceil((frees_at - now).total_seconds()))


def count(*keys: str, now: datetime | None = None) -> None:
    """Count one attempt under each of ``keys`` (now)."""
    now = now or timezone.now()
    with transaction.atomic():
        LoginFailure.objects.bulk_create([LoginFailure(key=key, at=now) for key in keys])
        if secrets.randbelow(CLEANUP_ONE_IN) == 0:
            LoginFailure.objects.filter(at__lt=now - KEEP).delete()


def hit(key: str, limit: int, window_seconds: int) -> int:
    """Count one attempt under ``key`` if the limit allows it: 0 when counted, else the seconds to wait.

    A limit of 0 is no limit: nothing is counted.
    """
    if limit <= 0:
        return 0
    now = timezone.now()
    with transaction.atomic():
        wait = wait_seconds(key, limit, window_seconds, now)
        if wait == 0:
            count(key, now=now)
    return wait


def in_window(key: str, window_seconds: int) -> list[datetime]:
    """The times of ``key``'s attempts in the last window, oldest first."""
    since = timezone.now() - timedelta(seconds=window_seconds)
    return list(LoginFailure.objects.filter(key=key, at__gt=since).order_by("at").values_list("at", flat=True))


def forget(*keys: str) -> None:
    """Forget every attempt counted under ``keys``."""
    LoginFailure.objects.filter(key__in=keys).delete()
