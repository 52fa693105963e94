"""What a client said about being contacted, as staff read and record it: per channel, with its history.

:func:`read` is the guarded read behind the clinic API (:func:`of_client` the client page's, which has
read the client already); :func:`parse` reads a
staff member's new answer (channel, agrees or not, how they said it) from a form or a JSON body and
names the field that is wrong; :func:`record_new_client` records the boxes ticked on the new-client
form, as said in person to the staff member adding the client.
"""

from __future__ import annotations

from dataclasses import dataclass

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.contact.consent_to_contact import STAFF_METHODS, Say
from needlewise.domain.permissions import Action
from needlewise.domain.statuses import Channel, ContactMethod
from needlewise.errors import N_, InvalidInputError, Problem
from needlewise.storage.models import ContactConsent

#: Each channel's name, as staff read it (translated where shown).
CHANNEL_WORDS = {Channel.EMAIL: N_("E-mail"), Channel.SMS: N_("SMS")}
#: How a client said it, in words (translated where shown).
METHOD_WORDS = {
    ContactMethod.IN_PERSON: N_("in person"),
    ContactMethod.ON_PAPER: N_("on paper"),
    ContactMethod.BY_PHONE: N_("by phone"),
    ContactMethod.BY_EMAIL: N_("by e-mail"),
    ContactMethod.UNSUBSCRIBE_LINK: N_("by the unsubscribe link of an e-mail"),
    ContactMethod.SMS_KEYWORD: N_("by answering an SMS"),
}
_GRANTED = {"1": True, "0": False, "true": True, "false": False}


@dataclass(frozen=True, slots=True)
class ContactAnswers:
    """What stands for each channel (e-mail first), and every answer, newest first."""

    standing: list[Say]
    history: list[ContactConsent]


@dataclass(frozen=True, slots=True)
class NewAnswer:
    """A staff member's record of what the client said: the channel, agreed or not, and how they said it."""

    channel: Channel
    granted: bool
    method: ContactMethod


def parse(channel: str, granted: str, method: str) -> NewAnswer:
    """The answer as typed (``granted`` ``1``/``0``), or InvalidInputError naming each field that is wrong."""
    problems = []
    if channel not in {c.value for c in Channel}:
        problems.append(Problem("channel", N_("choose e-mail or SMS")))
    if granted not in _GRANTED:
        problems.append(Problem("granted", N_("choose whether the client agrees")))
    if method not in {m.value for m in STAFF_METHODS}:
        wrong = N_("choose how the client said it: in person, on paper, by phone or by e-mail")
        problems.append(Problem("method", wrong))
    if problems:
        raise InvalidInputError(problems)
    return NewAnswer(Channel(channel), _GRANTED[granted], ContactMethod(method))


def of_client(client_id: int) -> ContactAnswers:
    """What a client said per channel and its history, in one query (for a page that has read the client already)."""
    rows = list(
        ContactConsent.objects.filter(client_id=client_id)
        .select_related("recorded_by__staff")
        .order_by("-recorded_at", "-id")
    )
    newest: dict[str, ContactConsent] = {}
    for row in rows:
        newest.setdefault(row.channel, row)
    standing = [
        Say(channel, granted=bool(newest[channel].granted), row=newest[channel])
        if channel in newest
        else Say(channel, granted=False, row=None)
        for channel in Channel
    ]
    return ContactAnswers(standing, rows)


@use_case(Action.EDIT_CLIENTS, "contact_consent", record="client_id", client="client_id", missing="client")
def read(actor: Actor, client_id: int) -> ContactAnswers:
    """What the client of the actor's clinic said per channel, and its history (the read is recorded)."""
    client = access_client(actor, client_id)
    audit_log.record(actor, "read", "contact_consent", client.pk, client_id=client.pk)
    return of_client(client.pk)
