"""The message queue: asked for in a transaction, handed over once in batches, retried, given up on the record."""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from needlewise.domain.statuses import MessageStatus
from needlewise.messaging import claiming, delivery, worker
from needlewise.messaging.outbox import OutboxSender, queue
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import AuditEntry, QueuedMessage

pytestmark = pytest.mark.django_db

HELLO = OutboundMessage(("a@example.org", "b@example.org"), "Hello", "Sign in: https://x.example/", key="hello:1")


class Channel:
    """A channel that keeps what it is given, fails the first ``failures`` times, and refuses some addresses."""

    def __init__(self, failures: int = 0, refused: tuple[str, ...] = ()) -> None:
        self.sent: list[OutboundMessage] = []
        self.failures = failures
        self.refused = refused
        self.connections = 0
        self.batches: list[int] = []  # messages handed over through each connection

    @contextlib.contextmanager
    def connect(self) -> Iterator[Channel]:
        self.connections += 1
        self.batches.append(0)
        yield self

    def send(self, message: OutboundMessage) -> None:
        self.batches[-1] += 1
        if self.failures:
            self.failures -= 1
            raise smtplib.SMTPServerDisconnected
        if set(message.to) & set(self.refused):
            raise smtplib.SMTPRecipientsRefused(dict.fromkeys(message.to, (550, b"no such user")))
        self.sent.append(message)


def deliver(channel: Channel, limit: int = delivery.BATCH_MAX) -> delivery.Batch:
    return delivery.deliver_batch(limit, channel.connect)


def message_rows() -> list[tuple[str, str, str, dict[str, object]]]:
    rows = AuditEntry.objects.filter(object_type="message").order_by("pk")
    return [(r.action, r.outcome, r.actor, r.detail) for r in rows]


def due_now() -> None:
    """Let the clock pass the next attempt's time."""
    QueuedMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def several(count: int) -> list[QueuedMessage]:
    return [
        queue(OutboundMessage((f"to{n}@example.org",), f"Hello {n}", "Words.", key=f"hello:{n}")).message
        for n in range(count)
    ]


def test_a_message_is_stored_as_its_own_job_and_sent_once():
    OutboxSender().send(HELLO)
    row = QueuedMessage.objects.get()
    assert (row.status, row.attempts, row.recipients, row.purpose) == (
        "queued",
        0,
        ["a@example.org", "b@example.org"],
        "message",
    )
    assert not DBTaskResult.objects.exists()  # the row is the job
    channel = Channel()
    assert [r.pk for r in deliver(channel).sent] == [row.pk]
    assert deliver(channel).tried == 0  # never twice
    assert [m.key for m in channel.sent] == ["hello:1"]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.lease_until, row.sent_at is not None) == ("sent", 1, None, True)
    assert message_rows() == [
        ("message_sent", "success", "system:worker", {"purpose": "message", "recipients": 2, "attempt": 1})
    ]


def test_a_message_names_itself_without_recipients_or_text():
    row = queue(HELLO).message
    assert str(row) == f"message {row.pk} (message, queued)"


def test_the_same_key_is_queued_once():
    first, again = queue(HELLO), queue(HELLO)
    assert (first.created, again.created, again.message.pk) == (True, False, first.message.pk)
    assert QueuedMessage.objects.count() == 1
    assert queue(OutboundMessage(("a@example.org",), "s", "t")).message.key.startswith("message:")


def test_a_batch_goes_through_one_connection_and_a_refused_recipient_fails_only_its_message():
    rows = several(4)
    channel = Channel(refused=("to1@example.org",))
    batch = deliver(channel)
    assert (channel.connections, channel.batches) == (1, [4])
    assert [m.key for m in channel.sent] == ["hello:0", "hello:2", "hello:3"]
    assert [(r.pk, reason) for r, reason in batch.failed] == [(rows[1].pk, "SMTPRecipientsRefused")]
    states = dict(QueuedMessage.objects.values_list("key", "status"))
    assert states == {"hello:0": "sent", "hello:1": "retrying", "hello:2": "sent", "hello:3": "sent"}
    assert sorted(a for a, _, _, _ in message_rows()) == ["message_retry", *["message_sent"] * 3]


def test_a_claim_takes_the_oldest_due_messages_up_to_its_limit():
    rows = several(4)
    QueuedMessage.objects.filter(pk=rows[0].pk).update(
        status=MessageStatus.RETRYING, attempts=1, next_attempt_at=timezone.now() + timedelta(seconds=30)
    )
    QueuedMessage.objects.filter(pk=rows[3].pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    claimed = claiming.claim(2)
    assert [r.pk for r in claimed.rows] == [rows[3].pk, rows[1].pk]  # oldest due first; the retry waits
    assert {(r.status, r.attempts, r.lease_until) for r in claimed.rows} == {("sending", 1, claimed.until)}
    assert [r.pk for r in claiming.claim(5).rows] == [rows[2].pk]  # the claimed ones are not taken twice
    assert claiming.claim(5).rows == []


def test_a_failure_is_retried_with_backoff_then_delivered():
    row = queue(HELLO).message
    channel = Channel(failures=2)
    before = timezone.now()
    assert deliver(channel).failed
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("retrying", 1, "SMTPServerDisconnected")
    assert (
        before + timedelta(seconds=29) < row.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    )  # within a minute
    assert deliver(channel).tried == 0  # early: it waits for its time
    due_now()
    assert deliver(channel).failed
    row.refresh_from_db()
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=110)  # the second wait is two minutes
    due_now()
    assert deliver(channel).sent
    assert len(channel.sent) == 1
    assert [(a, o) for a, o, _, _ in message_rows()] == [
        ("message_retry", "failed"),
        ("message_retry", "failed"),
        ("message_sent", "success"),
    ]
    assert "https://x.example/" not in str(message_rows())  # never the text


def test_after_the_last_attempt_the_message_is_given_up_on_the_record():
    row = queue(HELLO).message
    channel = Channel(failures=delivery.MAX_ATTEMPTS)
    for _ in range(delivery.MAX_ATTEMPTS):
        assert deliver(channel).failed
        due_now()
    assert deliver(channel).tried == 0
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("failed", delivery.MAX_ATTEMPTS, "SMTPServerDisconnected")
    action, outcome, _, detail = message_rows()[-1]
    assert (action, outcome, detail["error"]) == ("message_failed", "failed", "SMTPServerDisconnected")


def test_an_smtp_refusal_keeps_its_code():
    class Refusing(Channel):
        def send(self, message: OutboundMessage) -> None:
            del message
            raise smtplib.SMTPDataError(554, b"rejected")

    row = queue(HELLO).message
    deliver(Refusing())
    row.refresh_from_db()
    assert row.last_error == "SMTPDataError 554"


def test_a_connection_that_cannot_be_opened_fails_the_whole_batch_for_a_retry():
    several(3)

    def down() -> contextlib.AbstractContextManager[Channel]:
        raise ConnectionRefusedError

    batch = delivery.deliver_batch(10, down)
    assert (len(batch.failed), batch.sent) == (3, [])
    assert set(QueuedMessage.objects.values_list("status", "attempts", "last_error")) == {
        ("retrying", 1, "ConnectionRefusedError")
    }


def test_a_live_lease_is_not_overtaken_and_an_expired_one_is():
    row = queue(HELLO).message
    QueuedMessage.objects.filter(pk=row.pk).update(
        status=MessageStatus.SENDING, attempts=1, lease_until=timezone.now() + timedelta(seconds=60)
    )
    channel = Channel()
    assert deliver(channel).tried == 0  # another worker is handing it over
    QueuedMessage.objects.filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert deliver(channel).sent  # that worker died: taken again
    row.refresh_from_db()
    assert (row.attempts, len(channel.sent)) == (2, 1)


def test_messages_the_lease_cannot_cover_are_put_back_untried(settings):
    settings.NEEDLEWISE_MESSAGE_LEASE_SECONDS = 20
    settings.EMAIL_TIMEOUT = 30  # not even one more message fits after the first
    rows = several(3)
    QueuedMessage.objects.filter(pk=rows[2].pk).update(status=MessageStatus.RETRYING, attempts=2, last_error="X")
    channel = Channel()
    batch = deliver(channel)
    assert ([r.pk for r in batch.sent], [r.pk for r in batch.untried]) == ([rows[0].pk], [rows[1].pk, rows[2].pk])
    assert channel.batches == [1]
    states = list(QueuedMessage.objects.order_by("pk").values_list("status", "attempts", "lease_until"))
    assert states == [("sent", 1, None), ("queued", 0, None), ("retrying", 2, None)]  # no attempt charged
    assert deliver(channel).sent  # due at once: the next batch takes them


def test_a_worker_asked_to_stop_puts_the_rest_of_its_batch_back():
    several(3)
    channel = Channel()
    batch = delivery.deliver_batch(10, channel.connect, stopped=lambda: channel.batches[-1] >= 1)
    assert (len(batch.sent), len(batch.untried)) == (1, 2)
    assert sorted(QueuedMessage.objects.values_list("status", flat=True)) == ["queued", "queued", "sent"]


def test_batches_start_small_and_grow_while_everything_goes_through():
    several(12)
    channel = Channel()
    assert worker.deliver_due(lambda: False, channel.connect) == 12
    assert channel.batches == [1, 2, 4, 5]


def test_a_failure_shrinks_the_batch_and_a_batch_with_nothing_through_ends_the_round():
    several(10)
    channel = Channel(refused=("to2@example.org",))
    assert worker.deliver_due(lambda: False, channel.connect) == 10
    assert channel.batches == [1, 2, 1, 2, 4]  # the second batch had a refusal: back to one
    down = Channel(failures=100)
    due_now()
    assert worker.deliver_due(lambda: False, down.connect) == 1  # the refused one failed again: the round ends
    assert worker.deliver_due(lambda: True, down.connect) == 0  # asked to stop: nothing taken


def test_a_job_queued_by_an_earlier_version_delivers_a_batch(mailoutbox):
    rows = several(2)
    delivery.deliver.enqueue(rows[0].pk)
    assert worker.run_ready("w1") == 1
    assert sorted(m.subject for m in mailoutbox) == ["Hello 0", "Hello 1"]
    job = DBTaskResult.objects.get()
    assert job.return_value == f"message {rows[0].pk}: 2 sent, 0 failed in its batch"


def test_jobs_held_by_a_dead_worker_are_put_back_after_the_lease(settings):
    settings.NEEDLEWISE_MESSAGE_LEASE_SECONDS = 60
    delivery.deliver.enqueue(queue(HELLO).message.pk)
    job = DBTaskResult.objects.get()
    job.claim("dead-worker")
    assert worker.requeue_abandoned() == 0  # just claimed: its worker may be working
    DBTaskResult.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(seconds=61))
    assert worker.requeue_abandoned() == 1
    job.refresh_from_db()
    assert (job.status, job.started_at) == (TaskResultStatus.READY, None)


def test_the_worker_delivers_due_messages_and_stops_when_asked(mailoutbox):
    several(3)
    looks: list[int] = []

    def stopped() -> bool:
        looks.append(1)
        return len(looks) > 4  # asked again before sleeping: it stops without sleeping

    assert worker.run(interval=0, stopped=stopped, worker_id="w1") == 3
    assert sorted(m.subject for m in mailoutbox) == ["Hello 0", "Hello 1", "Hello 2"]
    assert all(m.extra_headers["Message-ID"].endswith("@localhost>") for m in mailoutbox)
    assert set(QueuedMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert worker.run(interval=0, stopped=lambda: True) == 0
