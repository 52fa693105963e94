"""Asking for a message: one row in ``queued_message``, in the caller's transaction; the worker finds it there."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from needlewise.clinic.contact import quiet_hours
from needlewise.clinic.local_time import ClinicClock, clock_of
from needlewise.domain.statuses import Channel, MessageStatus
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import QueuedMessage


@dataclass(frozen=True, slots=True)
class Queued:
    """What asking for a message did: the stored row, and whether it was new (``False``: the key was known)."""

    message: QueuedMessage
    created: bool


def due_at(message: OutboundMessage) -> datetime:
    """When ``message`` may go: at once or at its ``not_before``; an SMS that is not urgent after quiet hours."""
    due = max(message.not_before or timezone.now(), timezone.now())
    if message.channel == Channel.SMS and not message.urgent:
        clock = clock_of(message.clinic_id) if message.clinic_id is not None else ClinicClock.named("UTC")
        due = quiet_hours.next_allowed(due, clock)
    return due


def queue(message: OutboundMessage) -> Queued:
    """Store ``message`` in the current transaction (or a new one), due at :func:`due_at`.

    The row is the job: a worker takes it once it is committed and due (see
    :mod:`~needlewise.messaging.delivery`). A message whose ``key`` is already queued is not queued
    again: the first one stands. An e-mail to a client without its unsubscribe link is a ValueError.
    """
    if message.channel == Channel.EMAIL and message.client_id is not None and not message.unsubscribe_url:
        msg = "an e-mail to a client needs its unsubscribe_url (needlewise.web.client_messages.unsubscribe_url)"
        raise ValueError(msg)
    key = message.key or f"message:{uuid.uuid4().hex}"
    now = timezone.now()
    row, created = QueuedMessage.objects.get_or_create(
        key=key,
        defaults={
            "purpose": message.purpose,
            "clinic_id": message.clinic_id,
            "client_id": message.client_id,
            "channel": Channel(message.channel).value,
            "urgent": message.urgent,
            "recipients": list(message.to),
            "subject": message.subject,
            "text": message.text,
            "html": message.html or "",
            "unsubscribe_url": message.unsubscribe_url,
            "status": MessageStatus.QUEUED,
            "next_attempt_at": due_at(message),
            "created_at": now,
        },
    )
    return Queued(row, created)


class OutboxSender:
    """A :class:`~needlewise.services.ports.MessageSender` that queues each message for the worker."""

    def send(self, message: OutboundMessage) -> None:
        """Queue ``message`` in the current transaction; the worker hands it over after the commit."""
        queue(message)
