"""Claiming due messages for one worker's batch: one conditional ``UPDATE``, each message once, under a lease.

A worker claims a batch of due messages with one conditional ``UPDATE`` (queued, or due for a retry,
or left "sending" by a worker whose lease ran out; on PostgreSQL rows that another worker is claiming
at that moment are skipped), which counts an attempt for each. So two workers never hand the same
message over at once, and a message already sent is never sent again
(:mod:`~needlewise.messaging.delivery` hands the batch over and records the outcomes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from needlewise.domain.statuses import Channel, MessageStatus
from needlewise.storage.models import QueuedMessage

_DUE = "channel = %s AND ((status IN (%s, %s) AND next_attempt_at <= %s) OR (status = %s AND lease_until <= %s))"
_CLAIM = (
    f"WITH picked AS MATERIALIZED (SELECT id FROM queued_message WHERE {_DUE} "  # noqa: S608 - fixed SQL, values are parameters
    "ORDER BY next_attempt_at, id LIMIT %s{lock}) "
    "UPDATE queued_message SET status = %s, attempts = attempts + 1, lease_until = %s, handed_at = NULL "
    f"WHERE {_DUE} AND id IN (SELECT id FROM picked) RETURNING id"
)
#: PostgreSQL: skip the rows another worker's claim holds rather than wait for them. The pick is
#: materialised: evaluated once, so the ``LIMIT`` holds (a subquery may be run again for each row).
_LOCK = {"postgresql": " FOR UPDATE SKIP LOCKED"}


def lease() -> timedelta:
    """How long a worker may hold a batch before another worker may take its messages again.

    Longer than the mail server's timeout (``EMAIL_TIMEOUT``), so a live worker is never overtaken.
    """
    return timedelta(seconds=float(settings.NEEDLEWISE_MESSAGE_LEASE_SECONDS))


@dataclass(frozen=True, slots=True)
class Claimed:
    """The messages one claim took, oldest due first, and when the claim's lease runs out."""

    rows: list[QueuedMessage]
    until: datetime


def claim(limit: int, channel: Channel = Channel.EMAIL) -> Claimed:
    """Take up to ``limit`` due messages of ``channel`` (oldest due first), counting an attempt for each."""
    now = timezone.now()
    until = now + lease()
    adapt = connection.ops.adapt_datetimefield_value
    due = [channel.value, MessageStatus.QUEUED, MessageStatus.RETRYING, adapt(now), MessageStatus.SENDING, adapt(now)]
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM.format(lock=_LOCK.get(connection.vendor, "")),
            [*due, limit, MessageStatus.SENDING, adapt(until), *due],
        )
        ids = [int(row[0]) for row in cursor.fetchall()]
    rows = list(QueuedMessage.objects.filter(pk__in=ids).order_by("next_attempt_at", "pk")) if ids else []
    return Claimed(rows, until)
