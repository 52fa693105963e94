"""The outbound message queue's table: each message once, from the moment it is asked for until it is handed over."""

from __future__ import annotations

from django.db import models

from needlewise.domain.statuses import MessageStatus
from needlewise.storage.encrypted_fields import EncryptedTextField
from needlewise.storage.models.choices import choices, one_of
from needlewise.storage.models.clinic import Clinic


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
    channel = models.CharField(max_length=10, default="email")
    recipients = models.JSONField()
    subject = models.TextField()
    text = EncryptedTextField()  # its links are secrets: sealed like health data
    html = EncryptedTextField(blank=True, default="")  # empty: plain text only
    status = models.CharField(max_length=10, choices=choices(MessageStatus), default=MessageStatus.QUEUED.value)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        """Table options."""

        db_table = "queued_message"
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["clinic", "-created_at"], name="queued_message_clinic_recent"),
            # the worker's claim: due messages by status, without reading the sent ones' history
            models.Index(fields=["status", "next_attempt_at"], name="queued_message_due"),
        ]
        constraints = [one_of("status", MessageStatus, "queued_message_status_valid")]  # noqa: RUF012 - Django's Meta API is a list

    def __str__(self) -> str:
        """The purpose and status, never the recipients or the text."""
        return f"message {self.pk} ({self.purpose}, {self.status})"
