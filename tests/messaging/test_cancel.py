"""Taking a message back by its key: cancelled or replaced before it is handed over, never after.

The worker marks each claimed message just before it hands it over (one at a time), if it is still
claimed; a cancellation only finds a message not marked. So a message cancelled after a worker claimed
it, even while the worker sends earlier ones of its batch, is skipped, and one being handed over can no
longer be cancelled. Through a real SMTP server on loopback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from needlewise.adapters.mail import MailConnection, message_id
from needlewise.domain.statuses import MessageStatus
from needlewise.messaging import delivery, outbox, worker
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import QueuedMessage
from smtp_support import Inbox, smtp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    with smtp_server() as inbox:
        yield inbox


def note(key: str, text: str = "See you.\n", **more: object) -> OutboundMessage:
    return OutboundMessage(("a@example.org",), "Note", text, key=key, **more)  # type: ignore[arg-type]


def status(key: str) -> str:
    return QueuedMessage.objects.get(key=key).status


def connect_after(step: object) -> delivery.Connect:
    """The SMTP connection, opened after ``step()`` ran: between the worker's claim and its first message."""

    @contextlib.contextmanager
    def connect() -> Iterator[MailConnection]:
        step()  # type: ignore[operator]
        with MailConnection() as connection:
            yield connection

    return connect


def test_a_cancelled_message_never_arrives(smtp_inbox):
    outbox.queue(note("note:1"))
    outbox.queue(note("note:2"))
    assert outbox.cancel("note:1", "changed their mind") == 1
    assert delivery.deliver_batch(10).tried == 1
    assert [m["Message-ID"] for m in smtp_inbox.messages()] == [message_id("note:2")]
    row = QueuedMessage.objects.get(key="note:1")
    assert (row.status, row.last_error, row.sent_at) == ("cancelled", "changed their mind", None)
    assert outbox.cancel("note:2", "too late") == 0  # sent: it stands
    assert status("note:2") == "sent"


def test_cancelling_by_prefix_takes_back_every_waiting_message_and_no_other(smtp_inbox):
    for key in ("trip:1:a", "trip:1:b", "trip:10:a"):
        outbox.queue(note(key))
    assert outbox.cancel("trip:1:", "trip cancelled", prefix=True) == 2
    assert outbox.cancel("trip:1:", "again", prefix=True) == 0
    delivery.deliver_batch(10)
    assert len(smtp_inbox.envelopes) == 1
    assert [status(k) for k in ("trip:1:a", "trip:1:b", "trip:10:a")] == ["cancelled", "cancelled", "sent"]


def test_a_message_cancelled_after_a_worker_claimed_it_is_skipped_and_never_arrives(smtp_inbox):
    outbox.queue(note("claimed:1"))
    batch = delivery.deliver_batch(10, connect_after(lambda: outbox.cancel("claimed:1", "stopped")))
    assert (batch.tried, [r.key for r in batch.taken_back], smtp_inbox.envelopes) == (0, ["claimed:1"], [])
    row = QueuedMessage.objects.get(key="claimed:1")
    assert (row.status, row.last_error, row.lease_until) == ("cancelled", "stopped", None)
    assert worker.deliver_due(lambda: False) == 0  # never taken again
    assert smtp_inbox.envelopes == []


def test_a_message_being_handed_over_can_no_longer_be_cancelled(smtp_inbox):
    outbox.queue(note("handing:1"))
    tried: list[int] = []

    class Cancelling(MailConnection):
        def send(self, message: OutboundMessage) -> None:
            tried.append(outbox.cancel(message.key, "too late"))  # marked as being handed over: it stands
            super().send(message)

    assert delivery.deliver_batch(10, Cancelling).tried == 1
    assert (tried, len(smtp_inbox.envelopes), status("handing:1")) == ([0], 1, "sent")


def test_a_batch_of_messages_taken_back_goes_on_to_the_next(smtp_inbox):
    outbox.queue(note("first:1"))
    outbox.queue(note("second:1"))
    cancelled: list[int] = []

    def cancel_first() -> None:
        if not cancelled:
            cancelled.append(outbox.cancel("first:1", "stopped"))

    assert worker.deliver_channel(lambda: False, connect_after(cancel_first)) == 1
    assert [m["Message-ID"] for m in smtp_inbox.messages()] == [message_id("second:1")]
    assert (status("first:1"), status("second:1")) == ("cancelled", "sent")


def test_replacing_a_waiting_message_changes_its_words_and_time(smtp_inbox):
    now = timezone.now()
    outbox.queue(note("moving:1", "Old words.\n", not_before=now + timedelta(days=1)))
    replaced = outbox.replace(note("moving:1", "New words.\n", not_before=now + timedelta(days=2)))
    assert not replaced.created
    assert replaced.message.text == "New words.\n"
    assert replaced.message.next_attempt_at == now + timedelta(days=2)
    with time_machine.travel(now + timedelta(days=1, minutes=1)):
        assert delivery.deliver_batch(10).tried == 0
    with time_machine.travel(now + timedelta(days=2, minutes=1)):
        assert delivery.deliver_batch(10).tried == 1
    (message,) = smtp_inbox.messages()
    assert message.get_content().splitlines() == ["New words."]


def test_replacing_a_claimed_message_puts_it_back_with_the_new_words(smtp_inbox):
    outbox.queue(note("claimed:2", "Old words.\n"))
    batch = delivery.deliver_batch(10, connect_after(lambda: outbox.replace(note("claimed:2", "New words.\n"))))
    assert (batch.tried, smtp_inbox.envelopes) == (0, [])
    row = QueuedMessage.objects.get(key="claimed:2")
    assert (row.status, row.attempts, row.text) == ("queued", 0, "New words.\n")
    assert delivery.deliver_batch(10).tried == 1
    (message,) = smtp_inbox.messages()
    assert message.get_content().splitlines() == ["New words."]


def test_replacing_revives_a_cancelled_message_and_queues_a_new_one_but_a_sent_one_stands(smtp_inbox):
    outbox.queue(note("again:1", "First.\n"))
    outbox.cancel("again:1", "stopped")
    assert outbox.replace(note("again:1", "Second.\n")).message.status == MessageStatus.QUEUED
    assert outbox.replace(note("fresh:1")).created
    delivery.deliver_batch(10)
    stood = outbox.replace(note("again:1", "Third.\n"))
    assert (stood.created, stood.message.status, stood.message.text) == (False, "sent", "Second.\n")
    assert [m.get_content().splitlines()[0] for m in smtp_inbox.messages()] == ["Second.", "See you."]


def test_replacing_needs_a_key_and_an_e_mail_to_a_client_needs_its_unsubscribe_link():
    with pytest.raises(ValueError, match="key"):
        outbox.replace(note(""))
    with pytest.raises(ValueError, match="key"):
        outbox.put(note(""))
    with pytest.raises(ValueError, match="unsubscribe_url"):
        outbox.put(note("client:1", client_id=1))
    with pytest.raises(ValueError, match="unsubscribe_url"):
        outbox.replace(note("client:1", client_id=1))


def test_putting_is_replacing_without_reading_back(smtp_inbox, django_assert_num_queries):
    with django_assert_num_queries(2):  # nothing to change in place: inserted (no savepoint, no read)
        outbox.put(note("put:1", "First.\n"))
    with django_assert_num_queries(1):  # the waiting one changed in place
        outbox.put(note("put:1", "Second.\n"))
    outbox.cancel("put:1", "stopped")
    outbox.put(note("put:1", "Third.\n"))  # a cancelled one is revived
    row = QueuedMessage.objects.get(key="put:1")
    assert (row.status, row.attempts, row.text) == ("queued", 0, "Third.\n")
    delivery.deliver_batch(10)
    outbox.put(note("put:1", "Fourth.\n"))  # one already sent stands: no error, nothing changed
    row = QueuedMessage.objects.get(key="put:1")
    assert (row.status, row.text) == ("sent", "Third.\n")
    assert [m.get_content().splitlines()[0] for m in smtp_inbox.messages()] == ["Third."]


def test_a_message_cancelled_while_the_worker_sends_earlier_ones_of_its_batch_is_never_sent(smtp_inbox):
    keys = [f"batch:{n:02d}" for n in range(12)]  # more than the ten a worker once marked ahead at a time
    for key in keys:
        outbox.queue(note(key))
    tried: list[int] = []

    class CancellingLater(MailConnection):
        def send(self, message: OutboundMessage) -> None:
            if not tried:  # the first message is being handed over: the rest of the batch waits its turn
                tried.extend([outbox.cancel(keys[0], "too late"), *(outbox.cancel(k, "in time") for k in keys[1::5])])
            super().send(message)

    batch = delivery.deliver_batch(100, CancellingLater)
    assert tried == [0, 1, 1, 1]  # the one being handed over stands; each one still waiting is taken back
    assert sorted(r.key for r in batch.taken_back) == keys[1::5]
    assert [m["Message-ID"] for m in smtp_inbox.messages()] == [message_id(k) for k in keys if k not in keys[1::5]]
    assert [status(k) for k in keys[1::5]] == ["cancelled"] * 3
    assert status(keys[0]) == "sent"


@pytest.mark.parametrize("keep", ["", "jr:a_1%:wait"])
def test_cancelling_by_prefix_takes_back_what_the_unsent_query_finds_and_only_under_the_prefix(keep):
    now = timezone.now()
    keys = {
        "jr:a_1%:wait": {"status": "queued"},
        "jr:a_1%:retry": {"status": "retrying"},
        "jr:a_1%:claimed": {"status": "sending"},
        "jr:a_1%:handing": {"status": "sending", "handed_at": now},
        "jr:a_1%:sent": {"status": "sent"},
        "jr:a_1%:failed": {"status": "failed"},
        "jr:ab1x:wait": {"status": "queued"},  # "_" and "%" in the prefix are not wildcards
        "jr:a_1X:wait": {"status": "queued"},
        "other:a_1%:wait": {"status": "queued"},
    }
    for key, fields in keys.items():
        outbox.queue(note(key))
        QueuedMessage.objects.filter(key=key).update(**fields)
    expected = set(
        QueuedMessage.objects.filter(QueuedMessage.unsent(), key__in=[k for k in keys if k.startswith("jr:a_1%:")])
        .exclude(key=keep)
        .values_list("key", flat=True)
    )
    assert outbox.cancel("jr:a_1%:", "stopped", prefix=True, keep=keep) == len(expected)
    cancelled = set(QueuedMessage.objects.filter(status="cancelled").values_list("key", flat=True))
    assert cancelled == expected
    assert expected == {"jr:a_1%:wait", "jr:a_1%:retry", "jr:a_1%:claimed"} - {keep}
    assert QueuedMessage.objects.get(key="jr:a_1%:wait").last_error == ("" if keep else "stopped")
