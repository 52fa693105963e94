"""Sign-in lock-out: at most LOGIN_FAILURE_LIMIT failures per account and per address per window."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts.fields import normalise_email
from needlewise.clinic.audit import log as audit_log
from needlewise.storage.models import LoginFailure

# --- lock-out: at most LOGIN_FAILURE_LIMIT failures per account and per address per window ---


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def locked_out(email: str, ip: str) -> bool:
    """Whether sign-in is refused for now for this account or this address."""
    keys = [f"user:{normalise_email(email)}", f"ip:{ip}"]
    since = _window_start()
    return any(
        LoginFailure.objects.filter(key=key, at__gte=since).count() >= settings.LOGIN_FAILURE_LIMIT for key in keys
    )


def record_failure(email: str, ip: str, request_id: str, stage: str) -> None:
    """Count a failed sign-in for the account and the address, and audit it."""
    now = timezone.now()
    with transaction.atomic():
        LoginFailure.objects.bulk_create(
            [LoginFailure(key=f"user:{normalise_email(email)}", at=now), LoginFailure(key=f"ip:{ip}", at=now)]
        )
        LoginFailure.objects.filter(at__lt=now - timedelta(days=1)).delete()
        audit_log.record(
            Actor.anonymous(ip, request_id), "sign_in", "session", outcome="failed", detail={"stage": stage}
        )


def clear_failures(email: str) -> None:
    """Forget an account's failures after it signs in."""
    LoginFailure.objects.filter(key=f"user:{normalise_email(email)}").delete()
