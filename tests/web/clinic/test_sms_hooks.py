"""Twilio's signed requests (issue 14): delivery reports mark an SMS delivered or failed; STOP and START from a client.

Signatures are made as Twilio makes them (``RequestValidator.compute_signature``, the auth token);
one that is missing, wrong, or for another address is 403 and changes nothing. The SMS pages show
each message's channel, when an SMS reached the phone, numbers masked, and an error while no SMS
provider is set up outside development.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from needlewise.clinic import messages
from needlewise.clinic.contact import consent_to_contact
from needlewise.domain.permissions import Role
from needlewise.domain.statuses import Channel, ContactMethod, MessageStatus
from needlewise.messaging import sms_reports, worker
from needlewise.messaging.outbox import queue
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import AuditEntry, ContactConsent, QueuedMessage
from needlewise.web.public_limits import rule_for
from sms_support import AUTH_TOKEN, configure, signature
from web.clinic.messages_support import queued_message
from web.clinic.support import Site, body, staff_client

pytestmark = pytest.mark.django_db

PUBLIC = "https://clinic.example.org"
STATUS_URL = f"{PUBLIC}/hooks/sms/status"
INBOUND_URL = f"{PUBLIC}/hooks/sms/inbound"
SID = "SM" + "ab" * 16
CLIENT_NUMBER = "+15550102030"  # the factories' client: "+1 (555) 010-2030"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@pytest.fixture
def twilio_set_up(settings) -> None:
    configure(settings, "http://127.0.0.1:9", public_url=PUBLIC)


def post(client: Client, url: str, fields: dict[str, str], sign: str | None = None) -> object:
    headers = {} if sign == "" else {"HTTP_X_TWILIO_SIGNATURE": sign or signature(url, fields)}
    return client.post(url.removeprefix(PUBLIC), fields, **headers)


def sent_sms(site: Site, key: str = "sms:1") -> QueuedMessage:
    return queued_message(
        site.clinic.pk, key, "sent", channel="sms", recipients=[CLIENT_NUMBER], provider_ref=SID, attempts=1
    )


def report(state: str, **more: str) -> dict[str, str]:
    return {"MessageSid": SID, "MessageStatus": state, "AccountSid": "AC1", "To": CLIENT_NUMBER, **more}


@pytest.mark.usefixtures("twilio_set_up")
def test_a_signed_delivered_report_marks_the_sms_delivered_and_is_audited_without_the_number(
    client: Client, site_a: Site
) -> None:
    row = sent_sms(site_a)
    response = post(client, STATUS_URL, report("delivered"))
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.status == MessageStatus.DELIVERED
    assert row.delivered_at is not None
    entry = AuditEntry.objects.get(action="message_delivered")
    assert (entry.object_id, entry.clinic_id, entry.actor) == (str(row.pk), site_a.clinic.pk, "system:sms_provider")
    assert entry.detail == {"purpose": "staff_alert", "recipients": 1, "channel": "sms"}
    assert post(client, STATUS_URL, report("delivered")).status_code == 200  # Twilio repeating itself
    assert AuditEntry.objects.filter(action="message_delivered").count() == 1


@pytest.mark.usefixtures("twilio_set_up")
@pytest.mark.parametrize("state", ["undelivered", "failed"])
def test_an_undelivered_or_failed_report_fails_the_sms_with_twilios_code(
    client: Client, site_a: Site, state: str
) -> None:
    row = sent_sms(site_a)
    assert post(client, STATUS_URL, report(state, ErrorCode="30003")).status_code == 200
    row.refresh_from_db()
    assert (row.status, row.last_error, row.delivered_at) == (MessageStatus.FAILED, "Twilio 30003", None)
    entry = AuditEntry.objects.get(action="message_failed")
    assert (entry.outcome, entry.detail["error"]) == ("failed", "Twilio 30003")
    assert CLIENT_NUMBER not in str(entry.detail)
    messages.resend(site_a.actor(Role.OWNER), row.pk)  # a new try, under a new SID
    row.refresh_from_db()
    assert (row.status, row.provider_ref) == (MessageStatus.QUEUED, "")


@pytest.mark.usefixtures("twilio_set_up")
@pytest.mark.parametrize("fields", [report("sent"), report("queued"), report("delivered", MessageSid="SMunknown")])
def test_other_states_and_unknown_messages_change_nothing(client: Client, site_a: Site, fields) -> None:
    row = sent_sms(site_a)
    assert post(client, STATUS_URL, fields).status_code == 200
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT
    assert not AuditEntry.objects.filter(action__in=["message_delivered", "message_failed"]).exists()


@pytest.mark.usefixtures("twilio_set_up")
@pytest.mark.parametrize(
    "sign",
    [
        "",  # none
        "bm90IGEgc2lnbmF0dXJl",
        signature(STATUS_URL, report("delivered"), token="another-token"),  # noqa: S106 - a wrong one on purpose
        signature("https://elsewhere.example/hooks/sms/status", report("delivered")),
        signature(STATUS_URL, report("sent")),  # for other fields
    ],
)
def test_a_missing_or_wrong_signature_is_refused_and_changes_nothing(client: Client, site_a: Site, sign: str) -> None:
    row = sent_sms(site_a)
    assert post(client, STATUS_URL, report("delivered"), sign).status_code == 403
    assert post(client, INBOUND_URL, {"From": CLIENT_NUMBER, "Body": "STOP"}, sign).status_code == 403
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT
    assert not ContactConsent.objects.exists()


def test_without_an_sms_provider_every_report_is_refused(client: Client, site_a: Site) -> None:
    sent_sms(site_a)
    assert post(client, STATUS_URL, report("delivered")).status_code == 403


@pytest.mark.usefixtures("twilio_set_up")
def test_the_hooks_take_only_post_and_are_limited_per_address(client: Client, settings) -> None:
    assert client.get("/hooks/sms/status").status_code == 405
    assert client.get("/hooks/sms/inbound").status_code == 405
    settings.PUBLIC_LIMITS = settings.PUBLIC_LIMITS | {"sms_hook": (1, 600)}
    assert post(client, STATUS_URL, report("sent")).status_code == 200
    assert post(client, STATUS_URL, report("sent")).status_code == 429


@pytest.mark.usefixtures("twilio_set_up")
def test_without_a_public_url_the_signature_is_for_the_address_requested(client: Client, settings, site_a) -> None:
    settings.PUBLIC_URL = ""
    row = sent_sms(site_a)
    fields = report("delivered")
    url = "http://testserver/hooks/sms/status"
    assert client.post("/hooks/sms/status", fields, HTTP_X_TWILIO_SIGNATURE=signature(url, fields)).status_code == 200
    row.refresh_from_db()
    assert row.status == MessageStatus.DELIVERED


@pytest.mark.usefixtures("twilio_set_up")
def test_stop_withdraws_sms_consent_so_a_later_sms_is_withheld_and_start_gives_it_back(
    client: Client, site_a: Site, site_b: Site, monkeypatch
) -> None:
    desk = site_a.actor(Role.FRONT_DESK)
    consent_to_contact.record(desk, site_a.client.pk, Channel.SMS, granted=True, method=ContactMethod.IN_PERSON)
    response = post(client, INBOUND_URL, {"From": CLIENT_NUMBER, "Body": "  stop ", "To": "+15005550006"})
    assert (response.status_code, response["Content-Type"]) == (200, "text/xml")
    assert response.content.decode() == EMPTY_TWIML
    both = {site_a.client.pk, site_b.client.pk}  # the same number at both clinics
    said = ContactConsent.objects.filter(method="sms_keyword")
    assert {(c.client_id, c.granted, c.recorded_by_id) for c in said} == {(pk, False, None) for pk in both}
    post(client, INBOUND_URL, {"From": CLIENT_NUMBER, "Body": "STOP"})  # again: nothing more to record
    assert said.count() == 2
    withdrawals = AuditEntry.objects.filter(object_type="contact_consent", action="withdraw")
    assert withdrawals.count() == 2
    assert all("555" not in str(e.detail) for e in withdrawals)

    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 7, 11, 0, tzinfo=UTC))
    queue(
        OutboundMessage(
            (CLIENT_NUMBER,), "", "Hello", key="sms:after-stop", clinic_id=site_a.clinic.pk,
            client_id=site_a.client.pk, channel="sms",
        )
    )  # fmt: skip
    worker.deliver_due(lambda: False)
    assert QueuedMessage.objects.get(key="sms:after-stop").status == MessageStatus.WITHHELD
    monkeypatch.undo()

    post(client, INBOUND_URL, {"From": CLIENT_NUMBER, "Body": "Start"})
    assert consent_to_contact.standing(site_a.client.pk)[Channel.SMS].granted
    assert consent_to_contact.standing(site_b.client.pk)[Channel.SMS].granted
    assert AuditEntry.objects.filter(object_type="contact_consent", action="grant").count() == 2


@pytest.mark.usefixtures("twilio_set_up")
def test_other_words_and_other_numbers_record_nothing_and_start_signs_no_one_up(client: Client, site_a) -> None:
    for fields in (
        {"From": CLIENT_NUMBER, "Body": "Yes please, call me"},
        {"From": "+15550109999", "Body": "STOP"},
        {"From": "", "Body": "STOP"},
        {"From": CLIENT_NUMBER, "Body": "UNSTOP"},  # never withdrawn: nothing to give back
    ):
        assert post(client, INBOUND_URL, fields).status_code == 200
    assert not ContactConsent.objects.filter(client=site_a.client).exists()


@pytest.mark.parametrize(
    ("on_file", "sender", "same"),
    [
        ("+1 (555) 010-2030", "15550102030", True),  # with its country code
        ("0034 600 000 001", "34600000001", True),  # 00 and the country code
        ("+34 600 000 001", "3460000000", False),
        ("600 000 001", "34600000001", True),  # national, without the country code
        ("07700 900123", "447700900123", True),  # with a trunk 0
        ("(555) 010-2030", "15550102030", True),
        ("010-2030", "15550102030", False),  # too short to tell
        ("600 000 001", "99934600000001", False),  # more than a country code in front
        ("600 000 002", "34600000001", False),
        ("", "34600000001", False),
        ("600 000 001", "", False),
    ],
)
def test_a_number_on_file_is_the_senders_by_the_documented_rule(on_file: str, sender: str, same: bool) -> None:
    assert sms_reports.same_phone(on_file, sender) is same


def test_the_keywords_twilio_documents_for_opting_out_and_in() -> None:
    assert {sms_reports.keyword(w) for w in ("STOP", "stopall", " Unsubscribe", "cancel", "END\n", "quit")} == {False}
    assert {sms_reports.keyword(w) for w in ("START", "yes", "Unstop")} == {True}
    assert sms_reports.keyword("stop please") is None
    assert sms_reports.answer(CLIENT_NUMBER, "hello") == sms_reports.Answer(None, 0)
    rule = rule_for(RequestFactory().post("/hooks/sms/inbound"))
    assert rule is not None
    assert rule.name == "sms_hook"


def test_the_messages_page_shows_the_channel_the_delivery_time_and_masked_numbers(site_a: Site) -> None:
    delivered = datetime(2026, 12, 7, 11, 5, tzinfo=UTC)
    queued_message(site_a.clinic.pk, "sms:d", "delivered", channel="sms", recipients=["+34 600 000 123"],
                   delivered_at=delivered, sent_at=delivered)  # fmt: skip
    queued_message(site_a.clinic.pk, "sms:f", "failed", channel="sms", recipients=["+34600000456"],
                   last_error="Twilio 30003")  # fmt: skip
    queued_message(site_a.clinic.pk, "sms:r", "retrying", channel="sms", recipients=["+34600000789"],
                   last_error="SmsNotConfiguredError")  # fmt: skip
    queued_message(site_a.clinic.pk, "mail:1", "sent")
    owner = staff_client(site_a.members[Role.OWNER])
    page = body(owner.get("/clinic/messages/"))
    assert page.count("<td>SMS</td>") == 3
    assert page.count("<td>e-mail</td>") == 1
    assert "…123" in page
    assert "600 000 123" not in page
    assert "34600000456" not in page
    assert "the SMS provider could not deliver it to the phone (code 30003)" in page
    assert "no SMS provider is set up" in page
    (row,) = [r for r in messages.clinic_messages(site_a.actor(Role.OWNER)) if r.channel == "sms" and r.delivered_at]
    assert (row.recipients, row.delivered_at) == (("…123",), delivered)
    spanish = body(owner.get("/clinic/messages/", HTTP_ACCEPT_LANGUAGE="es"))
    assert spanish.count("<td>SMS</td>") == 3
    assert messages.error_words("TimeoutError 1", "sms") == "the message could not be handed to the SMS provider"


@pytest.mark.parametrize(
    ("configured", "debug", "shown"), [(False, False, True), (False, True, False), (True, False, False)]
)
def test_no_sms_provider_is_an_error_on_the_settings_and_messages_pages_outside_development(
    site_a: Site, settings, configured: bool, debug: bool, shown: bool
) -> None:
    settings.DEBUG = debug
    if configured:
        configure(settings, "https://api.twilio.com")
    owner = staff_client(site_a.members[Role.OWNER])
    for path in ("/clinic/settings/", "/clinic/messages/"):
        page = body(owner.get(path))
        assert ('id="sms-missing"' in page) == shown
        assert ("SMS cannot be sent: no SMS provider is set up." in page) == shown
    if shown:
        spanish = body(owner.get("/clinic/settings/", HTTP_ACCEPT_LANGUAGE="es"))
        assert "No se pueden enviar SMS: no hay ningún proveedor de SMS configurado." in spanish
    assert AUTH_TOKEN not in body(owner.get("/clinic/settings/"))
