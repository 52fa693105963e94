"""Outbound SMS through Twilio, behind the messages port; and checking that a report really comes from Twilio.

Set up by ``NEEDLEWISE_TWILIO_ACCOUNT_SID``, ``NEEDLEWISE_TWILIO_AUTH_TOKEN`` and ``NEEDLEWISE_TWILIO_FROM``
(a phone number, or a Messaging Service SID ``MG…``); ``NEEDLEWISE_TWILIO_API_URL`` points at another
address than ``https://api.twilio.com`` (a local stand-in in tests and staging). With
``NEEDLEWISE_PUBLIC_URL`` set, each SMS asks Twilio to report its fate to ``<public url>/hooks/sms/status``.

One :class:`TwilioConnection` (one Twilio ``Client``, one HTTP session) serves a batch of messages;
each message is one ``Messages`` request per phone number, and the first one's SID is the message's
provider reference, which the delivery reports name. An error from Twilio (``TwilioRestException``
with its error code) or from the network fails that message only; the queue retries it. Until the
three settings are there, no connection can be opened: each SMS fails with ``SmsNotConfiguredError``,
is retried with backoff, then marked failed.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from django.conf import settings
from django.http import QueryDict
from twilio.request_validator import RequestValidator

from needlewise.services.ports import MessageSender, OutboundMessage

#: Where the status reports go, under the public address.
STATUS_PATH = "/hooks/sms/status"
_MESSAGING_SERVICE = re.compile(r"MG[0-9a-fA-F]{32}")


class SmsNotConfiguredError(RuntimeError):
    """No SMS provider is set up."""


@dataclass(frozen=True, slots=True)
class TwilioSettings:
    """What talking to Twilio takes: the account, its token, the sender, the API's address, where reports go."""

    account_sid: str
    auth_token: str
    sender: str
    api_url: str
    #: ``<public url>/hooks/sms/status``, or ``None`` when the site's public address is not set.
    status_callback: str | None


def twilio_settings() -> TwilioSettings | None:
    """The Twilio settings, or ``None`` while the account, its token or the sender is missing."""
    sid, token, sender = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM
    if not (sid and token and sender):
        return None
    public = str(settings.PUBLIC_URL).rstrip("/")
    callback = f"{public}{STATUS_PATH}" if public else None
    return TwilioSettings(str(sid), str(token), str(sender), str(settings.TWILIO_API_URL).rstrip("/"), callback)


def configured() -> bool:
    """Whether an SMS provider is set up."""
    return twilio_settings() is not None


class TwilioConnection:
    """One Twilio client for a batch of SMS: each :meth:`send` creates one message per phone number."""

    def __init__(self, config: TwilioSettings) -> None:
        """A client for ``config``'s account, talking to its API address (nothing is sent yet)."""
        # Loaded when SMS go out (a third of a second, with requests), not in every web process.
        from twilio.http.http_client import TwilioHttpClient  # noqa: PLC0415 - see above
        from twilio.rest import Client  # noqa: PLC0415 - see above

        self._config = config
        # The same timeout the delivery lease is sized by (the mail server's), so a live worker is never overtaken.
        self._http = TwilioHttpClient(timeout=float(settings.EMAIL_TIMEOUT))
        # Credentials are given here only; the library would otherwise read TWILIO_* from the environment.
        environment = {"TWILIO_ACCOUNT_SID": config.account_sid, "TWILIO_AUTH_TOKEN": config.auth_token}
        self._client = Client(config.account_sid, config.auth_token, http_client=self._http, environment=environment)
        self._client.api.base_url = config.api_url

    def __enter__(self) -> Self:
        """The connection itself: Twilio is reached with the first message."""
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        """Close the HTTP session."""
        del kind, error, tb
        self._http.session.close()  # pooled connections (the default): the client keeps one session

    def _create(self, to: str, body: str) -> str:
        config = self._config
        sender = (
            {"messaging_service_sid": config.sender}
            if _MESSAGING_SERVICE.fullmatch(config.sender)
            else {"from_": config.sender}
        )
        callback = {"status_callback": config.status_callback} if config.status_callback else {}
        created = self._client.messages.create(to=to, body=body, **sender, **callback)
        return str(created.sid or "")

    def send(self, message: OutboundMessage) -> str | None:
        """Hand ``message`` to Twilio, one SMS per phone number; the first one's SID (its provider reference).

        A message to several numbers that fails part-way is retried whole: queue one SMS per number.
        """
        refs = [self._create(number, message.text) for number in message.to]
        return next((ref for ref in refs if ref), None)


def sms_connection() -> AbstractContextManager[MessageSender]:
    """A session with the SMS provider for one batch of messages; an error while none is set up."""
    config = twilio_settings()
    if config is None:
        raise SmsNotConfiguredError
    return TwilioConnection(config)


def signed_by_twilio(url: str, fields: QueryDict, signature: str) -> bool:
    """Whether ``signature`` (``X-Twilio-Signature``) is Twilio's, under our auth token, for ``url`` and ``fields``.

    False while no SMS provider is set up, or without a signature.
    """
    config = twilio_settings()
    if config is None or not signature:
        return False
    return bool(RequestValidator(config.auth_token).validate(url, fields, signature))
