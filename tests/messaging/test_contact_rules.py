"""Who may be sent what, and when: consent to contact per channel, quiet hours for SMS (issue 14)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from clinic_factories import make_site
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.contact import consent_to_contact, quiet_hours
from needlewise.clinic.local_time import ClinicClock
from needlewise.domain.permissions import Role
from needlewise.domain.statuses import Channel, ContactMethod, MessageStatus
from needlewise.errors import NotAllowedError, NotFoundError
from needlewise.messaging import delivery, worker
from needlewise.messaging.outbox import due_at, queue
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import AuditEntry, ContactConsent, QueuedMessage

MADRID = ClinicClock.named("Europe/Madrid")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2026, 12, 7, 12, 0), utc(2026, 12, 7, 12, 0)),  # 13:00 in Madrid: not quiet
        (utc(2026, 12, 7, 19, 59), utc(2026, 12, 7, 19, 59)),  # 20:59 in Madrid
        (utc(2026, 12, 7, 20, 0), utc(2026, 12, 8, 7, 0)),  # 21:00 in Madrid (winter): 08:00 next day is 07:00Z
        (utc(2026, 12, 7, 23, 30), utc(2026, 12, 8, 7, 0)),  # after midnight in Madrid: the same morning
        (utc(2026, 12, 8, 6, 59), utc(2026, 12, 8, 7, 0)),
        (utc(2026, 7, 7, 19, 0), utc(2026, 7, 8, 6, 0)),  # 21:00 in a Madrid summer: 08:00 is 06:00Z
        (utc(2026, 3, 28, 21, 0), utc(2026, 3, 29, 6, 0)),  # the night the clocks go forward
        (utc(2026, 10, 24, 20, 0), utc(2026, 10, 25, 7, 0)),  # the night the clocks go back
    ],
)
def test_quiet_hours_end_at_eight_on_the_clinics_wall_clock_across_daylight_saving(
    instant: datetime, expected: datetime
) -> None:
    assert quiet_hours.next_allowed(instant, MADRID) == expected


NAIVE_BOUNDS = (datetime(2000, 1, 1), datetime(2100, 1, 1))  # noqa: DTZ001 - Hypothesis takes naive bounds, the values get UTC


@given(st.datetimes(*NAIVE_BOUNDS, timezones=st.just(UTC)))
def test_an_allowed_instant_is_never_quiet_never_earlier_and_within_eleven_hours(instant: datetime) -> None:
    allowed = quiet_hours.next_allowed(instant, MADRID)
    assert not quiet_hours.quiet(allowed, MADRID)
    assert instant <= allowed <= instant + timedelta(hours=12)


@pytest.fixture
def site():
    return make_site("Reach Clinic", "reach", "Rita", "Reachable")


def to_client(site, channel: Channel = Channel.EMAIL, key: str = "k1", **more: object) -> OutboundMessage:
    to = site.client.email if channel == Channel.EMAIL else "+34600000001"
    return OutboundMessage(
        (to,),
        "Your check-in",
        "https://x.example/c/1",
        purpose="checkin_link",
        key=key,
        clinic_id=site.clinic.pk,
        client_id=site.client.pk,
        channel=channel.value,
        **({"unsubscribe_url": "https://x.example/unsubscribe/t/"} | more),
    )


class Sink:
    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    @contextlib.contextmanager
    def connect(self) -> Iterator[Sink]:
        yield self

    def send(self, message: OutboundMessage) -> None:
        self.sent.append(message)


@pytest.mark.django_db
def test_staff_record_consent_per_channel_with_when_by_whom_and_how(site) -> None:
    desk = site.actor(Role.FRONT_DESK)
    assert not consent_to_contact.standing(site.client.pk)[Channel.EMAIL].granted
    row = consent_to_contact.record(desk, site.client.pk, Channel.EMAIL, granted=True, method=ContactMethod.ON_PAPER)
    consent_to_contact.record(desk, site.client.pk, Channel.SMS, granted=False, method=ContactMethod.BY_PHONE)
    standing = consent_to_contact.standing(site.client.pk)
    assert standing[Channel.EMAIL].granted
    assert standing[Channel.EMAIL].row == row
    assert not standing[Channel.SMS].granted
    assert standing[Channel.SMS].row is not None
    assert row.recorded_by_id == desk.user_id
    assert row.method == "on_paper"
    assert row.recorded_at is not None
    audit = AuditEntry.objects.filter(object_type="contact_consent").order_by("pk").last()
    assert audit is not None
    assert audit.detail == {"channel": "sms", "granted": False, "method": "by_phone"}
    assert [r.channel for r in consent_to_contact.history(site.client.pk)] == ["sms", "email"]


@pytest.mark.django_db
def test_consent_is_recorded_only_by_staff_and_only_in_their_clinic(site) -> None:
    other = make_site("Other Clinic", "other", "Otto", "Other")
    with pytest.raises(NotAllowedError):  # the operator's command line is no one who heard the client
        consent_to_contact.record(
            Actor.system("x"), site.client.pk, Channel.EMAIL, granted=True, method=ContactMethod.IN_PERSON
        )
    with pytest.raises(NotFoundError):
        consent_to_contact.record(
            other.actor(Role.FRONT_DESK), site.client.pk, Channel.EMAIL, granted=True, method=ContactMethod.IN_PERSON
        )
    assert not ContactConsent.objects.exists()


@pytest.mark.django_db
def test_a_message_to_a_client_goes_only_while_they_agree_to_its_channel(site) -> None:
    desk, sink = site.actor(Role.FRONT_DESK), Sink()
    queue(to_client(site, key="before-consent"))
    assert delivery.deliver_batch(10, sink.connect).withheld  # never asked: not sent
    consent_to_contact.record(desk, site.client.pk, Channel.EMAIL, granted=True, method=ContactMethod.IN_PERSON)
    queue(to_client(site, key="with-consent"))
    queue(to_client(site, key="queued-then-withdrawn"))
    batch = delivery.deliver_batch(1, sink.connect)
    assert [m.key for m in sink.sent] == ["with-consent"]
    assert not batch.withheld
    consent_to_contact.said_by_client(
        Actor.system("test"),
        site.client.pk,
        site.clinic.pk,
        Channel.EMAIL,
        granted=False,
        method=ContactMethod.UNSUBSCRIBE_LINK,
    )
    batch = delivery.deliver_batch(10, sink.connect)
    assert [r.key for r in batch.withheld] == ["queued-then-withdrawn"]
    assert len(sink.sent) == 1
    statuses = dict(QueuedMessage.objects.values_list("key", "status"))
    assert statuses == {
        "before-consent": MessageStatus.WITHHELD,
        "with-consent": MessageStatus.SENT,
        "queued-then-withdrawn": MessageStatus.WITHHELD,
    }
    withheld = AuditEntry.objects.filter(action="message_withheld")
    assert withheld.count() == 2
    assert all(e.outcome == "denied" for e in withheld)
    assert "x.example" not in str(list(withheld.values_list("detail", flat=True)))


@pytest.mark.django_db
@pytest.mark.usefixtures("site")
def test_a_message_to_staff_needs_no_client_consent() -> None:
    sink = Sink()
    queue(OutboundMessage(("owner@reach.example.org",), "Alert", "https://x.example/a", key="staff:1"))
    assert len(delivery.deliver_batch(10, sink.connect).sent) == 1


@pytest.mark.django_db
def test_an_sms_asked_for_in_quiet_hours_waits_for_the_clinics_morning_unless_urgent(site, monkeypatch) -> None:
    evening = utc(2026, 12, 7, 21, 30)  # 22:30 in Madrid
    monkeypatch.setattr(timezone, "now", lambda: evening)
    plain = to_client(site, Channel.SMS, key="sms:plain")
    assert due_at(plain) == utc(2026, 12, 8, 7, 0)
    assert due_at(to_client(site, Channel.SMS, key="sms:urgent", urgent=True)) == evening
    assert due_at(to_client(site, Channel.EMAIL, key="mail")) == evening  # quiet hours are for SMS
    later = utc(2026, 12, 9, 10, 0)
    assert due_at(to_client(site, Channel.EMAIL, key="mail", not_before=later)) == later
    assert due_at(to_client(site, Channel.EMAIL, key="mail", not_before=evening - timedelta(days=1))) == evening


@pytest.mark.django_db
def test_an_sms_due_before_quiet_hours_but_claimed_in_them_is_put_back_until_morning(site, monkeypatch) -> None:
    consent_to_contact.record(
        site.actor(Role.FRONT_DESK), site.client.pk, Channel.SMS, granted=True, method=ContactMethod.IN_PERSON
    )
    afternoon, night = utc(2026, 12, 7, 15, 0), utc(2026, 12, 7, 22, 0)
    monkeypatch.setattr(timezone, "now", lambda: afternoon)
    queue(to_client(site, Channel.SMS, key="sms:late"))
    queue(to_client(site, Channel.SMS, key="sms:later"))
    monkeypatch.setattr(timezone, "now", lambda: night)
    sink = Sink()
    batch = delivery.deliver_batch(10, sink.connect, channel=Channel.SMS)
    assert not sink.sent
    assert [r.key for r, _ in batch.deferred] == ["sms:late", "sms:later"]
    row = QueuedMessage.objects.get(key="sms:late")
    assert (row.status, row.attempts, row.next_attempt_at) == (MessageStatus.QUEUED, 0, utc(2026, 12, 8, 7, 0))


@pytest.mark.django_db
def test_the_worker_sends_each_channel_through_its_own_connection(site, monkeypatch) -> None:
    consent_to_contact.record(
        site.actor(Role.FRONT_DESK), site.client.pk, Channel.SMS, granted=True, method=ContactMethod.IN_PERSON
    )
    monkeypatch.setattr(timezone, "now", lambda: utc(2026, 12, 7, 11, 0))
    queue(to_client(site, Channel.SMS, key="sms:1"))
    queue(OutboundMessage(("owner@reach.example.org",), "Hello", "https://x.example/", key="mail:1"))
    mail, sms = Sink(), Sink()
    monkeypatch.setitem(worker.CONNECTIONS, Channel.SMS, sms.connect)
    assert worker.deliver_due(lambda: False, mail.connect) == 2
    assert [m.key for m in mail.sent] == ["mail:1"]
    assert [m.key for m in sms.sent] == ["sms:1"]
    assert sms.sent[0].channel == "sms"
    assert sms.sent[0].client_id == site.client.pk


@pytest.mark.django_db
@pytest.mark.usefixtures("site")
def test_without_an_sms_provider_an_sms_fails_with_the_reason_and_is_retried(monkeypatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: utc(2026, 12, 7, 11, 0))
    queue(OutboundMessage(("+34600000002",), "Alert", "https://x.example/a", key="sms:staff", channel="sms"))
    assert worker.deliver_due(lambda: False, Sink().connect) == 1
    row = QueuedMessage.objects.get(key="sms:staff")
    assert (row.status, row.last_error) == (MessageStatus.RETRYING, "SmsNotConfiguredError")


@pytest.mark.django_db
def test_a_round_goes_on_past_a_batch_that_was_only_withheld(site) -> None:
    queue(to_client(site, key="no-consent"))
    queue(OutboundMessage(("owner@reach.example.org",), "Hello", "https://x.example/", key="mail:2"))
    sink = Sink()
    assert worker.deliver_due(lambda: False, sink.connect) == 1
    assert [m.key for m in sink.sent] == ["mail:2"]
