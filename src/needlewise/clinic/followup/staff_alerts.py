"""Telling a clinic's practitioners that a check-in needs them: a message through the messages channel.

When a client's check-in answers open an alert (see :mod:`needlewise.clinic.followup.checkins`), each
active staff member who may act on alerts (``record_treatment``, an owner's clinical role included) is
sent one message through the :class:`~needlewise.services.ports.MessageSender` the edge hands in. The
message carries no health data: its wording (the edge's, in words any of them reads) says a client's
check-in needs attention and links to the alerts list, behind the sign-in.

The message is handed to the sender inside the answer's transaction: the message queue
(:mod:`needlewise.messaging`) stores it with the alert, so it is never announced for an answer that
was rolled back and never lost once the answer commits; its worker delivers it, with retries. A
sender that fails (a synchronous one whose mail server is down) never loses the client's answer: its
work is rolled back to a savepoint, the alert stays open on every workspace page (the banner), and
the failure is recorded in the audit log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Action, Role, allows
from needlewise.services.ports import MessageSender, OutboundMessage
from needlewise.storage.models import CheckIn, StaffMember

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StaffAlertMail:
    """The message's wording and where it goes: ``text`` places the alerts list's address with ``%(link)s``."""

    sender: MessageSender
    subject: str
    text: str
    link: str


def recipients(clinic_id: int) -> tuple[str, ...]:
    """The e-mail addresses of the clinic's active staff who may act on alerts, sorted."""
    members = StaffMember.objects.filter(clinic_id=clinic_id, user__is_active=True).select_related("user")
    return tuple(
        sorted(
            m.user.email
            for m in members
            if m.user.email
            and allows(Role(m.role), Action.RECORD_TREATMENT, Role(m.clinical_role) if m.clinical_role else None)
        )
    )


def notify(actor: Actor, checkin: CheckIn, mail: StaffAlertMail) -> None:
    """Hand the staff alert for ``checkin`` to the sender, in the transaction that opened the alert; audited."""
    to = recipients(checkin.clinic_id)
    where = {"client_id": checkin.client_id, "clinic_id": checkin.clinic_id}
    if not to:  # no one to tell: the banner is all there is
        audit_log.record(
            actor, "notify_staff", "checkin", checkin.pk, outcome="failed", detail={"recipients": 0}, **where
        )
        return
    message = OutboundMessage(
        to=to,
        subject=mail.subject,
        text=mail.text % {"link": mail.link},
        purpose="staff_alert",
        key=f"staff_alert:checkin:{checkin.pk}",
        clinic_id=checkin.clinic_id,
    )
    try:
        with transaction.atomic():
            mail.sender.send(message)
    except Exception as error:  # noqa: BLE001 - any failure to hand it over is recorded, never lost silently
        logger.warning("a staff alert message could not be sent (check-in %s): %s", checkin.pk, type(error).__name__)
        detail: dict[str, object] = {"recipients": len(to), "error": type(error).__name__}
        audit_log.record(actor, "notify_staff", "checkin", checkin.pk, outcome="failed", detail=detail, **where)
        return
    audit_log.record(
        actor, "notify_staff", "checkin", checkin.pk, outcome="success", detail={"recipients": len(to)}, **where
    )
