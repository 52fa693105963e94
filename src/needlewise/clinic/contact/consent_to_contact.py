"""A client's consent to be contacted, per channel: recorded when, by whom and how; checked before each message.

Nothing is sent to a client on a channel until their consent to it is recorded, and nothing more once
they withdraw it: staff record what the client said (in person, on paper, by phone, by e-mail); the
client withdraws it themselves through the unsubscribe link of an e-mail or by answering an SMS with
STOP (and agrees again with START). Each is one more row in ``contact_consent``: the newest row for a
client and channel stands, the older ones stay as its history. The message queue checks the newest
row when it hands a message over, so a withdrawal stops messages already waiting too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Action
from needlewise.domain.statuses import Channel, ContactMethod
from needlewise.storage.models import ContactConsent

#: How staff may say a client answered; the other methods are the client's own (a link, an SMS keyword).
STAFF_METHODS = (ContactMethod.IN_PERSON, ContactMethod.ON_PAPER, ContactMethod.BY_PHONE, ContactMethod.BY_EMAIL)


@dataclass(frozen=True, slots=True)
class Say:
    """What stands for one channel: agreed or not, and the row that says so (``None``: never asked)."""

    channel: Channel
    granted: bool
    row: ContactConsent | None


def agreed(pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of the (client id, channel) pairs the client agrees to now (newest row granted); one query."""
    wanted = set(pairs)
    if not wanted:
        return set()
    match = Q()
    for client_id, channel in wanted:
        match |= Q(client_id=client_id, channel=channel)
    newest: dict[tuple[int, str], bool] = {}
    for client_id, channel, granted in (
        ContactConsent.objects.filter(match)
        .order_by("recorded_at", "id")
        .values_list("client_id", "channel", "granted")
    ):
        newest[(client_id, channel)] = granted
    return {pair for pair, granted in newest.items() if granted}


def standing(client_id: int) -> dict[Channel, Say]:
    """What stands for each channel of one client (un-audited: for use inside audited use cases)."""
    rows = ContactConsent.objects.filter(client_id=client_id).order_by("recorded_at", "id")
    newest: dict[str, ContactConsent] = {row.channel: row for row in rows}
    return {
        channel: Say(channel, granted=bool(newest[channel].granted), row=newest[channel])
        if channel in newest
        else Say(channel, granted=False, row=None)
        for channel in Channel
    }


def history(client_id: int) -> list[ContactConsent]:
    """Every answer of one client, newest first, with who recorded it (un-audited: inside audited use cases)."""
    return list(
        ContactConsent.objects.filter(client_id=client_id).select_related("recorded_by").order_by("-recorded_at", "-id")
    )


def _add(  # noqa: PLR0913 - each is one fact the row keeps
    clinic_id: int, client_id: int, channel: Channel, *, granted: bool, method: ContactMethod, by: int | None
) -> ContactConsent:
    return ContactConsent.objects.create(
        clinic_id=clinic_id,
        client_id=client_id,
        channel=channel.value,
        granted=granted,
        method=method.value,
        recorded_at=timezone.now(),
        recorded_by_id=by,
    )


@use_case(Action.EDIT_CLIENTS, "contact_consent", record="client_id", client="client_id", missing="client")
def record(actor: Actor, client_id: int, channel: Channel, *, granted: bool, method: ContactMethod) -> ContactConsent:
    """Record what a client said about being contacted on ``channel``, as told to the acting staff member."""
    client = access_client(actor, client_id)
    row = _add(client.clinic_id, client.pk, channel, granted=granted, method=method, by=actor.staff_user_id)
    detail: dict[str, object] = {"channel": channel.value, "granted": granted, "method": method.value}
    audit_log.record(actor, "record", "contact_consent", row.pk, client_id=client.pk, detail=detail)
    return row


def said_by_client(  # noqa: PLR0913 - each is one fact the row keeps
    actor: Actor, client_id: int, clinic_id: int, channel: Channel, *, granted: bool, method: ContactMethod
) -> datetime:
    """Record what the client said themselves (an unsubscribe link, STOP or START), in the caller's transaction.

    For the public edges that have already proved who the client is (a signed link, the provider's
    signed report of an SMS from their number); audited; when it was recorded.
    """
    row = _add(clinic_id, client_id, channel, granted=granted, method=method, by=None)
    detail: dict[str, object] = {"channel": channel.value, "granted": granted, "method": method.value}
    action = "grant" if granted else "withdraw"
    audit_log.record(actor, action, "contact_consent", row.pk, client_id=client_id, clinic_id=clinic_id, detail=detail)
    return row.recorded_at
