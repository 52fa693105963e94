"""The default mailer: e-mails (password-reset and welcome links) are written to the server log.

Nothing external is needed to try needlewise. Set ``NEEDLEWISE_EMAIL_BACKEND`` to any Django e-mail
backend (SMTP, for example) to send them for real.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("needlewise.mail")


class LogEmailBackend(BaseEmailBackend):
    """Write each message to the ``needlewise.mail`` logger (the server's console by default)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Log every message; all count as sent."""
        for message in email_messages:
            logger.info("mail to %s: %s\n%s", ", ".join(message.to), message.subject, message.body)
        return len(email_messages)
