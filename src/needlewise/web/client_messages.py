"""What every message to a client carries, made at the edge: the unsubscribe link and its footer.

An e-mail to a client (an ``OutboundMessage`` with ``client_id`` and channel ``email``) must carry its
client's unsubscribe link; the queue refuses one without it. A view that may send messages to clients
passes :func:`sender` (the composition root's sender, wrapped) to its use case: each e-mail to a client
that has no link yet gets it, absolute on the request's site, as ``unsubscribe_url`` (the mail adapter
writes the ``List-Unsubscribe`` headers from it) and as a footer at the end of its text, in the
client's language. :func:`unsubscribe_url` and :func:`unsubscribe_footer` make the two by hand.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from needlewise import bootstrap
from needlewise.clinic.contact import unsubscribe
from needlewise.clinic.contact.checkin_links import CheckinMessages
from needlewise.clinic.followup import checkin_tokens, short_links
from needlewise.domain.statuses import Channel
from needlewise.services.ports import MessageSender, OutboundMessage

if TYPE_CHECKING:
    from needlewise.storage.models import CheckIn


def unsubscribe_path(client_id: int, channel: Channel = Channel.EMAIL) -> str:
    """The path of ``client_id``'s unsubscribe link for ``channel`` (``/unsubscribe/<signed token>/``)."""
    return reverse("unsubscribe", args=[unsubscribe.token(client_id, channel)])


def unsubscribe_url(request: HttpRequest, client_id: int, channel: Channel = Channel.EMAIL) -> str:
    """The absolute address of ``client_id``'s unsubscribe link for ``channel``, on the request's site."""
    return request.build_absolute_uri(unsubscribe_path(client_id, channel))


def unsubscribe_footer(url: str) -> str:
    """The last lines of an e-mail to a client, in the active language: how to stop these e-mails."""
    words = translation.gettext("To stop e-mails from your clinic, open this link:")
    return f"\n\n--\n{words}\n{url}\n"


class ClientMessages:
    """A :class:`~needlewise.services.ports.MessageSender` that gives each e-mail to a client its unsubscribe link."""

    def __init__(self, request: HttpRequest, inner: MessageSender) -> None:
        """Messages go on to ``inner``; links are made on ``request``'s site."""
        self._request, self._inner = request, inner

    def send(self, message: OutboundMessage) -> None:
        """Add the link (header and footer) to an e-mail to a client that has none, then hand it on."""
        if message.channel == Channel.EMAIL and message.client_id is not None and not message.unsubscribe_url:
            url = unsubscribe_url(self._request, message.client_id)
            with translation.override(unsubscribe.language_of(message.client_id)):
                footer = unsubscribe_footer(url)
            message = replace(message, text=message.text.rstrip("\n") + footer, unsubscribe_url=url)
        self._inner.send(message)


def sender(request: HttpRequest) -> MessageSender:
    """The composition root's message sender, giving e-mails to clients their unsubscribe link."""
    return ClientMessages(request, bootstrap.message_sender())


def checkin_messages(request: HttpRequest) -> CheckinMessages:
    """How a recorded session's check-in links go to the client: this sender, links on the request's site."""

    def link(checkin: CheckIn) -> str:
        return request.build_absolute_uri(reverse("checkin", args=[checkin_tokens.link_token(checkin)]))

    def short_link(checkin: CheckIn) -> str:
        code = short_links.grouped(short_links.short_code(checkin))
        return request.build_absolute_uri(reverse("checkin-short", args=[code]))

    return CheckinMessages(sender(request), link, short_link)
