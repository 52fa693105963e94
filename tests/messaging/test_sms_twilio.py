"""SMS through Twilio (issue 14): the worker hands each SMS to a stand-in for Twilio's API on loopback.

It checks what Twilio would: the account's basic auth, ``To``, ``From`` (or the Messaging Service),
``Body`` and ``StatusCallback``. The message's SID is kept as its provider reference; a refusal, a
server error or nothing listening is retried with backoff and the SMS goes once on a later try.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from clinic_factories import make_site
from needlewise.adapters import sms
from needlewise.clinic.contact import consent_to_contact
from needlewise.domain.permissions import Role
from needlewise.domain.statuses import Channel, ContactMethod, MessageStatus
from needlewise.messaging import delivery, sms_reports, worker
from needlewise.messaging.outbox import queue
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import AuditEntry, QueuedMessage
from net_support import free_port
from sms_support import ACCOUNT_SID, AUTH_TOKEN, MESSAGING_SERVICE, SENDER, FakeTwilio, configure, fake_twilio

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # 12:00 in Madrid: not quiet
NUMBER = "+34600000001"
TEXT = "Your check-in: https://clinic.example.org/c/abc"


@pytest.fixture
def twilio(settings) -> Iterator[FakeTwilio]:
    with fake_twilio() as fake:
        configure(settings, fake.url, public_url="https://clinic.example.org/")
        yield fake


@pytest.fixture
def site():
    site = make_site("Text Clinic", "text", "Tess", "Texter")
    desk = site.actor(Role.FRONT_DESK)
    consent_to_contact.record(desk, site.client.pk, Channel.SMS, granted=True, method=ContactMethod.IN_PERSON)
    return site


@pytest.fixture
def at(monkeypatch):
    """Set the clock: ``at(instant)``."""

    def set_clock(instant: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: instant)

    set_clock(NOON)
    return set_clock


def sms_to_client(site, key: str = "sms:1", **more: object) -> OutboundMessage:
    return OutboundMessage(
        (NUMBER,),
        "",
        TEXT,
        purpose="checkin_link",
        key=key,
        clinic_id=site.clinic.pk,
        client_id=site.client.pk,
        channel="sms",
        **more,
    )


def deliver() -> int:
    return worker.deliver_due(lambda: False)


@pytest.mark.usefixtures("at")
def test_an_sms_goes_to_twilio_with_the_account_number_text_and_report_address(twilio: FakeTwilio, site) -> None:
    queue(sms_to_client(site))
    assert deliver() == 1
    (request,) = twilio.received
    assert request.authorised
    assert request.fields == {
        "To": NUMBER,
        "From": SENDER,
        "Body": TEXT,
        "StatusCallback": "https://clinic.example.org/hooks/sms/status",
    }
    row = QueuedMessage.objects.get(key="sms:1")
    assert (row.status, row.attempts, row.provider_ref) == (MessageStatus.SENT, 1, f"SM{0:032x}")
    audit = AuditEntry.objects.get(action="message_sent", object_id=str(row.pk))
    assert NUMBER not in str(audit.detail)
    assert "clinic.example.org" not in str(audit.detail)


@pytest.mark.usefixtures("at")
def test_a_messaging_service_sends_without_a_from_and_no_report_address_without_a_public_url(settings, site) -> None:
    with fake_twilio() as fake:
        configure(settings, fake.url, sender=MESSAGING_SERVICE)
        queue(sms_to_client(site))
        assert deliver() == 1
    assert fake.received[0].fields == {"To": NUMBER, "MessagingServiceSid": MESSAGING_SERVICE, "Body": TEXT}


@pytest.mark.usefixtures("site")
def test_an_sms_to_several_numbers_is_one_twilio_message_each_named_by_the_first(twilio: FakeTwilio, at) -> None:
    del at
    queue(OutboundMessage(("+34600000007", "+34600000008"), "", "Alert", key="sms:two", channel="sms"))
    assert deliver() == 1
    assert [r.fields["To"] for r in twilio.created] == ["+34600000007", "+34600000008"]
    assert QueuedMessage.objects.get(key="sms:two").provider_ref == f"SM{0:032x}"


def test_a_server_error_is_retried_and_the_sms_then_goes_exactly_once(twilio: FakeTwilio, site, at) -> None:
    twilio.failures.append((500, 20500))
    queue(sms_to_client(site))
    assert deliver() == 1
    row = QueuedMessage.objects.get(key="sms:1")
    assert (row.status, row.last_error, row.provider_ref) == (MessageStatus.RETRYING, "TwilioRestException 20500", "")
    assert deliver() == 0  # not due again yet
    at(NOON + timedelta(seconds=31))
    assert deliver() == 1
    assert deliver() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.SENT, 2, "")
    assert [r.status for r in twilio.received] == [500, 201]
    assert len(twilio.created) == 1
    retry = AuditEntry.objects.get(action="message_retry", object_id=str(row.pk))
    assert retry.detail["error"] == "TwilioRestException 20500"
    assert NUMBER not in str(retry.detail)


@pytest.mark.usefixtures("at")
def test_a_refused_number_fails_with_twilios_error_code_and_nothing_else(twilio: FakeTwilio, site) -> None:
    twilio.failures.append((400, 21211))  # "invalid To phone number"
    queue(sms_to_client(site))
    deliver()
    assert QueuedMessage.objects.get(key="sms:1").last_error == "TwilioRestException 21211"


def test_a_twilio_that_cannot_be_reached_is_retried_then_the_sms_goes(settings, site, at) -> None:
    configure(settings, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    queue(sms_to_client(site))
    assert deliver() == 1
    row = QueuedMessage.objects.get(key="sms:1")
    assert (row.status, row.last_error) == (MessageStatus.RETRYING, "ConnectionError")
    with fake_twilio() as fake:
        configure(settings, fake.url)
        at(NOON + timedelta(seconds=31))
        assert deliver() == 1
    row.refresh_from_db()
    assert (row.status, row.provider_ref) == (MessageStatus.SENT, f"SM{0:032x}")
    assert len(fake.created) == 1


def test_wrong_credentials_are_a_refusal_retried_like_any_other(settings, site, at) -> None:
    del at
    with fake_twilio() as fake:
        configure(settings, fake.url)
        settings.TWILIO_AUTH_TOKEN = "not-the-token"  # noqa: S105 - a wrong one on purpose
        queue(sms_to_client(site))
        deliver()
    assert [r.authorised for r in fake.received] == [False]
    assert QueuedMessage.objects.get(key="sms:1").last_error == "TwilioRestException 20003"


def test_an_urgent_sms_to_staff_goes_in_quiet_hours_and_a_plain_one_waits(twilio: FakeTwilio, site, at) -> None:
    at(datetime(2026, 12, 7, 21, 30, tzinfo=UTC))  # 22:30 in Madrid
    clinic = site.clinic.pk
    queue(
        OutboundMessage(
            ("+34600000009",), "", "Red flag", key="sms:urgent", channel="sms", clinic_id=clinic, urgent=True
        )
    )
    queue(OutboundMessage(("+34600000009",), "", "Plain", key="sms:plain", channel="sms", clinic_id=clinic))
    assert deliver() == 1
    assert [r.fields["Body"] for r in twilio.created] == ["Red flag"]
    statuses = dict(QueuedMessage.objects.values_list("key", "status"))
    assert statuses == {"sms:urgent": MessageStatus.SENT, "sms:plain": MessageStatus.QUEUED}


def test_settings_make_the_provider_configured_and_the_signature_checkable(settings) -> None:
    assert not sms.configured()
    assert not sms.signed_by_twilio("https://x.example/hooks/sms/status", QueryDict("a=1"), "sig")
    configure(settings, "https://api.twilio.com")
    assert sms.configured()
    assert sms.twilio_settings() == sms.TwilioSettings(ACCOUNT_SID, AUTH_TOKEN, SENDER, "https://api.twilio.com", None)
    assert not sms.signed_by_twilio("https://x.example/hooks/sms/status", QueryDict("a=1"), "")


@pytest.mark.usefixtures("at", "twilio")
@pytest.mark.parametrize(
    ("state", "status"), [("delivered", MessageStatus.DELIVERED), ("failed", MessageStatus.FAILED)]
)
def test_a_report_that_comes_before_the_batch_is_recorded_still_finds_its_sms_and_stands(
    site, state: str, status: MessageStatus
) -> None:
    refs: list[str] = []

    @contextlib.contextmanager
    def reported_early() -> Iterator[object]:
        with sms.sms_connection() as connection:

            class Reporting:  # Twilio reports on the first SMS while the second is being sent
                def send(self, message: OutboundMessage) -> str | None:
                    if refs:
                        assert sms_reports.delivery_report(refs[0], state, "30003") == state
                    ref = connection.send(message)
                    assert ref is not None
                    refs.append(ref)
                    return ref

            yield Reporting()

    queue(sms_to_client(site, key="sms:1"))
    queue(sms_to_client(site, key="sms:2"))
    batch = delivery.deliver_batch(10, reported_early, channel=Channel.SMS)
    assert len(batch.sent) == 2
    first, second = QueuedMessage.objects.filter(key__in=["sms:1", "sms:2"]).order_by("key")
    assert (first.status, first.provider_ref, first.lease_until) == (status, refs[0], None)
    assert first.sent_at is not None
    assert (second.status, second.provider_ref) == (MessageStatus.SENT, refs[1])
    assert AuditEntry.objects.filter(object_id=str(first.pk), action=f"message_{state}").count() == 1
