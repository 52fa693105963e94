"""The clinic's Messages page: what the queue did with the messages about this clinic, and resending a failed one.

A row says why the message was sent, how (e-mail or SMS), to whom (addresses and phone numbers masked:
enough to tell colleagues apart),
its status, how many attempts, when the next one is due and the last error in words, never its
subject or text. Owners see it (``manage_staff``: today the clinic's messages go to its staff:
invitations, password links, check-in alerts). Resending puts a failed message back in the queue
as new, due at once; the worker sends it with the same ``Message-ID``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_message
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Action
from needlewise.domain.statuses import Channel, MessageStatus
from needlewise.errors import N_, ConflictError, InvalidInputError, Problem
from needlewise.storage.models import QueuedMessage

#: The most rows the page lists (newest first).
PAGE_SIZE = 100
#: A message that failed for good shows in the workspace's banner for this long after it was asked for.
FAILED_ALERT_DAYS = 7
#: Why a message was sent, in words (the queue's ``purpose``).
PURPOSES = {
    "staff_alert": N_("check-in alert to staff"),
    "red_flag_alert": N_("check-in alert to staff or on call"),
    "appointment_reminder": N_("appointment reminder"),
    "consent_update": N_("updated consent form to sign"),
    "password_link": N_("invitation or password link"),
    "invitation": N_("invitation"),
    "message": N_("account e-mail"),
}


#: The last error in words, by the kind of error the worker recorded (``SMTPDataError 554``: its kind first).
ERRORS = {
    "ConnectionRefusedError": N_("the mail server could not be reached"),
    "TimeoutError": N_("the mail server could not be reached"),
    "gaierror": N_("the mail server could not be reached"),
    "OSError": N_("the mail server could not be reached"),
    "SMTPConnectError": N_("the mail server could not be reached"),
    "SMTPServerDisconnected": N_("the mail server closed the connection"),
    "SMTPAuthenticationError": N_("the mail server refused needlewise's user name or password"),
    "SMTPRecipientsRefused": N_("the mail server refused the address"),
    "SMTPSenderRefused": N_("the mail server refused the sender address"),
    "SMTPDataError": N_("the mail server refused the message"),
}
OTHER_ERROR = N_("the message could not be handed to the mail server")
#: The same for an SMS: errors of the SMS provider's adapter, of its HTTP client, and Twilio's reports.
SMS_ERRORS = {
    "SmsNotConfiguredError": N_("no SMS provider is set up"),
    "TwilioRestException": N_("the SMS provider refused the message"),
    "TwilioServiceException": N_("the SMS provider refused the message"),
    "ConnectionError": N_("the SMS provider could not be reached"),
    "ConnectTimeout": N_("the SMS provider could not be reached"),
    "ReadTimeout": N_("the SMS provider did not answer in time"),
    "Twilio": N_("the SMS provider could not deliver it to the phone"),
}
OTHER_SMS_ERROR = N_("the message could not be handed to the SMS provider")


def error_words(last_error: str, channel: str = Channel.EMAIL) -> str:
    """The worker's last error (``SMTPDataError 554``) as words to translate; empty when there was none."""
    if not last_error:
        return ""
    kind = last_error.partition(" ")[0]
    if channel == Channel.SMS:
        return SMS_ERRORS.get(kind, OTHER_SMS_ERROR)
    return ERRORS.get(kind, OTHER_ERROR)


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One message as the page shows it: no subject, no text, addresses masked."""

    id: int
    purpose: str
    #: ``email`` or ``sms``.
    channel: str
    recipients: tuple[str, ...]
    status: str
    attempts: int
    next_attempt_at: datetime | None
    #: The last error in words (to translate), and the server's code when it gave one (``554``).
    error: str
    error_code: str
    created_at: datetime
    sent_at: datetime | None
    #: When the provider reported it reached the phone (SMS).
    delivered_at: datetime | None


def masked(address: str) -> str:
    """``a…@example.org``: the first letter and the domain, enough to tell colleagues apart."""
    local, at, domain = address.partition("@")
    return f"{local[:1]}…{at}{domain}" if at else "…"


def masked_phone(number: str) -> str:
    """``…123``: the last three digits, enough to tell colleagues apart."""
    digits = "".join(c for c in number if c.isdigit())
    return f"…{digits[-3:]}"


def _masked(message: QueuedMessage) -> tuple[str, ...]:
    mask = masked_phone if message.channel == Channel.SMS else masked
    return tuple(mask(str(a)) for a in message.recipients)


def _row(message: QueuedMessage) -> MessageRow:
    waiting = message.status in (MessageStatus.QUEUED, MessageStatus.RETRYING)
    return MessageRow(
        id=message.pk,
        purpose=PURPOSES.get(message.purpose, PURPOSES["message"]),
        channel=message.channel,
        recipients=_masked(message),
        status=message.status,
        attempts=message.attempts,
        next_attempt_at=message.next_attempt_at if waiting else None,
        error=error_words(message.last_error, message.channel),
        error_code=message.last_error.partition(" ")[2],
        created_at=message.created_at,
        sent_at=message.sent_at,
        delivered_at=message.delivered_at,
    )


@use_case(Action.MANAGE_STAFF, "message", audited=False)
def clinic_messages(actor: Actor, status: str = "") -> list[MessageRow]:
    """The clinic's newest messages, all or those with ``status`` (a list without health data: not audited)."""
    if status and status not in set(MessageStatus):
        raise InvalidInputError([Problem("status", N_("choose one of the statuses listed"))])
    rows = QueuedMessage.objects.filter(clinic_id=actor.staff_clinic_id).defer("text", "html")
    if status:
        rows = rows.filter(status=status)
    return [_row(m) for m in rows.order_by("-created_at", "-pk")[:PAGE_SIZE]]


@use_case(Action.MANAGE_STAFF, "message", record="message_id", missing="message")
def resend(actor: Actor, message_id: int) -> MessageRow:
    """Put a message that failed for good back in the queue, due now, its attempts counted afresh; audited."""
    message = access_message(actor, message_id, lock=True)
    if message.status != MessageStatus.FAILED:
        raise ConflictError([Problem("message", N_("only a message that failed can be sent again"))])
    now = timezone.now()
    QueuedMessage.objects.filter(pk=message.pk).update(  # a new try: the provider's old reference is void
        status=MessageStatus.QUEUED, attempts=0, next_attempt_at=now, lease_until=None, provider_ref=""
    )
    detail: dict[str, object] = {"purpose": message.purpose, "recipients": len(message.recipients)}
    audit_log.record(actor, "message_resend", "message", message.pk, detail=detail)
    message.status, message.attempts, message.next_attempt_at = MessageStatus.QUEUED, 0, now
    return _row(message)


def failed_message_count_for(actor: Actor) -> int | None:
    """Messages of the actor's clinic that failed for good lately, for roles that see the Messages page (un-audited)."""
    if actor.clinic_id is None or not actor.may(Action.MANAGE_STAFF):
        return None
    since = timezone.now() - timedelta(days=FAILED_ALERT_DAYS)
    return QueuedMessage.objects.filter(
        clinic_id=actor.clinic_id, status=MessageStatus.FAILED, created_at__gte=since
    ).count()
