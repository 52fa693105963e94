"""The default mailer, when no mail server is set up: e-mails are noted in the server log, never sent.

Outside development the log gets only the address and the subject: the bodies carry password-reset
and invitation links, each a way into an account, so they are left out (the Staff page shows the owner
an invitation's link instead). With ``NEEDLEWISE_DEBUG`` the whole message is logged, so a developer
can follow a link. Set ``NEEDLEWISE_EMAIL_BACKEND`` to any Django e-mail backend (SMTP, for example)
to send them for real.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("needlewise.mail")


class LogEmailBackend(BaseEmailBackend):
    """Note each message on the ``needlewise.mail`` logger (the server's console by default)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Log every message (its body only in development); all count as sent."""
        for message in email_messages:
            to = ", ".join(message.to)
            if settings.DEBUG:
                logger.info("mail to %s: %s\n%s", to, message.subject, message.body)
            else:
                logger.info("mail to %s: %s (not sent: no mail server is set up; body not logged)", to, message.subject)
        return len(email_messages)
