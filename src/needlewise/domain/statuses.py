"""The states a clinic record moves through: the values its status columns may hold.

The storage layer builds each column's choices and its database check constraint from these, so a
value outside them is refused by the database as well as by the use cases that write it.
"""

from __future__ import annotations

from enum import StrEnum


class RequestStatus(StrEnum):
    """A consultation request in a clinic's inbox."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class PlanStatus(StrEnum):
    """A treatment plan: the client's one active plan, or a closed earlier one."""

    ACTIVE = "active"
    CLOSED = "closed"


class AppointmentStatus(StrEnum):
    """A booked appointment, or one that was cancelled."""

    BOOKED = "booked"
    CANCELLED = "cancelled"


class AlertStatus(StrEnum):
    """A check-in's alert: none raised, raised and open, or acknowledged by a practitioner."""

    NONE = "none"
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


class AlertAction(StrEnum):
    """What a practitioner did about an alert, recorded when it is closed."""

    CALLED_CLIENT = "called_client"
    ADVISED_CARE = "advised_care"
    BOOKED_REVIEW = "booked_review"
    OTHER = "other"
    ADVERSE_EVENT = "adverse_event"  # closed by recording an adverse event from it


class EventSeverity(StrEnum):
    """How severe an adverse event is."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class EventOutcome(StrEnum):
    """Where an adverse event stands."""

    ONGOING = "ongoing"
    RESOLVED = "resolved"
    RESOLVED_WITH_SEQUELAE = "resolved_with_sequelae"
    UNKNOWN = "unknown"


class ConsentMethod(StrEnum):
    """How a consent was signed: drawn on the screen, or on paper and scanned."""

    DRAWN = "drawn"
    PAPER = "paper"


class ScreeningSource(StrEnum):
    """Who answered a screening: staff with the client, or the client in a request to the clinic."""

    STAFF = "staff"
    CONSUMER_REQUEST = "consumer_request"


class MessageStatus(StrEnum):
    """An outbound message in the queue: waiting, being handed to its provider, handed over, or given up."""

    QUEUED = "queued"
    SENDING = "sending"
    RETRYING = "retrying"
    SENT = "sent"
    #: The provider says it reached the person (an SMS provider's delivery report).
    DELIVERED = "delivered"
    FAILED = "failed"
    #: Not sent, and never will be: the client has not agreed to be contacted on its channel.
    WITHHELD = "withheld"
    #: Not sent, and never will be: taken back before it was handed over (an appointment moved, a reminder stopped).
    CANCELLED = "cancelled"


class Channel(StrEnum):
    """How a message reaches a person."""

    EMAIL = "email"
    SMS = "sms"


class ContactMethod(StrEnum):
    """How a client gave or withdrew their consent to be contacted on a channel."""

    IN_PERSON = "in_person"
    ON_PAPER = "on_paper"
    BY_PHONE = "by_phone"
    BY_EMAIL = "by_email"
    #: The client followed the unsubscribe link of an e-mail.
    UNSUBSCRIBE_LINK = "unsubscribe_link"
    #: The client answered an SMS with STOP (or START, to agree again).
    SMS_KEYWORD = "sms_keyword"
