"""Outbound SMS: the provider behind the messages port (none is set up yet).

Until an SMS provider is configured, no connection can be opened: each SMS fails with the reason
``SmsNotConfiguredError`` and is retried with backoff, then marked failed.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from needlewise.services.ports import MessageSender


class SmsNotConfiguredError(RuntimeError):
    """No SMS provider is set up."""


def sms_connection() -> AbstractContextManager[MessageSender]:
    """A session with the SMS provider for one batch of messages; an error while none is set up."""
    raise SmsNotConfiguredError
