"""The unsubscribe link of every e-mail to a client: a signed token naming the client and the channel.

:func:`token` signs the client's id and the channel with the site's secret (its own salt, so no other
signed value of the site reads as one, and no expiry: an old e-mail's link still works). Whoever holds
the link may stop that client's messages on that channel, and nothing else: :func:`open_link` shows whose
clinic it is (nothing changes: mail scanners follow links), :func:`withdraw` records the withdrawal as
the client's own (``consent_to_contact.said_by_client``, audited), after which the message queue
withholds every message still waiting for that channel.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.core import signing
from django.db import transaction

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.contact import consent_to_contact
from needlewise.domain.contact import Contact
from needlewise.domain.statuses import Channel, ContactMethod
from needlewise.errors import N_, NotFoundError, Problem
from needlewise.storage.models import Client

#: Keeps these signatures apart from the site's other signed values.
SALT = "needlewise.contact.unsubscribe"


@dataclass(frozen=True, slots=True)
class Unsubscribing:
    """Whose link it is: the client, their clinic (name and contact) and language, the channel, what stands."""

    client_id: int
    clinic_id: int
    clinic_name: str
    contact: Contact
    language: str
    channel: Channel
    #: Whether the client agrees to messages on the channel now (false once withdrawn).
    agreed: bool


def token(client_id: int, channel: Channel) -> str:
    """The signed, URL-safe token of ``client_id``'s unsubscribe link for ``channel``."""
    return signing.dumps([client_id, channel.value], salt=SALT, compress=False)


def language_of(client_id: int) -> str:
    """The language the client is written to in (``en`` for a client not on file)."""
    return Client.objects.filter(pk=client_id).values_list("language", flat=True).first() or "en"


def _read(text: str) -> tuple[int, Channel]:
    try:
        value = signing.loads(text, salt=SALT)
    except signing.BadSignature:
        value = None
    if (
        isinstance(value, list)
        and len(value) == 2  # noqa: PLR2004 - the client's id and the channel
        and isinstance(value[0], int)
        and value[1] in {c.value for c in Channel}
    ):
        return value[0], Channel(value[1])
    raise NotFoundError([Problem("token", N_("this link is not valid"))])


def _lookup(text: str, *, lock: bool = False) -> Unsubscribing:
    client_id, channel = _read(text)
    rows = Client.objects.select_related("clinic").filter(pk=client_id)
    client = (rows.select_for_update(of=("self",)) if lock else rows).first()
    if client is None:  # a link of a client no longer on file (a restored backup): nothing to stop
        raise NotFoundError([Problem("token", N_("this link is not valid"))])
    clinic = client.clinic
    contact = Contact(clinic.phone, clinic.address, clinic.out_of_hours, clinic.time_zone)
    agreed = consent_to_contact.standing(client.pk)[channel].granted
    return Unsubscribing(client.pk, clinic.pk, clinic.name, contact, client.language, channel, agreed)


def open_link(token_text: str) -> Unsubscribing:
    """Whose unsubscribe link ``token_text`` is (nothing changes); NotFoundError for a token that is not one."""
    return _lookup(token_text)


def withdraw(actor: Actor, token_text: str) -> Unsubscribing:
    """Record that the client withdraws their consent to the link's channel, as their own say (audited).

    A client who does not agree already (asked twice, a mail client's one-click and then the button)
    records nothing more. NotFoundError for a token that is not one.
    """
    with transaction.atomic():
        found = _lookup(token_text, lock=True)
        if found.agreed:
            consent_to_contact.said_by_client(
                actor,
                found.client_id,
                found.clinic_id,
                found.channel,
                granted=False,
                method=ContactMethod.UNSUBSCRIBE_LINK,
            )
    return replace(found, agreed=False)
