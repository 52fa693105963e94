"""Handing a queued message to its channel: once, with retries, and on the record.

A delivery job claims its message with one conditional ``UPDATE`` (queued or due for a retry, or
left "sending" by a worker whose lease ran out), so two workers never hand the same message over at
once and a message already sent is never sent again. A failure schedules the next attempt with
backoff (the first within a minute) as a new job; after the last attempt the message is marked
failed. Each outcome is an audit row with the message's purpose and number of recipients, never its
text or addresses.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from needlewise.adapters.mail import DjangoMailSender
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.statuses import MessageStatus
from needlewise.services.ports import MessageSender, OutboundMessage
from needlewise.storage.models import QueuedMessage

#: Seconds to wait before each retry: the first within a minute, the last a day later.
BACKOFF_SECONDS = (30, 120, 600, 3600, 6 * 3600, 24 * 3600)
#: The first attempt and one per backoff step.
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
WORKER = Actor.system("worker")


def lease() -> timedelta:
    """How long a worker may take to hand a message over before another worker may take it again.

    Longer than the mail server's timeout (``EMAIL_TIMEOUT``), so a live worker is never overtaken.
    """
    return timedelta(seconds=float(settings.NEEDLEWISE_MESSAGE_LEASE_SECONDS))


def _claim(message_id_: int) -> QueuedMessage | None:
    now = timezone.now()
    due = Q(status__in=(MessageStatus.QUEUED, MessageStatus.RETRYING), next_attempt_at__lte=now)
    abandoned = Q(status=MessageStatus.SENDING, lease_until__lte=now)
    claimed = QueuedMessage.objects.filter(due | abandoned, pk=message_id_).update(
        status=MessageStatus.SENDING, attempts=F("attempts") + 1, lease_until=now + lease()
    )
    return QueuedMessage.objects.get(pk=message_id_) if claimed else None


def _reason(error: Exception) -> str:
    code = getattr(error, "smtp_code", None)
    return type(error).__name__ + (f" {code}" if isinstance(code, int) else "")


def _audit(row: QueuedMessage, action: str, outcome: str, **detail: object) -> None:
    facts: dict[str, object] = {"purpose": row.purpose, "recipients": len(row.recipients), "attempt": row.attempts}
    audit_log.record(WORKER, action, "message", row.pk, outcome=outcome, clinic_id=row.clinic_id, detail=facts | detail)


def _failed(row: QueuedMessage, error: Exception) -> str:
    reason = _reason(error)
    with transaction.atomic():
        if row.attempts >= MAX_ATTEMPTS:
            QueuedMessage.objects.filter(pk=row.pk).update(
                status=MessageStatus.FAILED, lease_until=None, last_error=reason
            )
            _audit(row, "message_failed", "failed", error=reason)
            return MessageStatus.FAILED
        retry_at = timezone.now() + timedelta(seconds=BACKOFF_SECONDS[row.attempts - 1])
        QueuedMessage.objects.filter(pk=row.pk).update(
            status=MessageStatus.RETRYING, lease_until=None, next_attempt_at=retry_at, last_error=reason
        )
        deliver.using(run_after=retry_at).enqueue(row.pk)
        _audit(row, "message_retry", "failed", error=reason, retry_at=retry_at.isoformat())
    return MessageStatus.RETRYING


def attempt(message_pk: int, channel: MessageSender) -> str:
    """Hand message ``message_pk`` to ``channel`` if it is due; what became of it (or why nothing was done)."""
    row = _claim(message_pk)
    if row is None:
        return "not due"  # sent, given up, being sent by a live worker, waiting for its retry, or gone
    outbound = OutboundMessage(
        to=tuple(row.recipients),
        subject=row.subject,
        text=row.text,
        html=row.html or None,
        purpose=row.purpose,
        key=row.key,
    )
    try:
        channel.send(outbound)
    except Exception as error:  # noqa: BLE001 - any failure to hand it over is retried, never lost
        return _failed(row, error)
    with transaction.atomic():
        QueuedMessage.objects.filter(pk=row.pk).update(
            status=MessageStatus.SENT, lease_until=None, sent_at=timezone.now(), last_error=""
        )
        _audit(row, "message_sent", "success")
    return MessageStatus.SENT


@task(queue_name="messages")
def deliver(message_pk: int) -> str:
    """The job: hand the queued message ``message_pk`` over by e-mail (Django's configured backend)."""
    return attempt(message_pk, DjangoMailSender())
