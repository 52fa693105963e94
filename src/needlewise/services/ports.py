"""Ports: what the services and the clinic need from the outside, as Protocols adapters implement.

:class:`SavedResults` and :class:`Journals` are implemented by the storage layer; :class:`MessageSender` by
:mod:`needlewise.adapters.mail` (e-mail) and :mod:`needlewise.adapters.sms` (SMS through Twilio). The composition root
(:mod:`needlewise.bootstrap`) picks the concrete one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from needlewise.domain.json_types import JsonValue


@dataclass(frozen=True, slots=True)
class SavedResultRecord:
    """An assessment a person chose to keep, found again by the digest of its secret link."""

    token_digest: str
    lang: str
    profile: dict[str, JsonValue]
    kb_version: str
    kb_hash: str
    tier: str
    assessment: dict[str, JsonValue]
    created_at: datetime | None = None


class SavedResults(Protocol):
    """Where saved results live."""

    def add(self, record: SavedResultRecord) -> None:
        """Store ``record`` durably (committed when this returns)."""

    def get(self, token_digest: str) -> SavedResultRecord | None:
        """The record with this digest, if it exists."""

    def delete(self, token_digest: str) -> bool:
        """Delete the record; whether one existed."""


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """A home journal, found by the digest of its secret link: the profile and its state (sealed at rest)."""

    token_digest: str
    lang: str
    profile: dict[str, JsonValue]
    state: dict[str, JsonValue]
    email: str | None = None
    created_at: datetime | None = None
    time_zone: str | None = None  # the IANA zone of the reminders' 09:00; None: none chosen (UTC)


class Journals(Protocol):
    """Where home journals live."""

    def add(self, record: JournalRecord) -> None:
        """Store ``record`` durably (committed when this returns)."""

    def add_once(self, record: JournalRecord, mark: str) -> bool:
        """Store ``record`` with ``mark`` (a used start form's), in one transaction; ``False``: the mark was there.

        Marks are unique and outlive their journal (for a while): a form used once never starts another.
        """

    def get(self, token_digest: str) -> JournalRecord | None:
        """The journal with this digest, if it exists."""

    def change(self, token_digest: str, update: Callable[[JournalRecord], JournalRecord]) -> JournalRecord | None:
        """Replace the journal's profile and state by ``update``'s, in one transaction holding its row."""

    def delete(self, token_digest: str) -> bool:
        """Delete the journal and everything in it; whether one existed."""

    def set_email(self, token_digest: str, email: str | None, time_zone: str | None = None) -> bool:
        """Keep ``email`` (sealed) for the journal's reminders, ``None``: forget it; whether the journal exists.

        ``time_zone`` (an IANA name) replaces the zone the reminders go at 09:00 in; ``None`` keeps it.
        """


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One message to people on one channel: e-mail (``to`` holds addresses) or SMS (``to`` holds phone numbers).

    Messages never carry health data: no answers, results, findings or treatment details, only
    account wording and links behind which the person signs in or proves who they are.
    """

    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    #: Why it is sent (``password_link``, ``staff_alert`` ...), for the queue and the audit trail.
    purpose: str = "message"
    #: Unique per message: asking again with the same key (the same alert) sends nothing more. Empty: a new key.
    key: str = ""
    #: The clinic the message is about, if any (its messages list shows it).
    clinic_id: int | None = None
    #: ``email`` or ``sms`` (a :class:`~needlewise.domain.statuses.Channel` value).
    channel: str = "email"
    #: The client it goes to, if any: it is sent only while they agree to be contacted on ``channel``.
    client_id: int | None = None
    #: Not to be sent before this instant (a check-in link on the day's morning); ``None``: at once.
    not_before: datetime | None = None
    #: Sent in quiet hours too (a red-flag alert to staff); any other SMS waits for the clinic's morning.
    urgent: bool = False
    #: The client's unsubscribe link (an e-mail to a client must carry one: its ``List-Unsubscribe`` header).
    unsubscribe_url: str = ""


class MessageSender(Protocol):
    """Where outbound messages go."""

    def send(self, message: OutboundMessage) -> str | None:
        """Hand ``message`` over: queue it in the caller's transaction, or send it now (an error if it cannot).

        Returns the provider's reference for the message when it gives one (an SMS provider's message
        id, which its delivery reports name), else ``None``.
        """
