"""Follow-up tables: check-ins after a session, adverse events, and clients to contact about a recall."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from needlewise.domain.statuses import (
    AlertAction,
    AlertStatus,
    EventOutcome,
    EventSeverity,
)
from needlewise.domain.treatment import Triage
from needlewise.domain.vocabulary import Lang
from needlewise.storage.encrypted_fields import EncryptedJSONField, EncryptedTextField
from needlewise.storage.models.choices import choices, one_of
from needlewise.storage.models.clinic import Client, Clinic
from needlewise.storage.models.treatment import TreatmentSession


class CheckIn(models.Model):
    """A post-treatment check-in (day 1, 3, 7): a private link's digest, the answers and their triage."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="checkins")
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="checkins")
    day = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    lang = models.CharField(max_length=2, choices=choices(Lang))
    token_digest = models.CharField(max_length=64, unique=True)
    short_digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the short code printed on paper
    answers = EncryptedJSONField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    triage = models.CharField(max_length=16, choices=choices(Triage), blank=True, default="")
    alert = models.CharField(max_length=12, choices=choices(AlertStatus), default=AlertStatus.NONE.value)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_action = models.CharField(
        max_length=16, choices=choices(AlertAction), blank=True, default="", db_default=""
    )
    acknowledged_note = EncryptedTextField(blank=True, default="", db_default="")  # what was done, in words
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        """Table options."""

        db_table = "checkin"
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            models.UniqueConstraint(fields=["session", "day"], name="checkin_once_per_day"),
            one_of("alert", AlertStatus, "checkin_alert_valid"),
            one_of("triage", Triage, "checkin_triage_valid", or_empty=True),
            one_of("lang", Lang, "checkin_lang_valid"),
            one_of("acknowledged_action", AlertAction, "checkin_acknowledged_action_valid", or_empty=True),
        ]
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["clinic", "alert", "-answered_at"], name="checkin_alerts"),
            models.Index(fields=["clinic", "due_on"], name="checkin_due"),
        ]

    def __str__(self) -> str:
        """Id, day and triage."""
        return f"check-in {self.pk} day {self.day} ({self.triage or 'unanswered'})"


class AdverseEvent(models.Model):
    """An adverse event recorded against a session and its cartridge lot."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="adverse_events")
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="adverse_events")
    checkin = models.ForeignKey(CheckIn, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    cartridge_lot = models.CharField(max_length=64)
    kind = models.CharField(max_length=40)
    severity = models.CharField(max_length=10, choices=choices(EventSeverity))
    serious = models.BooleanField(default=False)
    onset_on = models.DateField()
    outcome = models.CharField(max_length=24, choices=choices(EventOutcome))
    description = EncryptedTextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        """Table options."""

        db_table = "adverse_event"
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            one_of("severity", EventSeverity, "adverse_event_severity_valid"),
            one_of("outcome", EventOutcome, "adverse_event_outcome_valid"),
        ]
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["clinic", "cartridge_lot"], name="adverse_event_lot"),
            models.Index(fields=["clinic", "-created_at"], name="adverse_event_recent"),
        ]

    def __str__(self) -> str:
        """Id, kind and severity."""
        return f"adverse event {self.pk} ({self.kind}, {self.severity})"


class RecallContact(models.Model):
    """A client marked for contact because a cartridge lot or device they were treated with is recalled."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="recall_contacts")
    kind = models.CharField(max_length=10)  # lot | device
    key = models.CharField(max_length=64)
    reason = models.TextField()
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(auto_now_add=True)
    contacted_at = models.DateTimeField(null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    contact_note = models.TextField(blank=True, default="")

    class Meta:
        """Table options."""

        db_table = "recall_contact"
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            models.UniqueConstraint(fields=["clinic", "client", "kind", "key"], name="recall_contact_once"),
        ]
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["clinic", "contacted_at"], name="recall_contact_open"),
        ]

    def __str__(self) -> str:
        """Id and what is recalled."""
        return f"recall contact {self.pk} ({self.kind} {self.key})"
