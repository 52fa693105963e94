"""What Twilio tells needlewise about SMS: the fate of each message sent, and what clients answer (STOP, START).

Both come as Twilio's signed web requests (``/hooks/sms/status`` and ``/hooks/sms/inbound``); the web
edge checks the signature with :func:`signed`, then calls :func:`delivery_report` or :func:`answer`.

**Delivery reports.** The report names the message by the SID Twilio gave it, which the worker stored
as the row's ``provider_ref``. ``delivered`` marks a sent SMS delivered (when), ``undelivered`` and
``failed`` mark it failed with Twilio's error code (``Twilio 30003``; an owner may resend it); other
states (``queued``, ``sent``) change nothing, nor does a report on an SMS that is not "sent" or still
"sending" (a repeated report), nor an unknown SID. The worker stores each SID as soon as Twilio
gives it, so a report that comes before the worker has recorded the rest of its batch still finds
its SMS (and the batch's record leaves a delivered or failed SMS as it is). Each change is an audit
row without the number or the text.

**Answers.** ``STOP``, ``STOPALL``, ``UNSUBSCRIBE``, ``CANCEL``, ``END`` or ``QUIT`` (any case, around
spaces ignored) withdraws SMS consent, ``START``, ``YES`` or ``UNSTOP`` gives it again, for every
client, in any clinic, whose phone number is the sender's; anything else records nothing. A STOP is
recorded unless the client's SMS consent stands withdrawn already (Twilio may repeat a request); a
START only where it stands withdrawn (it gives back what was taken, it does not sign anyone up).

Which clients have the sender's number (Twilio writes it in E.164, ``+447700900123``), comparing digits
only: a number on file with its country code (written with ``+`` or ``00``) must be the same digits;
one written without (``07700 900123``, ``(415) 555-0123``), less a leading trunk ``0``, must be the
sender's last digits after a country code of one to three digits, and at least 7 digits long. A number
on file whose digits are the sender's, country code and all, matches too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from needlewise.adapters.sms import signed_by_twilio
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.contact import consent_to_contact
from needlewise.domain.statuses import Channel, ContactMethod, MessageStatus
from needlewise.storage.models import Client, Clinic, QueuedMessage

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
#: Who the audit trail says acted: the provider's signed report.
PROVIDER = Actor.system("sms_provider")
#: The shortest national number matched by its last digits; the longest country code.
MIN_NATIONAL_DIGITS, MAX_COUNTRY_CODE = 7, 3
BY_SMS = ContactMethod.SMS_KEYWORD


def signed(url: str, fields: QueryDict, signature: str) -> bool:
    """Whether the request to ``url`` with ``fields`` carries Twilio's ``signature`` (false while none is set up)."""
    return signed_by_twilio(url, fields, signature)


def _error_code(text: str) -> str:
    return "".join(re.findall(r"\d", text))[:10]


def delivery_report(sid: str, state: str, error_code: str = "") -> str | None:
    """Apply Twilio's report that SMS ``sid`` is in ``state``; what it did (``delivered``, ``failed``, ``None``)."""
    if not sid or state not in {"delivered", "undelivered", "failed"}:
        return None
    with transaction.atomic():
        row = (
            QueuedMessage.objects.select_for_update()
            .filter(provider_ref=sid, channel=Channel.SMS, status__in=(MessageStatus.SENDING, MessageStatus.SENT))
            .defer("text", "html")
            .first()
        )
        if row is None:
            return None
        facts: dict[str, object] = {"purpose": row.purpose, "recipients": len(row.recipients), "channel": row.channel}
        now = timezone.now()
        handed_over = {"lease_until": None, "sent_at": row.sent_at or now}  # its batch may not be recorded yet
        if state == "delivered":
            QueuedMessage.objects.filter(pk=row.pk).update(
                status=MessageStatus.DELIVERED, delivered_at=now, **handed_over
            )
            audit_log.record(PROVIDER, "message_delivered", "message", row.pk, clinic_id=row.clinic_id, detail=facts)
            return "delivered"
        reason = f"Twilio {_error_code(error_code)}".strip()
        QueuedMessage.objects.filter(pk=row.pk).update(status=MessageStatus.FAILED, last_error=reason, **handed_over)
        detail = facts | {"error": reason}
        audit_log.record(
            PROVIDER, "message_failed", "message", row.pk, outcome="failed", clinic_id=row.clinic_id, detail=detail
        )
        return "failed"


def keyword(body: str) -> bool | None:
    """What an SMS answer says about SMS consent: ``False`` (STOP and the like), ``True`` (START), ``None``."""
    word = body.strip().upper()
    if word in STOP_WORDS:
        return False
    if word in START_WORDS:
        return True
    return None


def same_phone(on_file: str, sender_digits: str) -> bool:
    """Whether the number on file (as typed) is the sender's (E.164 digits); see the module for the rule."""
    digits = re.sub(r"\D", "", on_file)
    if not digits or not sender_digits:
        return False
    if digits == sender_digits:
        return True
    if on_file.lstrip().startswith("+") or digits.startswith("00"):
        return digits.removeprefix("00") == sender_digits
    national = digits.lstrip("0")
    extra = len(sender_digits) - len(national)
    return len(national) >= MIN_NATIONAL_DIGITS and 1 <= extra <= MAX_COUNTRY_CODE and sender_digits.endswith(national)


def _candidates(sender_digits: str) -> set[str]:
    """The digits a client's number may be stored as if it is the sender's (narrowed by :func:`same_phone`)."""
    found = {sender_digits, f"00{sender_digits}"}
    for cut in range(1, MAX_COUNTRY_CODE + 1):
        national = sender_digits[cut:]
        found |= {national, f"0{national}"}
    return found


def clients_with_number(sender: str) -> list[Client]:
    """Every client, in any clinic, whose phone number is ``sender``'s (Twilio's ``From``)."""
    digits = re.sub(r"\D", "", sender)
    if not digits:
        return []
    clinics = list(Clinic.objects.values_list("pk", flat=True))  # leads the (clinic, phone digits) index
    found = Client.objects.filter(clinic_id__in=clinics, phone_digits__in=_candidates(digits)).order_by("pk")
    return [client for client in found.only("pk", "clinic_id", "phone") if same_phone(client.phone, digits)]


@dataclass(frozen=True, slots=True)
class Answer:
    """What an SMS answer did: agreed (``True``), withdrew (``False``) or neither (``None``), for how many clients."""

    granted: bool | None
    recorded: int


def answer(sender: str, body: str) -> Answer:
    """Record what the sender of SMS ``body`` said about SMS consent, for every client with their number."""
    granted = keyword(body)
    if granted is None:
        return Answer(None, 0)
    recorded = 0
    with transaction.atomic():
        for client in clients_with_number(sender):
            now = consent_to_contact.standing(client.pk)[Channel.SMS]
            withdrawn = now.row is not None and not now.granted
            if withdrawn == granted:  # STOP unless withdrawn already; START only where withdrawn
                consent_to_contact.said_by_client(
                    PROVIDER, client.pk, client.clinic_id, Channel.SMS, granted=granted, method=BY_SMS
                )
                recorded += 1
    return Answer(granted, recorded)
