"""Outbound messages by e-mail, through Django's configured e-mail backend.

Which backend (the server log by default, SMTP in production) is Django's ``EMAIL_BACKEND`` setting;
see :mod:`needlewise.web.settings`. The sender is ``DEFAULT_FROM_EMAIL``.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives

from needlewise.services.ports import OutboundMessage


class DjangoMailSender:
    """A :class:`~needlewise.services.ports.MessageSender` that e-mails each message."""

    def send(self, message: OutboundMessage) -> None:
        """E-mail ``message`` (plain text, with its HTML as an alternative part when it has one)."""
        email = EmailMultiAlternatives(message.subject, message.text, None, list(message.to))
        if message.html is not None:
            email.attach_alternative(message.html, "text/html")
        email.send()
