"""Telling a clinic that a check-in needs it: red-flag alerts to its practitioners and its on-call contact.

When a client's check-in answers open an alert ("seek care now" or "call the clinic", see
:mod:`needlewise.clinic.followup.checkins`), these are told, each by a message of their own:

* the practitioner of the check-in's session, by e-mail, and by SMS if they gave a mobile number for
  alerts on their account page (:mod:`needlewise.clinic.accounts.alert_phone`);
* every other active staff member who may act on alerts (``record_treatment``, an owner's clinical
  role included), the same way: a practitioner who is away is covered by colleagues;
* the clinic's on-call contact (its settings), by e-mail and by SMS.

An address is told once (an on-call e-mail that is a colleague's address is that colleague's
message), and so is a phone number, compared by its digits alone (an on-call phone that is a
colleague's mobile, however written, is that colleague's text message). Every message is urgent
(an SMS goes in quiet hours too), due at once, and keyed by the check-in, the recipient and the
channel, so asking twice sends nothing more. None carries health
data: their wording (the edge's, in English and Spanish) says a client's check-in at the clinic needs
attention and links to the alerts list, behind the sign-in.

The messages are handed to the sender inside the answer's transaction: the message queue
(:mod:`needlewise.messaging`) stores them with the alert, so they are never announced for an answer
that was rolled back and never lost once the answer commits; its worker delivers them, with retries.
A sender that fails (a synchronous one whose mail server is down) never loses the client's answer:
its work is rolled back to a savepoint, the alert stays open on every workspace page (the banner),
and the failure is recorded in the audit log, as is a clinic with no one to tell.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts.fields import phone_digits
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Action, Role, allows
from needlewise.domain.statuses import Channel
from needlewise.services.ports import MessageSender, OutboundMessage
from needlewise.storage.models import CheckIn, Clinic, StaffMember, TreatmentSession

logger = logging.getLogger(__name__)

PURPOSE = "red_flag_alert"


@dataclass(frozen=True, slots=True)
class StaffAlertMail:
    """The messages' wording and the alerts list's address.

    ``subject``, ``text`` (an e-mail's) and ``sms`` place the clinic's name with ``%(clinic)s`` and the
    address with ``%(link)s``; an empty ``sms`` is the e-mail's text.
    """

    sender: MessageSender
    subject: str
    text: str
    link: str
    sms: str = ""


@dataclass(frozen=True, slots=True)
class Recipient:
    """One person or contact told on one channel: ``who`` names them in the message's key, never the address."""

    who: str
    channel: Channel
    address: str


def _acts_on_alerts(member: StaffMember) -> bool:
    clinical = Role(member.clinical_role) if member.clinical_role else None
    return allows(Role(member.role), Action.RECORD_TREATMENT, clinical)


def _members(clinic_id: int) -> list[StaffMember]:
    return list(StaffMember.objects.filter(clinic_id=clinic_id, user__is_active=True).select_related("user"))


def recipients(clinic_id: int) -> tuple[str, ...]:
    """The e-mail addresses of the clinic's active staff who may act on alerts, sorted."""
    return tuple(sorted(m.user.email for m in _members(clinic_id) if m.user.email and _acts_on_alerts(m)))


def alert_recipients(checkin: CheckIn) -> list[Recipient]:
    """Who is told of ``checkin``'s alert: its session's practitioner, colleagues who act on alerts, on call."""
    practitioner_id = TreatmentSession.objects.values_list("practitioner_id", flat=True).get(pk=checkin.session_id)
    members = sorted(_members(checkin.clinic_id), key=lambda m: (m.user_id != practitioner_id, m.user.email))
    told: set[str] = set()  # e-mail addresses, lower case, and phone numbers' digits
    found: list[Recipient] = []

    def tell(who: str, channel: Channel, address: str) -> None:
        same = phone_digits(address) if channel == Channel.SMS else address.lower()
        if same and same not in told:
            told.add(same)
            found.append(Recipient(who, channel, address))

    for member in members:
        if member.user_id == practitioner_id or _acts_on_alerts(member):
            tell(f"staff:{member.user_id}", Channel.EMAIL, member.user.email)
            tell(f"staff:{member.user_id}", Channel.SMS, member.alert_phone.strip())
    on_call = Clinic.objects.values_list("on_call_email", "on_call_phone").get(pk=checkin.clinic_id)
    tell("on_call", Channel.EMAIL, on_call[0])
    tell("on_call", Channel.SMS, on_call[1])
    return found


def messages(checkin: CheckIn, mail: StaffAlertMail, to: list[Recipient]) -> list[OutboundMessage]:
    """The alert's messages, one per recipient and channel: urgent, due at once, without health data."""
    name = Clinic.objects.values_list("name", flat=True).get(pk=checkin.clinic_id)
    words = {"clinic": name, "link": mail.link}
    subject, text, sms = mail.subject % words, mail.text % words, (mail.sms or mail.text) % words
    return [
        OutboundMessage(
            to=(recipient.address,),
            subject=subject,
            text=sms if recipient.channel == Channel.SMS else text,
            purpose=PURPOSE,
            key=f"{PURPOSE}:checkin:{checkin.pk}:{recipient.who}:{recipient.channel.value}",
            clinic_id=checkin.clinic_id,
            channel=recipient.channel.value,
            urgent=True,
        )
        for recipient in to
    ]


def notify(actor: Actor, checkin: CheckIn, mail: StaffAlertMail) -> None:
    """Hand the alert's messages for ``checkin`` to the sender, in the transaction that opened the alert; audited."""
    to = alert_recipients(checkin)
    where = {"client_id": checkin.client_id, "clinic_id": checkin.clinic_id}
    if not to:  # no one to tell: the banner is all there is
        audit_log.record(
            actor, "notify_staff", "checkin", checkin.pk, outcome="failed", detail={"recipients": 0}, **where
        )
        return
    detail: dict[str, object] = {
        "recipients": len(to),
        "on_call": sorted(r.channel.value for r in to if r.who == "on_call"),
    }
    try:
        with transaction.atomic():
            for message in messages(checkin, mail, to):
                mail.sender.send(message)
    except Exception as error:  # noqa: BLE001 - any failure to hand it over is recorded, never lost silently
        logger.warning("a staff alert message could not be sent (check-in %s): %s", checkin.pk, type(error).__name__)
        detail["error"] = type(error).__name__
        audit_log.record(actor, "notify_staff", "checkin", checkin.pk, outcome="failed", detail=detail, **where)
        return
    audit_log.record(actor, "notify_staff", "checkin", checkin.pk, outcome="success", detail=detail, **where)
