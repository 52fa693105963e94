"""The unsubscribe link of an e-mail to a client (issue 14): GET shows, POST (or a mail client's one-click) stops."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client, RequestFactory
from django.utils import translation

from needlewise.clinic.contact import consent_to_contact, unsubscribe
from needlewise.domain.permissions import Role
from needlewise.domain.statuses import Channel, ContactMethod, MessageStatus
from needlewise.messaging.outbox import queue
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import AuditEntry, ContactConsent, QueuedMessage
from needlewise.storage.models import Client as ClientRow
from needlewise.web.client_messages import (
    ClientMessages,
    sender,
    unsubscribe_footer,
    unsubscribe_path,
    unsubscribe_url,
)
from web.clinic.support import Site

pytestmark = pytest.mark.django_db
ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture(autouse=True)
def english_after():
    yield
    translation.deactivate()


@pytest.fixture
def agreed(site_a: Site) -> Site:
    for channel in Channel:
        consent_to_contact.record(
            site_a.actor(Role.NURSE), site_a.client.pk, channel, granted=True, method=ContactMethod.ON_PAPER
        )
    return site_a


def _standing(site: Site, channel: Channel = Channel.EMAIL) -> bool:
    return consent_to_contact.standing(site.client.pk)[channel].granted


def test_the_link_shows_the_clinic_and_a_button_and_changes_nothing(agreed: Site):
    url = unsubscribe_path(agreed.client.pk)
    rows = ContactConsent.objects.count()
    for method in ("get", "head"):
        response = getattr(Client(), method)(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
    page = Client().get(url).content.decode()
    assert "Stop e-mails from Clinic Alpha?" in page
    assert '<button type="submit" class="primary">Stop e-mails</button>' in page
    assert ContactConsent.objects.count() == rows
    assert _standing(agreed)


def test_the_button_stops_e_mails_and_says_how_to_agree_again(agreed: Site):
    response = Client(enforce_csrf_checks=True).post(unsubscribe_path(agreed.client.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "You will get no more e-mails from Clinic Alpha" in page
    assert agreed.clinic.phone in page
    assert not _standing(agreed)
    assert _standing(agreed, Channel.SMS)  # the link's own channel only
    row = ContactConsent.objects.latest("pk")
    assert (row.channel, row.granted, row.method, row.recorded_by_id) == ("email", False, "unsubscribe_link", None)
    entry = AuditEntry.objects.filter(object_type="contact_consent", action="withdraw").get()
    assert entry.detail == {"channel": "email", "granted": False, "method": "unsubscribe_link"}
    assert entry.client_id == agreed.client.pk


def test_a_mail_client_s_one_click_works_without_a_csrf_token(agreed: Site):
    browser = Client(enforce_csrf_checks=True)
    url = unsubscribe_path(agreed.client.pk)
    response = browser.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not _standing(agreed)
    assert browser.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded").status_code == 200
    assert ContactConsent.objects.filter(method="unsubscribe_link").count() == 1  # asked twice: recorded once


def test_the_page_speaks_the_client_s_language(agreed: Site):
    ClientRow.objects.filter(pk=agreed.client.pk).update(language="es")
    url = unsubscribe_path(agreed.client.pk)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()
    assert '<html lang="es">' in page
    assert "¿Dejar de recibir correos de Clinic Alpha?" in page
    done = Client().post(url).content.decode()
    assert "No recibirás más correos de Clinic Alpha" in done


def test_a_clinic_without_a_phone_is_told_about_in_words(agreed: Site):
    type(agreed.clinic).objects.filter(pk=agreed.clinic.pk).update(phone="")
    page = Client().post(unsubscribe_path(agreed.client.pk)).content.decode()
    assert "To get messages again, tell Clinic Alpha." in page


def test_a_text_message_link_speaks_of_text_messages(agreed: Site):
    url = unsubscribe_path(agreed.client.pk, Channel.SMS)
    assert "Stop text messages from Clinic Alpha?" in Client().get(url).content.decode()
    assert "You will get no more text messages from Clinic Alpha" in Client().post(url).content.decode()
    assert not _standing(agreed, Channel.SMS)
    assert _standing(agreed)


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.dumps([1, "email"], salt="another.salt", compress=False),
        signing.dumps({"client": 1}, salt=unsubscribe.SALT, compress=False),
        signing.dumps([1, "fax"], salt=unsubscribe.SALT, compress=False),
        unsubscribe.token(2**40, Channel.EMAIL),
    ],
)
def test_a_link_that_is_not_one_is_not_found(agreed: Site, token: str):
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/unsubscribe/{token}/")
        assert response.status_code == 404
    assert _standing(agreed)


def test_messages_waiting_when_the_client_unsubscribes_are_withheld(agreed: Site, delivered_mail):
    request = RequestFactory().get("/", HTTP_HOST="localhost", secure=True)
    link = unsubscribe_url(request, agreed.client.pk)
    assert link.startswith("https://localhost/unsubscribe/")
    message = OutboundMessage(
        (agreed.client.email,),
        "Hello",
        "Text" + unsubscribe_footer(link),
        purpose="checkin_link",
        key="waiting",
        clinic_id=agreed.clinic.pk,
        client_id=agreed.client.pk,
        unsubscribe_url=link,
    )
    queue(message)
    assert Client().post(link.removeprefix("https://localhost")).status_code == 200
    assert len(delivered_mail) == 0
    assert QueuedMessage.objects.get(key="waiting").status == MessageStatus.WITHHELD


def test_an_e_mail_to_a_client_carries_the_one_click_headers(agreed: Site, delivered_mail):
    link = "https://clinic.example.org" + unsubscribe_path(agreed.client.pk)
    with translation.override("es"):
        footer = unsubscribe_footer(link)
    assert "Para dejar de recibir correos de tu clínica" in footer
    queue(
        OutboundMessage(
            (agreed.client.email,),
            "Hola",
            "Texto" + footer,
            key="headers",
            clinic_id=agreed.clinic.pk,
            client_id=agreed.client.pk,
            unsubscribe_url=link,
        )
    )
    (sent,) = delivered_mail
    assert sent.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    assert QueuedMessage.objects.get(key="headers").unsubscribe_url == link


def test_the_queue_refuses_an_e_mail_to_a_client_without_its_unsubscribe_link(agreed: Site):
    base = OutboundMessage((agreed.client.email,), "s", "t", clinic_id=agreed.clinic.pk, client_id=agreed.client.pk)
    with pytest.raises(ValueError, match="unsubscribe_url"):
        queue(base)
    assert not QueuedMessage.objects.exists()
    queue(OutboundMessage(("+34600000001",), "", "t", channel="sms", client_id=agreed.client.pk, key="sms"))
    queue(OutboundMessage(("staff@example.org",), "s", "t", key="staff"))  # not to a client: no link needed
    assert QueuedMessage.objects.count() == 2


class Kept:
    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    def send(self, message: OutboundMessage) -> None:
        self.sent.append(message)


def test_the_edge_s_sender_gives_each_e_mail_to_a_client_its_link_in_their_language(agreed: Site):
    ClientRow.objects.filter(pk=agreed.client.pk).update(language="es")
    kept = Kept()
    request = RequestFactory().get("/", HTTP_HOST="localhost", secure=True)
    messages = ClientMessages(request, kept)
    email = OutboundMessage((agreed.client.email,), "Hola", "Texto\n", client_id=agreed.client.pk)
    sms = OutboundMessage(("+34600000001",), "", "Texto", channel="sms", client_id=agreed.client.pk)
    staff = OutboundMessage(("staff@example.org",), "s", "t")
    linked = OutboundMessage((agreed.client.email,), "s", "t", client_id=agreed.client.pk, unsubscribe_url="https://x/")
    for message in (email, sms, staff, linked):
        messages.send(message)
    first, *others = kept.sent
    assert first.unsubscribe_url == unsubscribe_url(request, agreed.client.pk)
    assert (
        first.text
        == f"Texto\n\n--\nPara dejar de recibir correos de tu clínica, abre este enlace:\n{first.unsubscribe_url}\n"
    )
    assert others == [sms, staff, linked]
    assert isinstance(sender(request), ClientMessages)
    assert unsubscribe.language_of(2**40) == "en"
