"""What a client said about being contacted, as staff read and record it: per channel, with its history.

:func:`read` is the guarded read behind the clinic API (:func:`of_client` the client page's, which has
read the client already); :func:`parse` reads a
staff member's new answer (channel, agrees or not, how they said it) from a form or a JSON body and
names the field that is wrong; :func:`record_new_client` records the boxes ticked on the new-client
form, as said in person to the staff member adding the client.

:func:`of_client` reads on every view of a client page, so it runs one fixed statement (:data:`ANSWERS`)
rather than the ORM query it replaced (``select_related("recorded_by__staff")``), which cost more CPU to
build than to run: the same rows in the same order, the same instances (each answer with
``recorded_by`` and its ``staff`` loaded; None for an answer the client gave themself).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import connections, router

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.contact.consent_to_contact import STAFF_METHODS, Say
from needlewise.domain.permissions import Action
from needlewise.domain.statuses import Channel, ContactMethod
from needlewise.errors import N_, InvalidInputError, Problem
from needlewise.storage.models import ContactConsent, StaffMember
from needlewise.storage.rows import cache, columns, loaded

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
_ANSWER, _ANSWER_SQL = columns(ContactConsent, "a")
#: What a page shows of who recorded an answer: the name they go by (the rest deferred, as in history_rows).
_USER, _USER_SQL = columns(User, "u", only=("id",))
_STAFF, _STAFF_SQL = columns(StaffMember, "m", only=("id", "user", "display_name"))
#: A client's answers, newest first, each with who recorded it (no one: the client) and their membership.
ANSWERS = (
    f"SELECT {_ANSWER_SQL}, {_USER_SQL}, {_STAFF_SQL} FROM contact_consent a "  # noqa: S608 - fixed column names
    "LEFT JOIN auth_user u ON u.id = a.recorded_by_id LEFT JOIN staff_member m ON m.user_id = u.id "
    "WHERE a.client_id = %s ORDER BY a.recorded_at DESC, a.id DESC"
)


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


def _answers(client_id: int) -> list[ContactConsent]:
    """The client's answers, newest first, as ``select_related("recorded_by__staff")`` loads them."""
    db = router.db_for_read(ContactConsent)
    with connections[db].cursor() as cursor:
        cursor.execute(ANSWERS, [client_id])
        found = cursor.fetchall()
    rows = []
    at, end = len(_ANSWER), len(_ANSWER) + len(_USER)
    for found_row in found:
        row = loaded(ContactConsent, _ANSWER, found_row[:at], db)
        user = None
        if found_row[at] is not None:  # recorded by a staff member (None: the client, by a link or a keyword)
            user = loaded(User, _USER, found_row[at:end], db)
            staff = None if found_row[end] is None else loaded(StaffMember, _STAFF, found_row[end:], db)
            cache(user, "staff", staff)
            if staff is not None:
                cache(staff, "user", user)
        cache(row, "recorded_by", user)
        rows.append(row)
    return rows


def of_client(client_id: int) -> ContactAnswers:
    """What a client said per channel and its history, in one query (for a page that has read the client already)."""
    rows = _answers(client_id)
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
