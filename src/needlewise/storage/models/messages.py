"""The outbound message queue's table: each message once, from the moment it is asked for until it is handed over."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from needlewise.domain.statuses import Channel, ContactMethod, MessageStatus
from needlewise.storage.encrypted_fields import EncryptedTextField
from needlewise.storage.models.choices import choices, one_of
from needlewise.storage.models.clinic import Client, Clinic


class QueuedMessage(models.Model):
    """One message to one or more people, written in the transaction that asked for it.

    ``key`` is unique: asking twice for the message with the same key (the same alert, the same
    reminder) keeps the first. It is also the message's ``Message-ID``, so a receiver sees a
    re-sent copy as the same message. ``text`` and ``html`` hold links, never health data (see
    :class:`needlewise.services.ports.OutboundMessage`), sealed at rest because a link is a secret;
    the audit trail records a message without them.
    """

    key = models.CharField(max_length=120, unique=True)
    purpose = models.CharField(max_length=40)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    #: The client the message goes to, if it goes to a client: sent only while they agree to its channel.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    channel = models.CharField(max_length=10, choices=choices(Channel), default=Channel.EMAIL.value)
    #: Sent in quiet hours too (a red-flag alert to staff); other SMS wait for the clinic's morning.
    urgent = models.BooleanField(default=False, db_default=False)
    recipients = models.JSONField()
    subject = models.TextField()
    text = EncryptedTextField()  # its links are secrets: sealed like health data
    #: The client's unsubscribe link (e-mails to clients), for the ``List-Unsubscribe`` header: sealed, a secret.
    unsubscribe_url = EncryptedTextField(blank=True, default="")
    html = EncryptedTextField(blank=True, default="")  # empty: plain text only
    status = models.CharField(max_length=10, choices=choices(MessageStatus), default=MessageStatus.QUEUED.value)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    #: When the worker holding it began handing it over (this attempt); empty: not yet, it can be taken back.
    handed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    #: The provider's id for the message (an SMS provider's message id), to match its delivery reports.
    provider_ref = models.CharField(max_length=64, blank=True, default="", db_default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        """Table options."""

        db_table = "queued_message"
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["clinic", "-created_at"], name="queued_message_clinic_recent"),
            # the worker's claim: due messages by status, without reading the sent ones' history
            models.Index(fields=["status", "next_attempt_at"], name="queued_message_due"),
            models.Index(fields=["provider_ref"], name="queued_message_provider_ref"),
        ]
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            one_of("status", MessageStatus, "queued_message_status_valid"),
            one_of("channel", Channel, "queued_message_channel_valid"),
        ]

    def __str__(self) -> str:
        """The purpose and status, never the recipients or the text."""
        return f"message {self.pk} ({self.purpose}, {self.status})"

    @staticmethod
    def unsent() -> models.Q:
        """The messages not handed to their channel: waiting, or claimed by a worker that has not begun handing it over.

        Only these can be taken back (cancelled) or changed: the worker hands a claimed message over only
        after marking it ``handed_at`` with a conditional ``UPDATE`` that finds it still claimed (each
        message on its own, just before it goes), and a cancellation is a conditional ``UPDATE`` that
        finds it not marked; on one row, one of them wins.
        """
        waiting = (MessageStatus.QUEUED.value, MessageStatus.RETRYING.value)
        return models.Q(status__in=waiting) | models.Q(status=MessageStatus.SENDING.value, handed_at__isnull=True)


class ContactConsent(models.Model):
    """A client's say on one channel, at one moment: agreed or withdrawn, recorded when, by whom and how.

    Rows are only added: the newest for a client and channel is what stands, the older ones are its
    history. ``recorded_by`` is the staff member who recorded it, empty when the client said it
    themselves (an unsubscribe link, an SMS answered STOP).
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contact_consents")
    channel = models.CharField(max_length=10, choices=choices(Channel))
    granted = models.BooleanField()
    method = models.CharField(max_length=20, choices=choices(ContactMethod))
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        """Table options."""

        db_table = "contact_consent"
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["client", "channel", "-recorded_at", "-id"], name="contact_consent_latest"),
        ]
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            one_of("channel", Channel, "contact_consent_channel_valid"),
            one_of("method", ContactMethod, "contact_consent_method_valid"),
        ]

    def __str__(self) -> str:
        """The channel and the answer, never the client's details."""
        return f"contact consent {self.pk} ({self.channel}, {'granted' if self.granted else 'withdrawn'})"
