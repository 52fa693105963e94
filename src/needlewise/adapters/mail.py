"""Outbound messages by e-mail, through Django's configured e-mail backend.

Which backend (the server log by default, SMTP in production) is Django's ``EMAIL_BACKEND`` setting;
see :mod:`needlewise.web.settings`. The sender is ``DEFAULT_FROM_EMAIL``.
"""

from __future__ import annotations

import contextlib
import hashlib
from types import TracebackType
from typing import Self

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

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


def _headers(message: OutboundMessage) -> dict[str, str] | None:
    """Its stable ``Message-ID``; a client's unsubscribe link, with RFC 8058's one-click ``POST``."""
    headers = {"Message-ID": message_id(message.key)} if message.key else {}
    if message.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers or None


def _email(message: OutboundMessage, connection: BaseEmailBackend | None = None) -> EmailMultiAlternatives:
    headers = _headers(message)
    email = EmailMultiAlternatives(
        message.subject, message.text, None, list(message.to), headers=headers, connection=connection
    )
    if message.html is not None:
        email.attach_alternative(message.html, "text/html")
    return email


class DjangoMailSender:
    """A :class:`~needlewise.services.ports.MessageSender` that e-mails each message (a connection each)."""

    def send(self, message: OutboundMessage) -> None:
        """E-mail ``message`` (plain text, with its HTML as an alternative part when it has one)."""
        _email(message).send()


class MailConnection:
    """One connection to the mail server for a batch of messages, each handed over with its own outcome.

    Opened on entering (an error if the server cannot be reached), closed on leaving. A message the
    server refuses raises for that message only; the connection is then closed, since the session may
    be broken, and the next message opens a new one.
    """

    def __init__(self) -> None:
        """Not connected yet."""
        self._backend = get_connection()
        self._open = False

    def __enter__(self) -> Self:
        """Connect to the mail server."""
        self._connect()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        """Close the connection, if one is open."""
        del kind, error, tb
        self._close()

    def _connect(self) -> None:
        self._backend.open()
        self._open = True

    def _close(self) -> None:
        if self._open:
            self._open = False
            with contextlib.suppress(Exception):  # a session that broke cannot even say goodbye
                self._backend.close()

    def send(self, message: OutboundMessage) -> None:
        """E-mail ``message`` over this connection (a new one if the last message broke it)."""
        if not self._open:
            self._connect()
        try:
            _email(message, self._backend).send()
        except Exception:
            self._close()
            raise
