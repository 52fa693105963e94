"""What every message to a client carries, made at the edge: the unsubscribe link and its footer.

An e-mail to a client (an ``OutboundMessage`` with ``client_id`` and channel ``email``) must carry its
client's unsubscribe link: :func:`unsubscribe_url` makes it (absolute, from the request), the message
takes it as ``unsubscribe_url`` (the mail adapter writes the ``List-Unsubscribe`` headers from it) and
puts :func:`unsubscribe_footer` at the end of its text, in the client's language (the caller's active
one: wrap it in ``translation.override(client.language)``). The queue refuses such an e-mail without it.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from needlewise.clinic.contact import unsubscribe
from needlewise.domain.statuses import Channel


def unsubscribe_path(client_id: int, channel: Channel = Channel.EMAIL) -> str:
    """The path of ``client_id``'s unsubscribe link for ``channel`` (``/unsubscribe/<signed token>/``)."""
    return reverse("unsubscribe", args=[unsubscribe.token(client_id, channel)])


def unsubscribe_url(request: HttpRequest, client_id: int, channel: Channel = Channel.EMAIL) -> str:
    """The absolute address of ``client_id``'s unsubscribe link for ``channel``, on the request's site."""
    return request.build_absolute_uri(unsubscribe_path(client_id, channel))


def unsubscribe_footer(url: str) -> str:
    """The last lines of an e-mail to a client, in the active language: how to stop these e-mails."""
    words = gettext("To stop e-mails from your clinic, open this link:")
    return f"\n\n--\n{words}\n{url}\n"
