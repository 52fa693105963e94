"""Telling clients that a new consent version waits for them: one note per client and version.

When the clinic publishes a new consent version, each client with a booked appointment to come who
signed an older version is told, in their language, on each channel they have an address for and agree
to, that before that appointment they will be asked to sign the clinic's updated consent form: the
clinic's name, the appointment's day and time on the clinic's clock and how to reach the clinic, no
health or treatment details. A client who never signed signs at their first session anyway and is not
told. The key ``consent_update:<version's id>:<client id>:<channel>`` makes it one note per client,
version and channel.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max
from django.utils import timezone, translation

from needlewise.clinic.contact.client_notes import From, Note, note
from needlewise.clinic.contact.reach import reachable
from needlewise.domain.statuses import AppointmentStatus, Channel
from needlewise.errors import N_
from needlewise.services.ports import MessageSender
from needlewise.storage.models import Appointment, Client, Clinic, Consent, ConsentTemplate

PURPOSE = "consent_update"
SUBJECT = N_("%(clinic)s: an updated consent form to sign")
TEXT = N_(
    "Before your next appointment at %(clinic)s, on %(date)s at %(time)s, you will be asked to sign the "
    "clinic's updated consent form."
)
QUESTIONS = N_("If you have questions, please call the clinic.")


def waiting(template: ConsentTemplate) -> dict[int, datetime]:
    """The clients to tell of ``template`` and their next appointment: those who signed an older version."""
    booked = Appointment.objects.filter(
        clinic_id=template.clinic_id, status=AppointmentStatus.BOOKED.value, starts_at__gt=timezone.now()
    )
    # latest first, so each client's earliest is the one a dict keeps
    upcoming = dict(booked.order_by("-starts_at").values_list("client_id", "starts_at"))
    signed = (
        Consent.objects.filter(client_id__in=upcoming)
        .values("client_id")
        .annotate(newest=Max("version"))
        .filter(newest__lt=template.version)
        .values_list("client_id", flat=True)
    )
    return {client_id: upcoming[client_id] for client_id in signed}


def words(starts_at: datetime, sender: From, lang: str, channel: Channel) -> Note:
    """The note in ``lang``: an e-mail's subject and text, or an SMS's text (one line)."""
    with translation.override(lang):
        facts = {"clinic": sender.name, **sender.when(starts_at)}
        subject, text = translation.gettext(SUBJECT) % facts, translation.gettext(TEXT) % facts
        if channel == Channel.SMS:
            return Note(subject, " ".join([text, "; ".join(sender.reach(one_line=True))]).strip())
        reach = sender.reach()
        return Note(
            subject, "\n".join([text, "", *reach, *([""] if reach else []), translation.gettext(QUESTIONS)]) + "\n"
        )


def notify(template: ConsentTemplate, sender: MessageSender | None) -> int:
    """Hand the notes of a new consent version to ``sender`` (``None``: none), in the caller's transaction; how many."""
    if sender is None:
        return 0
    due = waiting(template)
    clinic = From.of(Clinic.objects.get(pk=template.clinic_id))
    count = 0
    for client in Client.objects.filter(pk__in=due, archived_at__isnull=True).order_by("pk"):
        for channel, address in reachable(client):
            said = words(due[client.pk], clinic, client.language, channel)
            key = f"{PURPOSE}:{template.pk}:{client.pk}:{channel.value}"
            sender.send(note(client, channel, address, said, purpose=PURPOSE, key=key))
            count += 1
    return count
