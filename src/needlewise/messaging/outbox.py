"""Asking for a message: one row in ``queued_message``, in the caller's transaction; the worker finds it there.

A message not handed to its channel yet can be taken back by its key: :func:`cancel` marks it
``cancelled`` (never sent), :func:`replace` puts a newer version (due time, words, recipients) in its
place. Either works on a message a worker has claimed but not begun handing over: the worker checks
again just before it hands each message over (:mod:`~needlewise.messaging.delivery`). A message
already handed over stands.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import connections, router, transaction
from django.db.models import Q
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
    _check(message)
    key = message.key or f"message:{uuid.uuid4().hex}"
    row, created = QueuedMessage.objects.get_or_create(
        key=key, defaults={**_fields(message), "created_at": timezone.now()}
    )
    return Queued(row, created)


def _check(message: OutboundMessage) -> None:
    if message.channel == Channel.EMAIL and message.client_id is not None and not message.unsubscribe_url:
        msg = "an e-mail to a client needs its unsubscribe_url (needlewise.web.client_messages.unsubscribe_url)"
        raise ValueError(msg)


def _fields(message: OutboundMessage) -> dict[str, object]:
    """What a queued row holds of ``message``, waiting from now on."""
    return {
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
    }


#: :meth:`QueuedMessage.unsent` in SQL: waiting, or claimed and not marked as being handed over (a test checks
#: that both find the same rows). One fixed statement: building the ORM's costs more than running it.
_CANCEL = (
    "UPDATE queued_message SET status = %s, lease_until = NULL, last_error = %s "
    'WHERE {match} AND "key" <> %s AND (status IN (%s, %s) OR (status = %s AND handed_at IS NULL))'
)
_UNSENT = (MessageStatus.QUEUED.value, MessageStatus.RETRYING.value, MessageStatus.SENDING.value)


def cancel(key: str, reason: str, *, prefix: bool = False, keep: str = "") -> int:
    """Take back the message with ``key`` (``prefix``: every message whose key starts with it) not handed over yet.

    It is marked ``cancelled`` with ``reason`` (``appointment moved``...; no personal data) and never
    sent; ``keep``: the message with this key stays as it is. How many were taken back: a message
    already handed over (or sent, or given up) is left as it is.
    """
    if prefix:  # as the ORM's startswith: LIKE with the pattern's own wildcards escaped
        match, value = "\"key\" LIKE %s ESCAPE '\\'", _escaped(key) + "%"
    else:
        match, value = '"key" = %s', key
    with connections[router.db_for_write(QueuedMessage)].cursor() as cursor:
        cursor.execute(
            _CANCEL.format(match=match), [MessageStatus.CANCELLED.value, reason[:200], value, keep, *_UNSENT]
        )
        return int(cursor.rowcount)


def _escaped(text: str) -> str:
    """``text`` for a LIKE pattern escaped with a backslash: its own ``%``, ``_`` and backslashes match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def replace(message: OutboundMessage) -> Queued:
    """Queue ``message``, or put it in place of the message with its key that was not handed over yet.

    The replaced one (waiting, claimed but not begun, or cancelled: none of these ever reached anyone,
    so the key, which is also the ``Message-ID``, is free) takes ``message``'s due time, recipients and
    words, its attempts counted afresh. A message with that key already handed over stands (``created``
    false, unchanged): a new message needs a new key. ``message.key`` must not be empty.
    """
    if not message.key:
        msg = "replacing needs the message's key"
        raise ValueError(msg)
    _check(message)
    with transaction.atomic():
        if _replaced(message):
            return Queued(QueuedMessage.objects.get(key=message.key), created=False)
        return queue(message)


def put(message: OutboundMessage) -> None:
    """:func:`replace` for a caller that needs nothing back: two statements, no savepoint, no row read.

    The message not handed over yet with its key is changed in place; if there is none, the message is
    inserted, and a conflict on its key (a message already handed over, or one queued meanwhile) leaves
    that message standing, as :func:`replace` does.
    """
    if not message.key:
        msg = "replacing needs the message's key"
        raise ValueError(msg)
    _check(message)
    with transaction.atomic(savepoint=False):
        if not _replaced(message):
            row = QueuedMessage(key=message.key, created_at=timezone.now(), **_fresh(message))
            QueuedMessage.objects.bulk_create([row], ignore_conflicts=True)


def _fresh(message: OutboundMessage) -> dict[str, object]:
    """A row's fields for ``message`` waiting afresh: due, no attempt made, no worker holding it."""
    return {**_fields(message), "attempts": 0, "lease_until": None, "handed_at": None, "last_error": ""}


def _replaced(message: OutboundMessage) -> bool:
    """Whether the message with ``message``'s key not handed over yet (or cancelled) now holds ``message``."""
    unsent = QueuedMessage.unsent() | Q(status=MessageStatus.CANCELLED)
    return bool(QueuedMessage.objects.filter(unsent, key=message.key).update(**_fresh(message)))


class OutboxSender:
    """A :class:`~needlewise.services.ports.MessageSender` that queues each message for the worker."""

    def send(self, message: OutboundMessage) -> None:
        """Queue ``message`` in the current transaction; the worker hands it over after the commit."""
        queue(message)
