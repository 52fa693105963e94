"""Queued messages in each state, written as the worker leaves them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from needlewise.storage.models import QueuedMessage


def queued_message(clinic_id: int, key: str, status: str = "queued", **fields: object) -> QueuedMessage:
    """A staff alert of clinic ``clinic_id`` in ``status`` (``fields`` override the rest)."""
    now = timezone.now()
    values: dict[str, object] = {
        "purpose": "staff_alert",
        "clinic_id": clinic_id,
        "recipients": ["nurse.quill@example.org", "provider@example.org"],
        "subject": "A check-in needs attention",
        "text": "Sign in: https://clinic.example.org/clinic/alerts/ (secret-link-words)",
        "status": status,
        "next_attempt_at": now,
        "created_at": now,
    }
    return QueuedMessage.objects.create(key=key, **(values | fields))


def failed_message(clinic_id: int, key: str) -> QueuedMessage:
    """A message given up after its last attempt (a day ago), the mail server having refused it."""
    return queued_message(
        clinic_id,
        key,
        "failed",
        attempts=7,
        last_error="SMTPDataError 554",
        created_at=timezone.now() - timedelta(days=1),
    )
