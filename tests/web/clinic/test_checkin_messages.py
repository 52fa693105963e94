"""Check-in links by message (issue 14): queued when a session is recorded, due at 09:00 on each check-in's day.

On the clinic's wall clock (Madrid: the clocks go forward on 2026-03-29, between day 1 and day 3 of a
session on the 27th), in the client's language, on the channels the client agrees to, with the clinic's
name and phone and the link only: never the treatment, the area or a product.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from clinic.followup_support import session_row
from clinic_factories import client_outbox
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.contact import checkin_links, consent_to_contact
from needlewise.clinic.contact.checkin_links import CheckinMessages
from needlewise.clinic.contact.client_notes import From
from needlewise.clinic.followup import checkin_tokens, short_links
from needlewise.clinic.local_time import ClinicClock
from needlewise.domain.permissions import Role
from needlewise.domain.statuses import Channel, ContactMethod, MessageStatus
from needlewise.domain.vocabulary import Lang
from needlewise.services.ports import MessageSender, OutboundMessage
from needlewise.storage.models import AuditEntry, CheckIn, QueuedMessage, TreatmentSession
from needlewise.storage.models import Client as ClientRow
from smtp_support import smtp_server
from web.clinic.pages_support import ready_client, session_data
from web.clinic.support import Site, staff_client

pytestmark = pytest.mark.django_db
#: Friday 27 March 2026, 11:00 in Madrid (winter time); the clocks go forward on Sunday the 29th.
FRIDAY = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
PHONE = "+34 600 000 001"
#: 09:00 in Madrid on day 1 (winter: 08:00Z), day 3 and day 7 (summer: 07:00Z).
DUE = {
    1: datetime(2026, 3, 28, 8, 0, tzinfo=UTC),
    3: datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
    7: datetime(2026, 4, 3, 7, 0, tzinfo=UTC),
}


@pytest.fixture(autouse=True)
def english_after():
    yield
    translation.deactivate()


def recorded(site: Site, *, language: str = "en", agrees: tuple[Channel, ...] = tuple(Channel)) -> TreatmentSession:
    """A session on Friday 27 March 2026 recorded from the page, for a client with an e-mail and a phone."""
    with time_machine.travel(FRIDAY, tick=False):
        client = ready_client(site)
        ClientRow.objects.filter(pk=client.pk).update(email="ready@example.org", phone=PHONE, language=language)
        for channel in agrees:
            consent_to_contact.record(
                site.actor(Role.FRONT_DESK), client.pk, channel, granted=True, method=ContactMethod.IN_PERSON
            )
        browser = staff_client(site.members[Role.NURSE])
        form = session_data(products_applied=["vitamin_c_serum"], end_point="pinpoint bleeding")
        response = browser.post(reverse("clinic-session-new", args=[client.pk]), form)
        assert response.status_code == 302
    return TreatmentSession.objects.get(client=client)


def queued() -> list[QueuedMessage]:
    return list(QueuedMessage.objects.filter(purpose="checkin_link").order_by("next_attempt_at", "channel"))


def health_words(session: TreatmentSession) -> list[str]:
    """Whatever would tell a reader about the treatment: its areas, products, device, findings, in both languages."""
    kb = knowledge_base()
    words = ["microneedl", "treatment", "tratamiento", "session", "sesión", "Ready", "Pagetest"]
    words += [session.device_model, session.end_point, session.cartridge_lot]
    for zone in session.zones.all():
        words += [zone.zone, *(kb.vocabulary["areas"][zone.zone].label.in_(lang) for lang in Lang)]
    for product in session.products_applied:
        words += [product, *(kb.vocabulary["planned_products"][product].label.in_(lang) for lang in Lang)]
    return words


def test_each_check_in_is_queued_at_nine_on_its_day_on_the_clinic_s_clock(site_a: Site):
    session = recorded(site_a)
    rows = queued()
    by_day = {c.pk: c for c in CheckIn.objects.filter(session=session)}
    assert [(by_day[int(r.key.split(":")[1])].day, r.channel) for r in rows] == [
        (day, channel) for day in (1, 3, 7) for channel in ("email", "sms")
    ]
    for row in rows:
        checkin = by_day[int(row.key.split(":")[1])]
        assert row.key == f"checkin:{checkin.pk}:{row.channel}"
        assert row.next_attempt_at == DUE[checkin.day]
        assert ClinicClock.named("Europe/Madrid").local(row.next_attempt_at).strftime("%H:%M") == "09:00"
        assert (row.client_id, row.clinic_id, row.status) == (session.client_id, site_a.clinic.pk, "queued")
        if row.channel == "email":
            assert row.recipients == ["ready@example.org"]
            assert f"/checkin/{checkin_tokens.link_token(checkin)}/" in row.text
            assert row.unsubscribe_url in row.text
            assert row.subject == "Clinic Alpha: how are you today?"
        else:
            assert row.recipients == [PHONE]
            short = short_links.grouped(short_links.short_code(checkin))
            assert row.text == (
                f"Clinic Alpha: how are you today? Please answer here: http://testserver/c/{short} "
                f"Phone: {site_a.clinic.phone}. Reply STOP to stop."
            )
        assert site_a.clinic.phone in row.text
    entry = AuditEntry.objects.get(object_type="session", action="create", outcome="success")
    assert entry.detail["checkin_links"] == ["email", "sms"]
    assert "text" not in entry.detail
    page = staff_client(site_a.members[Role.NURSE]).get(f"/clinic/sessions/{session.pk}/").content.decode()
    assert "sent to the client on each check-in's day at 09:00 by: E-mail, SMS." in page


def test_no_message_names_the_treatment_the_area_or_a_product(site_a: Site):
    session = recorded(site_a, language="es")
    rows = queued()
    assert len(rows) == 6
    for row in rows:
        said = (row.subject + " " + row.text).casefold()
        assert [w for w in health_words(session) if w.casefold() in said] == []


def test_a_spanish_client_is_written_to_in_spanish(site_a: Site):
    recorded(site_a, language="es")
    email, sms = queued()[:2]
    assert email.subject == "Clinic Alpha: ¿cómo estás hoy?"
    assert email.text.startswith("A Clinic Alpha le gustaría saber cómo estás hoy.")
    assert "Para dejar de recibir correos de tu clínica, abre este enlace:" in email.text
    assert sms.text.startswith("Clinic Alpha: ¿cómo estás hoy? Responde aquí: http://testserver/c/")
    assert sms.text.endswith("Responde STOP para no recibir más mensajes.")


def test_nothing_is_sent_to_a_client_who_has_not_agreed(site_a: Site):
    session = recorded(site_a, agrees=())
    assert queued() == []
    entry = AuditEntry.objects.get(object_type="session", action="create", outcome="success")
    assert entry.detail["checkin_links"] == []
    page = staff_client(site_a.members[Role.NURSE]).get(f"/clinic/sessions/{session.pk}/").content.decode()
    assert "The check-in links are not sent by message: the client has not agreed to messages" in page


def test_only_the_channels_the_client_agrees_to(site_a: Site):
    recorded(site_a, agrees=(Channel.SMS,))
    assert {row.channel for row in queued()} == {"sms"}


class Kept:
    """A sender that keeps what it is handed."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    def send(self, message: OutboundMessage) -> None:
        self.sent.append(message)


def edge(sender: MessageSender | None = None) -> CheckinMessages:
    return CheckinMessages(sender or Kept(), lambda c: f"https://x/checkin/{c.pk}/", lambda c: f"https://x/c/{c.pk}")


def test_asking_twice_queues_each_message_once(site_a: Site):
    session = recorded(site_a)
    made = list(CheckIn.objects.filter(session=session))
    client = ClientRow.objects.get(pk=session.client_id)
    with time_machine.travel(FRIDAY, tick=False):
        assert checkin_links.send(client, made, edge(client_outbox())) == ["email", "sms"]
    assert len(queued()) == 6


def test_a_check_in_whose_day_is_over_is_not_sent(site_a: Site):
    kb = knowledge_base()
    session = session_row(site_a, kb, performed_at=datetime.now(UTC) - timedelta(days=4))
    client = ClientRow.objects.get(pk=session.client_id)
    ClientRow.objects.filter(pk=client.pk).update(phone=PHONE)
    client.refresh_from_db()
    for channel in Channel:
        consent_to_contact.record(
            site_a.actor(Role.NURSE), client.pk, channel, granted=True, method=ContactMethod.ON_PAPER
        )
    made = CheckIn.objects.filter(session=session).order_by("day")
    found = checkin_links.messages(client, made, edge())
    assert sorted({m.key.split(":")[1] for m in found}) == [str(made.get(day=7).pk)]  # days 1 and 3 are over
    assert checkin_links.messages(client, [], edge()) == []
    assert checkin_links.send(client, made, None) == []


def test_a_clinic_without_a_phone_is_named_only(site_a: Site):
    clinic = site_a.clinic
    clinic.phone = ""
    sender = From.of(clinic)
    email = checkin_links.words(sender, "en", Channel.EMAIL, "https://x/l")
    sms = checkin_links.words(sender, "en", Channel.SMS, "https://x/s")
    assert "call the clinic" not in email.text
    assert email.text.endswith("https://x/l\n")
    assert sms.text == "Clinic Alpha: how are you today? Please answer here: https://x/s Reply STOP to stop."


def test_the_morning_s_e_mail_arrives_over_smtp_with_its_unsubscribe_headers(site_a: Site, deliver_queue):
    session = recorded(site_a)
    day_one = CheckIn.objects.get(session=session, day=1)
    with smtp_server() as inbox:
        with time_machine.travel(DUE[1] - timedelta(minutes=1), tick=False):
            deliver_queue()
            assert inbox.envelopes == []  # not before 09:00
        with time_machine.travel(DUE[1], tick=False):
            deliver_queue()
        (message,) = inbox.messages()
        assert inbox.envelopes[0].rcpt_tos == ["ready@example.org"]
        row = QueuedMessage.objects.get(key=f"checkin:{day_one.pk}:email")
        assert row.status == MessageStatus.SENT
        assert message["List-Unsubscribe"].strip() == f"<{row.unsubscribe_url}>"  # a long header is folded
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        body = message.get_content()
        assert f"/checkin/{checkin_tokens.link_token(day_one)}/" in body
        assert [w for w in health_words(session) if w.casefold() in body.casefold()] == []
        # The client unsubscribes from that e-mail: day 3's is withheld, the SMS still goes to the provider.
        unsubscribe_path = row.unsubscribe_url.removeprefix("http://testserver")
        with time_machine.travel(DUE[1] + timedelta(hours=1), tick=False):
            assert (
                Client()
                .post(unsubscribe_path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
                .status_code
                == 200
            )
        with time_machine.travel(DUE[3], tick=False):
            deliver_queue()
        assert len(inbox.envelopes) == 1
        day_three = CheckIn.objects.get(session=session, day=3)
        assert QueuedMessage.objects.get(key=f"checkin:{day_three.pk}:email").status == MessageStatus.WITHHELD
