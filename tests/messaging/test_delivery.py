"""The message queue: asked for in a transaction, handed over once, retried with backoff, given up on the record."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from needlewise.domain.statuses import MessageStatus
from needlewise.messaging import delivery, worker
from needlewise.messaging.outbox import OutboxSender, queue
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import AuditEntry, QueuedMessage

pytestmark = pytest.mark.django_db

HELLO = OutboundMessage(("a@example.org", "b@example.org"), "Hello", "Sign in: https://x.example/", key="hello:1")


class Channel:
    """A channel that keeps what it is given, or fails the first ``failures`` times."""

    def __init__(self, failures: int = 0) -> None:
        self.sent: list[OutboundMessage] = []
        self.failures = failures

    def send(self, message: OutboundMessage) -> None:
        if self.failures:
            self.failures -= 1
            raise smtplib.SMTPServerDisconnected
        self.sent.append(message)


def message_rows() -> list[tuple[str, str, str, dict[str, object]]]:
    rows = AuditEntry.objects.filter(object_type="message").order_by("seq")
    return [(r.action, r.outcome, r.actor, r.detail) for r in rows]


def due_now() -> None:
    """Let the clock pass the next attempt's time (the jobs' and the messages')."""
    past = timezone.now() - timedelta(seconds=1)
    QueuedMessage.objects.update(next_attempt_at=past)
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=past)


def test_a_message_is_stored_with_its_job_and_sent_once():
    OutboxSender().send(HELLO)
    row = QueuedMessage.objects.get()
    assert (row.status, row.attempts, row.recipients, row.purpose) == (
        "queued",
        0,
        ["a@example.org", "b@example.org"],
        "message",
    )
    (job,) = DBTaskResult.objects.all()
    assert (job.task_path, job.args_kwargs["args"]) == ("needlewise.messaging.delivery.deliver", [row.pk])
    channel = Channel()
    assert delivery.attempt(row.pk, channel) == MessageStatus.SENT
    assert delivery.attempt(row.pk, channel) == "not due"  # never twice
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
    assert (QueuedMessage.objects.count(), DBTaskResult.objects.count()) == (1, 1)
    assert queue(OutboundMessage(("a@example.org",), "s", "t")).message.key.startswith("message:")


def test_a_failure_is_retried_with_backoff_then_delivered():
    row = queue(HELLO).message
    channel = Channel(failures=2)
    before = timezone.now()
    assert delivery.attempt(row.pk, channel) == MessageStatus.RETRYING
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("retrying", 1, "SMTPServerDisconnected")
    assert (
        before + timedelta(seconds=29) < row.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    )  # within a minute
    retry = DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by("-enqueued_at").first()
    assert retry is not None
    assert retry.run_after == row.next_attempt_at
    assert delivery.attempt(row.pk, channel) == "not due"  # early: the scheduled job will do it
    due_now()
    assert delivery.attempt(row.pk, channel) == MessageStatus.RETRYING
    row.refresh_from_db()
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=110)  # the second wait is two minutes
    due_now()
    assert delivery.attempt(row.pk, channel) == MessageStatus.SENT
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
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        assert delivery.attempt(row.pk, channel) == MessageStatus.RETRYING
        due_now()
    assert delivery.attempt(row.pk, channel) == MessageStatus.FAILED
    assert delivery.attempt(row.pk, channel) == "not due"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("failed", delivery.MAX_ATTEMPTS, "SMTPServerDisconnected")
    action, outcome, _, detail = message_rows()[-1]
    assert (action, outcome, detail["error"]) == ("message_failed", "failed", "SMTPServerDisconnected")


def test_an_smtp_refusal_keeps_its_code():
    class Refusing:
        def send(self, message: OutboundMessage) -> None:
            del message
            raise smtplib.SMTPDataError(554, b"rejected")

    row = queue(HELLO).message
    delivery.attempt(row.pk, Refusing())
    row.refresh_from_db()
    assert row.last_error == "SMTPDataError 554"


def test_a_live_lease_is_not_overtaken_and_an_expired_one_is():
    row = queue(HELLO).message
    QueuedMessage.objects.filter(pk=row.pk).update(
        status=MessageStatus.SENDING, attempts=1, lease_until=timezone.now() + timedelta(seconds=60)
    )
    channel = Channel()
    assert delivery.attempt(row.pk, channel) == "not due"  # another worker is handing it over
    QueuedMessage.objects.filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert delivery.attempt(row.pk, channel) == MessageStatus.SENT  # that worker died: taken again
    row.refresh_from_db()
    assert (row.attempts, len(channel.sent)) == (2, 1)


def test_a_job_for_a_message_that_is_gone_does_nothing():
    assert delivery.attempt(987654, Channel()) == "not due"


def test_jobs_held_by_a_dead_worker_are_put_back_after_the_lease(settings):
    settings.NEEDLEWISE_MESSAGE_LEASE_SECONDS = 60
    queue(HELLO)
    job = DBTaskResult.objects.get()
    job.claim("dead-worker")
    assert worker.requeue_abandoned() == 0  # just claimed: its worker may be working
    DBTaskResult.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(seconds=61))
    assert worker.requeue_abandoned() == 1
    job.refresh_from_db()
    assert (job.status, job.started_at) == (TaskResultStatus.READY, None)


def test_the_worker_runs_ready_jobs_and_stops_when_asked(mailoutbox):
    for n in range(3):
        queue(OutboundMessage((f"to{n}@example.org",), f"Hello {n}", "Words.", key=f"hello:{n}"))
    looks: list[int] = []

    def stopped() -> bool:
        looks.append(1)
        return len(looks) > 1  # asked again before sleeping: it stops without sleeping

    assert worker.run(interval=0, stopped=stopped, worker_id="w1") == 3
    assert sorted(m.subject for m in mailoutbox) == ["Hello 0", "Hello 1", "Hello 2"]
    assert all(m.extra_headers["Message-ID"].endswith("@localhost>") for m in mailoutbox)
    assert set(QueuedMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert worker.run(interval=0, stopped=lambda: True) == 0
