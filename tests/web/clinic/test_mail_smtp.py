"""Outbound messages through a real SMTP server on the loopback interface (aiosmtpd).

The use cases' own tests send to an in-memory fake, the page tests to Django's test outbox; these
check the message queue chosen in ``bootstrap``, its worker and Django's SMTP backend deliver the same
messages, and that a mail server that is down delays a message without losing it or doubling it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.test import Client, override_settings
from django.utils import timezone

from clinic.checkin_support import form_answers
from needlewise import bootstrap
from needlewise.adapters.mail import DjangoMailSender, message_id
from needlewise.domain.permissions import Role
from needlewise.messaging import delivery
from needlewise.messaging.outbox import OutboxSender, queue
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import AuditEntry, CheckIn, Clinic, QueuedMessage, StaffMember
from net_support import free_port
from smtp_support import Inbox, smtp_server
from web.clinic.support import Site


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    with smtp_server() as inbox:
        yield inbox


def test_the_chosen_sender_is_the_message_queue():
    assert isinstance(bootstrap.message_sender(), OutboxSender)


@pytest.mark.django_db
def test_a_plain_message_arrives_over_smtp_once(smtp_inbox, deliver_queue):
    message = OutboundMessage(("a@example.org", "b@example.org"), "Hello", "Plain words.\n", key="hello:smtp")
    bootstrap.message_sender().send(message)
    assert smtp_inbox.envelopes == []  # queued: the worker sends it
    assert deliver_queue() == 1
    assert deliver_queue() == 0
    (envelope,) = smtp_inbox.envelopes
    assert (envelope.mail_from, envelope.rcpt_tos) == (
        "needlewise@clinic.example.org",
        ["a@example.org", "b@example.org"],
    )
    (message,) = smtp_inbox.messages()
    assert (message["Subject"], message.get_content_type()) == ("Hello", "text/plain")
    assert message.get_content().splitlines() == ["Plain words."]  # SMTP carries CRLF line ends
    assert message["Message-ID"] == message_id("hello:smtp")


@pytest.mark.django_db
def test_a_batch_shares_one_connection_and_a_refused_recipient_fails_only_its_message(smtp_inbox):
    names = ["ann", "bea", "nobody", "cal", "nobody"]
    for n, name in enumerate(names):
        queue(OutboundMessage((f"{name}@example.org",), f"Link {n}", "Sign in.", key=f"batch:{n}"))
    batch = delivery.deliver_batch(10)
    assert (len(batch.sent), len(batch.failed)) == (3, 2)
    assert [e.rcpt_tos for e in smtp_inbox.envelopes] == [["ann@example.org"], ["bea@example.org"], ["cal@example.org"]]
    first, second, third = smtp_inbox.peers
    assert first == second != third  # one connection; a new one after the refusal broke off the session
    states = list(QueuedMessage.objects.order_by("key").values_list("status", "last_error"))
    assert states == [
        ("sent", ""),
        ("sent", ""),
        ("retrying", "SMTPRecipientsRefused"),
        ("sent", ""),
        ("retrying", "SMTPRecipientsRefused"),
    ]


def test_a_message_with_html_arrives_with_both_parts(smtp_inbox):
    DjangoMailSender().send(OutboundMessage(("a@example.org",), "Hello", "Plain words.\n", "<p>Plain words.</p>"))
    (message,) = smtp_inbox.messages()
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content().splitlines() for part in message.iter_parts()}
    assert parts == {"text/plain": ["Plain words."], "text/html": ["<p>Plain words.</p>"]}


@pytest.mark.django_db
def test_a_reset_link_from_the_page_arrives_over_smtp_and_works(site_a: Site, smtp_inbox, deliver_queue):
    nurse = site_a.members[Role.NURSE]
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert browser.post("/clinic/password-reset/", {"email": nurse.user.username}).status_code == 200
    deliver_queue()
    (message,) = smtp_inbox.messages()
    assert (message["To"], message["Subject"]) == (nurse.user.email, "Your needlewise password")
    text = message.get_content()
    assert "within 60 minutes" in text
    link = next(word for word in text.split() if word.startswith("http://testserver/clinic/password-reset/"))
    new = "a brand new passphrase 77"
    response = browser.post(link.removeprefix("http://testserver"), {"password": new, "password_again": new})
    assert (response.status_code, response["Location"]) == (302, "/clinic/sign-in/?reset=1")


@pytest.mark.django_db
def test_a_red_flag_at_23_00_in_madrid_reaches_everyone_in_one_worker_pass(site_a: Site, smtp_inbox, deliver_queue):
    from clinic.followup_support import checkin_of, session_row  # noqa: PLC0415 - only this test needs a session

    Clinic.objects.filter(pk=site_a.clinic.pk).update(
        time_zone="Europe/Madrid", on_call_email="oncall@clinic-a.example.org", on_call_phone="+34 600 111 222"
    )
    _, token = checkin_of(session_row(site_a, bootstrap.knowledge_base()), 1)
    late = datetime(2026, 12, 7, 22, 0, tzinfo=UTC)  # 23:00 in Madrid: quiet hours
    with time_machine.travel(late, tick=True):
        client = Client(HTTP_ACCEPT_LANGUAGE="es")  # the client's language; the messages are in both
        assert (
            client.post(f"/checkin/{token}/", form_answers(bootstrap.knowledge_base(), 1, ["fever_chills"])).status_code
            == 200
        )
        queued = QueuedMessage.objects.filter(purpose="red_flag_alert")
        assert all(row.urgent and row.next_attempt_at <= timezone.now() for row in queued)  # due at once
        sms = queued.get(channel="sms")
        assert (sms.recipients, sms.status) == (["+34 600 111 222"], "queued")
        assert sms.text == (
            "needlewise: a client's check-in at Clinic Alpha needs attention. Sign in to see it: / "
            "el control de un cliente en Clinic Alpha necesita atención. Inicia sesión para verlo: "
            "http://testserver/clinic/alerts/"
        )
        deliver_queue()  # one look, as the worker of ``needlewise serve`` takes every few seconds
        sms.refresh_from_db()
    nurse = site_a.members[Role.NURSE].user.email  # performed the session: told first
    colleagues = sorted(site_a.members[r].user.email for r in (Role.PROVIDER, Role.AESTHETICIAN))
    assert [e.rcpt_tos for e in smtp_inbox.envelopes] == [
        [nurse],
        *[[c] for c in colleagues],
        ["oncall@clinic-a.example.org"],
    ]
    assert (sms.status, sms.attempts) == ("retrying", 1)  # tried in quiet hours: no SMS provider here yet
    for message in smtp_inbox.messages():
        assert " ".join(message["Subject"].split()) == (  # a long non-ASCII header is folded
            "needlewise, Clinic Alpha: A client's check-in needs attention / El control de un cliente necesita atención"
        )
        assert message.get_content().splitlines() == [
            "A client's check-in answers at Clinic Alpha need a practitioner. Sign in to needlewise to see them:",
            "",
            "http://testserver/clinic/alerts/",
            "",
            (
                "Las respuestas del control de un cliente en Clinic Alpha necesitan a un profesional. "
                "Inicia sesión en needlewise para verlas:"
            ),
            "",
            "http://testserver/clinic/alerts/",
        ]
        words = message.as_string()
        for private in (site_a.client.given_name, site_a.client.family_name, token, "fever", "fiebre"):
            assert private not in words


@pytest.mark.django_db
def test_a_mail_server_that_is_down_delays_the_alert_and_loses_nothing(site_a: Site, deliver_queue):
    from clinic.followup_support import checkin_of, session_row  # noqa: PLC0415 - only this test needs a session

    checkin, token = checkin_of(session_row(site_a, bootstrap.knowledge_base()), 1)
    inbox, port = Inbox(), free_port()  # nothing listens there yet
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_TIMEOUT=2,
    ):
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
            f"/checkin/{token}/", form_answers(bootstrap.knowledge_base(), 1, ["pus"])
        )
        assert response.status_code == 200  # answered at once, whatever the mail server does
        assert 'data-triage="seek_care_now"' in response.content.decode()  # the client is told what to do
        stored = CheckIn.objects.get(pk=checkin.pk)
        assert (stored.alert, stored.answered_at is not None) == ("open", True)
        queued = AuditEntry.objects.filter(action="notify_staff", object_id=str(checkin.pk)).get()
        assert (queued.outcome, queued.detail["recipients"]) == ("success", 3)
        deliver_queue()  # the server is down: the first message waits for its retry, the others for the next look
        message = QueuedMessage.objects.filter(purpose="red_flag_alert").order_by("pk").first()
        assert message is not None
        assert (message.status, message.attempts, message.last_error) == ("retrying", 1, "ConnectionRefusedError")
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()  # the server is back
        try:
            QueuedMessage.objects.update(next_attempt_at=timezone.now())
            deliver_queue()
            deliver_queue()
        finally:
            controller.stop()
    assert len(inbox.envelopes) == 3  # each delivered once
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_a_red_flag_at_23_00_in_madrid_queues_the_practitioner_s_text_urgent(site_a: Site):
    from clinic.followup_support import checkin_of, session_row  # noqa: PLC0415 - only this test needs a session

    Clinic.objects.filter(pk=site_a.clinic.pk).update(time_zone="Europe/Madrid", on_call_phone="+34 600 333 444")
    nurse = site_a.members[Role.NURSE]  # performed the session
    StaffMember.objects.filter(pk=nurse.pk).update(alert_phone="(+34) 600-333-444")  # the on-call phone, written so
    checkin, token = checkin_of(session_row(site_a, bootstrap.knowledge_base()), 1)
    late = datetime(2026, 12, 7, 22, 0, tzinfo=UTC)  # 23:00 in Madrid: quiet hours
    with time_machine.travel(late, tick=True):
        client = Client(HTTP_ACCEPT_LANGUAGE="es")
        assert (
            client.post(f"/checkin/{token}/", form_answers(bootstrap.knowledge_base(), 1, ["fever_chills"])).status_code
            == 200
        )
        texts = QueuedMessage.objects.filter(purpose="red_flag_alert", channel="sms")
        sms = texts.get()  # told once: the on-call phone is the nurse's own
        assert (sms.recipients, sms.key, sms.urgent, sms.status) == (
            ["(+34) 600-333-444"],
            f"red_flag_alert:checkin:{checkin.pk}:staff:{nurse.user_id}:sms",
            True,
            "queued",
        )
        assert sms.next_attempt_at <= timezone.now()  # due at once, at night
        assert sms.text.endswith("http://testserver/clinic/alerts/")
        assert "Clinic Alpha" in sms.text
        for private in (site_a.client.given_name, site_a.client.family_name, token, "fever", "fiebre"):
            assert private not in sms.text
