"""Handing queued messages to their channel: in batches over one connection, each once, with retries, on the record.

A worker claims a batch of due messages (:mod:`~needlewise.messaging.claiming`: each claim counts an
attempt, and two workers never hand the same message over at once). The batch goes through one
connection to the channel (one SMTP session), each message with its own outcome: a refused
recipient fails its own message, not the batch; a provider's reference for a message (an SMS's
SID) is stored as soon as it is given, for the provider's delivery reports. The outcomes are written
together in one transaction: the messages sent in one ``UPDATE``, a failure schedules the next attempt with backoff
(the first within a minute), after the last attempt the message is marked failed. Each outcome is an
audit row with the message's purpose and number of recipients, never its text or addresses.

A claimed message can still be taken back (cancelled, or replaced by a newer version with its key:
:mod:`~needlewise.messaging.outbox`) until it is handed over: just before handing each message over
the worker marks it ``handed_at`` with a conditional ``UPDATE`` (committed at once) that only finds it
still claimed. One taken back first is skipped (left as it is, never sent); once marked, a message can
no longer be taken back. One message at a time: a mark made ahead for several would refuse the
cancellation of a message not sent yet, and send it.

A worker killed in the middle of a batch writes nothing more: its messages stay "sending" until the lease
runs out, then any worker takes them again (each carries its stable ``Message-ID``, so a copy the
server had already accepted is the same message). The lease covers the whole batch: a message is
only started while the mail server's timeout still fits in it, and the rest are put back untried.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django_tasks import task

from needlewise.adapters.mail import MailConnection
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.contact import consent_to_contact, quiet_hours
from needlewise.clinic.local_time import ClinicClock, clock_of
from needlewise.domain.statuses import Channel, MessageStatus
from needlewise.messaging.claiming import Claimed, claim
from needlewise.services.ports import MessageSender, OutboundMessage
from needlewise.storage.models import QueuedMessage

#: Seconds to wait before each retry: the first within a minute, the last a day later.
BACKOFF_SECONDS = (30, 120, 600, 3600, 6 * 3600, 24 * 3600)
#: The first attempt and one per backoff step.
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
#: The most messages one batch claims (one connection, one transaction for the outcomes).
BATCH_MAX = 100
WORKER = Actor.system("worker")

#: What a provider's delivery report may have made of a message before its batch is recorded.
_REPORTED = (MessageStatus.DELIVERED, MessageStatus.FAILED)
#: Opens a connection to the channel for one batch: a sender that hands messages over through it.
Connect = Callable[[], AbstractContextManager[MessageSender]]


def _reason(error: Exception) -> str:
    """The error's kind and code, never its text (it may name the recipient): ``SMTPDataError 554``.

    The code is the mail server's, else the provider's (Twilio's error code), else the HTTP status.
    """
    codes = (getattr(error, name, None) for name in ("smtp_code", "code", "status"))
    code = next((c for c in codes if isinstance(c, int) and not isinstance(c, bool)), None)
    return type(error).__name__ + (f" {code}" if code is not None else "")


def _outbound(row: QueuedMessage) -> OutboundMessage:
    html = row.html or None
    return OutboundMessage(
        tuple(row.recipients),
        row.subject,
        row.text,
        html,
        purpose=row.purpose,
        key=row.key,
        clinic_id=row.clinic_id,
        channel=row.channel,
        client_id=row.client_id,
        urgent=row.urgent,
        unsubscribe_url=row.unsubscribe_url,
    )


@dataclass(slots=True)
class Batch:
    """What became of one claimed batch."""

    sent: list[QueuedMessage] = field(default_factory=list)
    failed: list[tuple[QueuedMessage, str]] = field(default_factory=list)
    #: Claimed but not tried (the lease would not cover them, or the worker was asked to stop): put back.
    untried: list[QueuedMessage] = field(default_factory=list)
    #: Not sent, for good: the client does not agree to be contacted on the message's channel.
    withheld: list[QueuedMessage] = field(default_factory=list)
    #: An SMS claimed in quiet hours: put back untried, due when they end.
    deferred: list[tuple[QueuedMessage, datetime]] = field(default_factory=list)
    #: Claimed, then taken back (cancelled or replaced) before its turn came: left as it is, not sent.
    taken_back: list[QueuedMessage] = field(default_factory=list)
    #: The provider's reference of each sent message that has one (an SMS's id), by row id; stored as each is sent.
    refs: dict[int, str] = field(default_factory=dict)

    @property
    def tried(self) -> int:
        """How many messages were handed to the channel (sent or not)."""
        return len(self.sent) + len(self.failed)


def _audit(row: QueuedMessage, action: str, outcome: str, **detail: object) -> None:
    facts: dict[str, object] = {"purpose": row.purpose, "recipients": len(row.recipients), "attempt": row.attempts}
    audit_log.record(WORKER, action, "message", row.pk, outcome=outcome, clinic_id=row.clinic_id, detail=facts | detail)


def _failed(row: QueuedMessage, reason: str, now: datetime) -> None:
    if row.attempts >= MAX_ATTEMPTS:
        QueuedMessage.objects.filter(pk=row.pk).update(status=MessageStatus.FAILED, lease_until=None, last_error=reason)
        _audit(row, "message_failed", "failed", error=reason)
        return
    retry_at = now + timedelta(seconds=BACKOFF_SECONDS[row.attempts - 1])
    QueuedMessage.objects.filter(pk=row.pk).update(
        status=MessageStatus.RETRYING, lease_until=None, next_attempt_at=retry_at, last_error=reason
    )
    _audit(row, "message_retry", "failed", error=reason, retry_at=retry_at.isoformat())


def _put_back(rows: Sequence[QueuedMessage], due: datetime | None = None) -> None:
    """Return claimed messages that were not tried, without the attempt their claim counted (due at ``due``)."""
    later = {"next_attempt_at": due} if due is not None else {}
    QueuedMessage.objects.filter(pk__in=[row.pk for row in rows], status=MessageStatus.SENDING).update(
        status=Case(
            When(attempts__gt=1, then=Value(MessageStatus.RETRYING.value)), default=Value(MessageStatus.QUEUED.value)
        ),
        attempts=F("attempts") - 1,
        lease_until=None,
        handed_at=None,
        **later,
    )


def record(batch: Batch) -> None:
    """Write what became of ``batch``: one transaction, the sent messages in one statement."""
    now = timezone.now()
    with transaction.atomic():
        if batch.sent:  # not those the provider has reported on already (delivered or failed)
            QueuedMessage.objects.filter(pk__in=[row.pk for row in batch.sent]).exclude(status__in=_REPORTED).update(
                status=MessageStatus.SENT, lease_until=None, sent_at=now, last_error=""
            )
        for row in batch.sent:
            _audit(row, "message_sent", "success")
        for row, reason in batch.failed:
            _failed(row, reason, now)
        if batch.untried:
            _put_back(batch.untried)
        for row, due in batch.deferred:
            _put_back([row], due)
        if batch.withheld:
            withheld = [row.pk for row in batch.withheld]  # not one taken back since the claim
            QueuedMessage.objects.filter(pk__in=withheld, status=MessageStatus.SENDING).update(
                status=MessageStatus.WITHHELD, lease_until=None, last_error="no consent to this channel"
            )
        for row in batch.withheld:
            _audit(row, "message_withheld", "denied", channel=row.channel)


def _sort_out(claimed: Claimed, batch: Batch) -> list[QueuedMessage]:
    """The claimed messages that may go now; the others withheld (no consent) or deferred (quiet hours)."""
    to_clients = {(row.client_id, row.channel) for row in claimed.rows if row.client_id is not None}
    agree = consent_to_contact.agreed(to_clients)
    now, clocks = timezone.now(), {}
    going = []
    for row in claimed.rows:
        if row.client_id is not None and (row.client_id, row.channel) not in agree:
            batch.withheld.append(row)
            continue
        if row.channel == Channel.SMS and not row.urgent:
            if row.clinic_id not in clocks:
                clocks[row.clinic_id] = (
                    clock_of(row.clinic_id) if row.clinic_id is not None else ClinicClock.named("UTC")
                )
            if quiet_hours.quiet(now, clocks[row.clinic_id]):
                batch.deferred.append((row, quiet_hours.next_allowed(now, clocks[row.clinic_id])))
                continue
        going.append(row)
    return going


def _handing(row: QueuedMessage) -> bool:
    """Mark ``row`` as being handed over now if it is still claimed (not taken back since); whether it was.

    Its own statement, committed before the message goes: a cancellation committed first makes it find
    nothing (the message is skipped), one coming after finds the mark (and leaves the message as it is).
    """
    unsent = QueuedMessage.objects.filter(pk=row.pk, status=MessageStatus.SENDING, handed_at__isnull=True)
    return unsent.update(handed_at=timezone.now()) == 1


def _hand_over(
    claimed: Claimed, rows: list[QueuedMessage], channel: MessageSender, stopped: Callable[[], bool], batch: Batch
) -> None:
    # The first message always goes; each later one only while the mail server's timeout fits in the lease.
    last_start = claimed.until - timedelta(seconds=float(settings.EMAIL_TIMEOUT or 0))
    for index, row in enumerate(rows):
        if index and (stopped() or timezone.now() >= last_start):
            batch.untried = rows[index:]
            return
        if not _handing(row):
            batch.taken_back.append(row)
            continue
        try:
            ref = channel.send(_outbound(row))
        except Exception as error:  # noqa: BLE001 - any failure to hand it over is retried, never lost
            batch.failed.append((row, _reason(error)))
        else:
            batch.sent.append(row)
            if ref:  # kept at once: the provider's report on it may come before the batch is recorded
                batch.refs[row.pk] = ref
                QueuedMessage.objects.filter(pk=row.pk).update(provider_ref=ref[:64])


def _going() -> bool:
    return False


def deliver_batch(
    limit: int,
    connect: Connect = MailConnection,
    stopped: Callable[[], bool] = _going,
    channel: Channel = Channel.EMAIL,
) -> Batch:
    """Claim up to ``limit`` due messages of ``channel``, hand them over through one connection, record the outcomes.

    Messages to a client who does not agree to the channel are withheld, an SMS in quiet hours waits for
    them to end. ``stopped()`` true between two messages puts the rest back untried (a worker asked to
    stop). A connection that cannot be opened fails every message of the batch, each retried with backoff.
    """
    claimed, batch = claim(limit, channel), Batch()
    if not claimed.rows:
        return batch
    going = _sort_out(claimed, batch)
    with ExitStack() as stack:
        try:
            sender = stack.enter_context(connect()) if going else None
        except Exception as error:  # noqa: BLE001 - no connection: every message waits for its retry
            batch.failed = [(row, _reason(error)) for row in going]
        else:
            if sender is not None:
                _hand_over(claimed, going, sender, stopped, batch)
    record(batch)
    return batch


@task(queue_name="messages")
def deliver(message_pk: int) -> str:
    """The job earlier versions queued with each message: a batch of due messages now, that one among them.

    Messages need no job any more (the worker takes them from their table), but such jobs may still
    wait in a database; each runs as one batch, and finds nothing to do if its message was sent already.
    """
    batch = deliver_batch(BATCH_MAX)
    return f"message {message_pk}: {len(batch.sent)} sent, {len(batch.failed)} failed in its batch"
