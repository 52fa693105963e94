"""Outbound messages by e-mail, through Django's configured e-mail backend.

Which backend (the server log by default, SMTP in production) is Django's ``EMAIL_BACKEND`` setting;
see :mod:`needlewise.web.settings`. The sender is ``DEFAULT_FROM_EMAIL``.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from needlewise.services.ports import OutboundMessage

#: The default backend: messages are only written to the server's log, no one receives them.
LOG_ONLY_BACKEND = "needlewise.web.mail.LogEmailBackend"


def delivers() -> bool:
    """Whether e-mail reaches people: false while no mail backend is set up (the server log only)."""
    return str(settings.EMAIL_BACKEND) != LOG_ONLY_BACKEND


def message_id(key: str) -> str:
    """The ``Message-ID`` for queue key ``key``: the same on every attempt, so a re-sent copy is the same message."""
    domain = str(settings.DEFAULT_FROM_EMAIL).rpartition("@")[2] or "needlewise.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


class DjangoMailSender:
    """A :class:`~needlewise.services.ports.MessageSender` that e-mails each message."""

    def send(self, message: OutboundMessage) -> None:
        """E-mail ``message`` (plain text, with its HTML as an alternative part when it has one)."""
        headers = {"Message-ID": message_id(message.key)} if message.key else None
        email = EmailMultiAlternatives(message.subject, message.text, None, list(message.to), headers=headers)
        if message.html is not None:
            email.attach_alternative(message.html, "text/html")
        email.send()
