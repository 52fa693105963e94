"""Appointment reminders: one note to the client per channel, the clinic's ``reminder_hours`` before it starts.

Booking an appointment queues its reminder on each channel the client has an address for and agrees
to be contacted on at that moment (the queue checks their consent again when it sends), in the
client's language, with the date and time on the clinic's clock, the clinic's name, address and phone,
and nothing about the treatment. It is due exactly ``reminder_hours`` hours (elapsed time) before the
start: 48 hours before 10:00 on the Monday after the clocks go forward in Madrid is 09:00 on the
Saturday. None is queued when the clinic sends none (0 hours) or that moment has passed, nor an SMS
that quiet hours would hold until the appointment has begun.

A reminder's key is ``reminder:<appointment id>:<start, UTC ISO>:<channel>``: booking twice queues
nothing more. Moving the appointment withdraws the reminders not handed over yet (``cancelled``,
"appointment moved"; also one a worker has claimed but not begun sending: the worker checks again
just before it sends) and queues those of the new time; cancelling withdraws them ("appointment
cancelled"). Moved back to a time whose reminder was withdrawn, the new one's key ends with ``:<n>``,
the n-th of that key.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone, translation

from needlewise.clinic.contact import quiet_hours
from needlewise.clinic.contact.client_notes import From, Note, note
from needlewise.clinic.contact.reach import reachable
from needlewise.domain.statuses import Channel, MessageStatus
from needlewise.errors import N_
from needlewise.services.ports import MessageSender, OutboundMessage
from needlewise.storage.models import Appointment, Client, Clinic, QueuedMessage

PURPOSE = "appointment_reminder"
SUBJECT = N_("Reminder: your appointment at %(clinic)s")
TEXT = N_("This is a reminder of your appointment at %(clinic)s on %(date)s at %(time)s.")
CALL = N_("If you cannot come, please call the clinic.")
SMS = N_("%(clinic)s: reminder of your appointment on %(date)s at %(time)s.")
#: Never sent, for good: a reminder of the same time may be queued again.
NOT_SENT = (MessageStatus.WITHHELD.value, MessageStatus.CANCELLED.value)


def due(appointment: Appointment, hours: int) -> datetime:
    """When the reminder goes: ``hours`` hours of elapsed time before the start, whatever the clocks do."""
    return appointment.starts_at - timedelta(hours=hours)


def words(appointment: Appointment, sender: From, lang: str, channel: Channel) -> Note:
    """The reminder in ``lang``: an e-mail's subject and text, or an SMS's text (one line)."""
    with translation.override(lang):
        facts = {"clinic": sender.name, **sender.when(appointment.starts_at)}
        subject = translation.gettext(SUBJECT) % facts
        if channel == Channel.SMS:
            return Note(subject, " ".join([translation.gettext(SMS) % facts, "; ".join(sender.reach(one_line=True))]))
        reach = sender.reach()
        lines = [translation.gettext(TEXT) % facts, "", *reach, *([""] if reach else []), translation.gettext(CALL)]
        return Note(subject, "\n".join(lines) + "\n")


def _prefix(appointment_id: int) -> str:
    return f"reminder:{appointment_id}:"


def _key(appointment: Appointment, channel: Channel) -> str | None:
    """The reminder's key; ``None`` when one for this time and channel is already waiting or went out."""
    base = f"{_prefix(appointment.pk)}{appointment.starts_at.astimezone(UTC).isoformat()}:{channel.value}"
    earlier = list(QueuedMessage.objects.filter(key__startswith=base).values_list("status", flat=True))
    if any(status not in NOT_SENT for status in earlier):
        return None
    return f"{base}:{len(earlier) + 1}" if earlier else base


def reminders(appointment: Appointment, client: Client) -> list[OutboundMessage]:
    """The reminder messages of ``appointment`` to ``client`` that are still to be queued, one per channel."""
    clinic = Clinic.objects.get(pk=appointment.clinic_id)
    when = due(appointment, clinic.reminder_hours)
    if not clinic.reminder_hours or when <= timezone.now():
        return []
    sender, found = From.of(clinic), []
    for channel, address in reachable(client):
        if channel == Channel.SMS and quiet_hours.next_allowed(when, sender.clock) >= appointment.starts_at:
            continue
        key = _key(appointment, channel)
        if key is not None:
            said = words(appointment, sender, client.language, channel)
            found.append(note(client, channel, address, said, purpose=PURPOSE, key=key, not_before=when))
    return found


def plan(appointment: Appointment, client: Client, sender: MessageSender | None) -> list[str]:
    """Queue the appointment's reminders through ``sender`` (``None``: none); the channels queued."""
    if sender is None:
        return []
    queued = reminders(appointment, client)
    for message in queued:
        sender.send(message)
    return [message.channel for message in queued]


def withdraw(appointment: Appointment, reason: str) -> int:
    """Cancel the appointment's reminders not handed over yet (``reason``: ``appointment moved``...); how many."""
    unsent = QueuedMessage.objects.filter(QueuedMessage.unsent(), key__startswith=_prefix(appointment.pk))
    return unsent.update(status=MessageStatus.CANCELLED, last_error=reason, lease_until=None)
