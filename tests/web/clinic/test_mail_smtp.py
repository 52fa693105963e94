"""Outbound messages through a real SMTP server on the loopback interface (aiosmtpd).

The use cases' own tests send to an in-memory fake, the page tests to Django's test outbox; these
check the adapter chosen in ``bootstrap`` and Django's SMTP backend deliver the same messages.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.test import Client, override_settings

from needlewise import bootstrap
from needlewise.adapters.mail import DjangoMailSender
from needlewise.domain.permissions import Role
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import AuditEntry, CheckIn
from web.clinic.support import Site


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's name
        del server, session
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.original_content or b"", policy=policy.default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_TIMEOUT=10,
            DEFAULT_FROM_EMAIL="needlewise@clinic.example.org",
        ):
            yield inbox
    finally:
        controller.stop()


def test_the_chosen_sender_is_the_django_mail_adapter():
    assert isinstance(bootstrap.message_sender(), DjangoMailSender)


def test_a_plain_message_arrives_over_smtp(smtp_inbox):
    bootstrap.message_sender().send(OutboundMessage(("a@example.org", "b@example.org"), "Hello", "Plain words.\n"))
    (envelope,) = smtp_inbox.envelopes
    assert (envelope.mail_from, envelope.rcpt_tos) == (
        "needlewise@clinic.example.org",
        ["a@example.org", "b@example.org"],
    )
    (message,) = smtp_inbox.messages()
    assert (message["Subject"], message.get_content_type()) == ("Hello", "text/plain")
    assert message.get_content().splitlines() == ["Plain words."]  # SMTP carries CRLF line ends


def test_a_message_with_html_arrives_with_both_parts(smtp_inbox):
    DjangoMailSender().send(OutboundMessage(("a@example.org",), "Hello", "Plain words.\n", "<p>Plain words.</p>"))
    (message,) = smtp_inbox.messages()
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content().splitlines() for part in message.iter_parts()}
    assert parts == {"text/plain": ["Plain words."], "text/html": ["<p>Plain words.</p>"]}


@pytest.mark.django_db
def test_a_reset_link_from_the_page_arrives_over_smtp_and_works(site_a: Site, smtp_inbox):
    nurse = site_a.members[Role.NURSE]
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert browser.post("/clinic/password-reset/", {"email": nurse.user.username}).status_code == 200
    (message,) = smtp_inbox.messages()
    assert (message["To"], message["Subject"]) == (nurse.user.email, "Your needlewise password")
    text = message.get_content()
    assert "within 60 minutes" in text
    link = next(word for word in text.split() if word.startswith("http://testserver/clinic/password-reset/"))
    new = "a brand new passphrase 77"
    response = browser.post(link.removeprefix("http://testserver"), {"password": new, "password_again": new})
    assert (response.status_code, response["Location"]) == (302, "/clinic/sign-in/?reset=1")


@pytest.mark.django_db
def test_a_red_flag_check_in_reaches_the_practitioners_over_smtp(
    site_a: Site, smtp_inbox, django_capture_on_commit_callbacks
):
    from clinic.followup_support import checkin_of, session_row  # noqa: PLC0415 - only this test needs a session

    _, token = checkin_of(session_row(site_a, bootstrap.knowledge_base()), 1)
    client = Client(HTTP_ACCEPT_LANGUAGE="es")  # the client's language; the message is in both
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/checkin/{token}/", {"yes": ["fever_chills"]}).status_code == 200
    (envelope,) = smtp_inbox.envelopes
    practitioners = sorted(site_a.members[r].user.email for r in (Role.PROVIDER, Role.NURSE, Role.AESTHETICIAN))
    assert sorted(envelope.rcpt_tos) == practitioners
    (message,) = smtp_inbox.messages()
    assert " ".join(message["Subject"].split()) == (  # a long non-ASCII header is folded
        "needlewise: A client's check-in needs attention / El control de un cliente necesita atención"
    )
    assert message.get_content().splitlines() == [
        "A client's check-in answers need a practitioner. Sign in to needlewise to see them:",
        "",
        "http://testserver/clinic/alerts/",
        "",
        "Las respuestas del control de un cliente necesitan a un profesional. Inicia sesión en needlewise para verlas:",
        "",
        "http://testserver/clinic/alerts/",
    ]
    words = message.as_string()
    for private in (site_a.client.given_name, site_a.client.family_name, token, "fever", "fiebre"):
        assert private not in words


@pytest.mark.django_db
def test_an_answer_is_kept_when_the_mail_server_is_down(site_a: Site, django_capture_on_commit_callbacks):
    from clinic.followup_support import checkin_of, session_row  # noqa: PLC0415 - only this test needs a session

    checkin, token = checkin_of(session_row(site_a, bootstrap.knowledge_base()), 1)
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=free_port(),  # nothing listens there
            EMAIL_TIMEOUT=2,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(f"/checkin/{token}/", {"yes": ["pus"]})
    assert response.status_code == 200
    assert 'data-triage="seek_care_now"' in response.content.decode()  # the client is told what to do
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert (stored.alert, stored.answered_at is not None) == ("open", True)
    failed = AuditEntry.objects.filter(action="notify_staff", object_id=str(checkin.pk)).get()
    assert (failed.outcome, failed.detail["recipients"]) == ("failed", 3)
