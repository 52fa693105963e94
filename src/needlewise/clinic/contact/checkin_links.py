"""Check-in links by message: each day's private link sent to the client on the morning of that day.

When a session is recorded, each of its check-ins (day 1, 3 and 7) is queued as one message per channel
the client has an address for and agrees to be contacted on at that moment (the queue checks their
consent again when it sends): due at 09:00 on the check-in's day on the clinic's wall clock (07:00Z
in a Madrid winter, 08:00Z after the clocks go forward; an SMS then also keeps to quiet hours), in the
client's language. A message says which clinic asks, gives the link and the clinic's phone, and
nothing about the treatment: no product, no area, no finding. An e-mail carries the full private
link, an SMS the short one and "Reply STOP to stop". A check-in whose day is over when the session is
recorded (a session entered late) is not sent: staff hand its printed link over.

A message's key is ``checkin:<check-in id>:<channel>``: asking twice queues nothing more. The links
are made at the edge (:class:`CheckinMessages`, absolute on the request's site), as is the sender,
which gives each e-mail to a client its unsubscribe link.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, time

from django.utils import translation

from needlewise.clinic.contact.client_notes import From, Note, note
from needlewise.clinic.contact.reach import reachable
from needlewise.domain.statuses import Channel
from needlewise.errors import N_
from needlewise.services.ports import MessageSender, OutboundMessage
from needlewise.storage.models import CheckIn, Client, Clinic, QueuedMessage

PURPOSE = "checkin_link"
#: When a check-in's message is due: this time on its day, on the clinic's wall clock.
MORNING = time(9, 0)
SUBJECT = N_("%(clinic)s: how are you today?")
TEXT = N_("%(clinic)s would like to know how you are today. Please answer a few short questions at this private link:")
CALL = N_("If you are worried, call the clinic: %(phone)s")
SMS = N_("%(clinic)s: how are you today? Please answer here: %(link)s")
SMS_CALL = N_("Phone: %(phone)s.")
STOP = N_("Reply STOP to stop.")


@dataclass(frozen=True, slots=True)
class CheckinMessages:
    """How the edge hands over check-in links: its sender and the links, absolute on its site."""

    sender: MessageSender
    #: The check-in's private link (an e-mail's).
    link: Callable[[CheckIn], str]
    #: The check-in's short link (an SMS's).
    short_link: Callable[[CheckIn], str]


def words(sender: From, lang: str, channel: Channel, link: str) -> Note:
    """A check-in's message in ``lang``: an e-mail's subject and text, or an SMS's one line."""
    facts = {"clinic": sender.name, "phone": sender.phone, "link": link}
    with translation.override(lang):
        subject = translation.gettext(SUBJECT) % facts
        if channel == Channel.SMS:
            parts = [translation.gettext(SMS) % facts]
            parts += [translation.gettext(SMS_CALL) % facts] if sender.phone else []
            return Note(subject, " ".join([*parts, translation.gettext(STOP)]))
        lines = [translation.gettext(TEXT) % facts, "", link]
        lines += ["", translation.gettext(CALL) % facts] if sender.phone else []
        return Note(subject, "\n".join(lines) + "\n")


def messages(client: Client, checkins: Iterable[CheckIn], edge: CheckinMessages) -> list[OutboundMessage]:
    """The messages of ``checkins`` to ``client``: one per check-in still to come and channel they agree to."""
    given = list(checkins)
    if not given:
        return []
    sender = From.of(Clinic.objects.get(pk=given[0].clinic_id))
    today, found = sender.clock.today(), []
    for channel, address in reachable(client):
        for checkin in (c for c in given if c.due_on >= today):
            link = edge.short_link(checkin) if channel == Channel.SMS else edge.link(checkin)
            due = sender.clock.entered(checkin.due_on, MORNING).astimezone(UTC)
            said = words(sender, client.language, channel, link)
            key = f"checkin:{checkin.pk}:{channel.value}"
            found.append(note(client, channel, address, said, purpose=PURPOSE, key=key, not_before=due))
    return found


def send(client: Client, checkins: Iterable[CheckIn], edge: CheckinMessages | None) -> list[str]:
    """Queue the check-in links' messages through the edge's sender (``None``: none); the channels used."""
    if edge is None:
        return []
    queued = messages(client, checkins, edge)
    for message in queued:
        edge.sender.send(message)
    return sorted({message.channel for message in queued})


def channels_of(checkin_ids: Iterable[int]) -> list[str]:
    """The channels on which links of these check-ins were queued (sent, waiting or withheld since), sorted."""
    keys = [f"checkin:{pk}:{channel.value}" for pk in checkin_ids for channel in Channel]
    rows = QueuedMessage.objects.filter(key__in=keys).values_list("channel", flat=True).distinct()
    return sorted(set(rows))
