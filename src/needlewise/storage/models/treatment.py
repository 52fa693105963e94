"""Treatment tables: consent, plans, sessions, photos, check-ins, adverse events, recalls, appointments.

A session names the sterile single-use cartridge it used by lot and serial; the unique constraint on
(clinic, lot, serial) is what makes "used once" hold even when two requests race. Signed consents
are append-only (database triggers refuse UPDATE and DELETE), like the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from needlewise.domain.permissions import Role
from needlewise.domain.statuses import (
    AlertAction,
    AlertStatus,
    AppointmentStatus,
    ConsentMethod,
    EventOutcome,
    EventSeverity,
    PlanStatus,
)
from needlewise.domain.treatment import Triage
from needlewise.domain.vocabulary import DeviceKind, Lang
from needlewise.storage.encrypted_fields import EncryptedBinaryField, EncryptedJSONField, EncryptedTextField
from needlewise.storage.models.choices import choices, one_of
from needlewise.storage.models.clinic import Client, Clinic, Screening


class ConsentTemplate(models.Model):
    """One version of a clinic's consent text, in English and Spanish, with the knowledge base's risks."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    intro_en = models.TextField()
    intro_es = models.TextField()
    body_en = models.TextField()
    body_es = models.TextField()
    digest_en = models.CharField(max_length=64)
    digest_es = models.CharField(max_length=64)
    kb_version = models.CharField(max_length=32)
    kb_hash = models.CharField(max_length=80)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        """Table options."""

        db_table = "consent_template"
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            models.UniqueConstraint(fields=["clinic", "version"], name="consent_template_version"),
        ]

    def __str__(self) -> str:
        """Id and version."""
        return f"consent template {self.pk} v{self.version}"


class Consent(models.Model):
    """A client's signed consent: the exact text they signed, its SHA-256, and the signature."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    template = models.ForeignKey(ConsentTemplate, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    lang = models.CharField(max_length=2, choices=choices(Lang))
    signed_text = EncryptedTextField()
    text_digest = models.CharField(max_length=64)
    typed_name = models.CharField(max_length=200)
    method = models.CharField(max_length=10, choices=choices(ConsentMethod))
    signature_png = EncryptedBinaryField(null=True, blank=True)
    scan = EncryptedBinaryField(null=True, blank=True)
    scan_content_type = models.CharField(max_length=40, blank=True, default="")
    signed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        """Table options."""

        db_table = "consent"
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            one_of("lang", Lang, "consent_lang_valid"),
            one_of("method", ConsentMethod, "consent_method_valid"),
        ]
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["client", "-version", "-signed_at"], name="consent_client_latest"),
        ]

    def __str__(self) -> str:
        """Id and version; never the name."""
        return f"consent {self.pk} v{self.version}"


class TreatmentPlan(models.Model):
    """Goals, zones with planned needle lengths, sessions, minimum interval and products for a client."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="plans")
    goals = models.JSONField()
    sessions_planned = models.PositiveSmallIntegerField()
    min_interval_days = models.PositiveSmallIntegerField()
    products = models.JSONField(default=list)
    findings = models.JSONField(default=list)
    notes = EncryptedTextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=choices(PlanStatus), default=PlanStatus.ACTIVE.value)
    kb_version = models.CharField(max_length=32)
    kb_hash = models.CharField(max_length=80)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        """Table options."""

        db_table = "treatment_plan"
        constraints = [one_of("status", PlanStatus, "treatment_plan_status_valid")]  # noqa: RUF012 - Django's Meta API is a list
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["client", "status", "-created_at"], name="plan_client_status"),
        ]

    def __str__(self) -> str:
        """Id and status."""
        return f"plan {self.pk} ({self.status})"


class PlanZone(models.Model):
    """A zone of a plan and the needle length planned for it (length, not depth)."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="zones")
    zone = models.CharField(max_length=20)
    length_mm = models.DecimalField(max_digits=4, decimal_places=2)

    class Meta:
        """Table options."""

        db_table = "plan_zone"
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            models.UniqueConstraint(fields=["plan", "zone"], name="plan_zone_once"),
        ]

    def __str__(self) -> str:
        """Zone and length."""
        return f"{self.zone} {self.length_mm} mm"


class TreatmentSession(models.Model):
    """One microneedling session: who, with what device and which single-use cartridge, how, and what happened."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="sessions")
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="sessions")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    practitioner_role = models.CharField(max_length=20, choices=choices(Role))
    performed_at = models.DateTimeField()
    device_model = models.CharField(max_length=100)
    device_kind = models.CharField(max_length=10, choices=choices(DeviceKind))
    device_serial = models.CharField(max_length=64, blank=True, default="")
    cartridge_lot = models.CharField(max_length=64)
    cartridge_serial = models.CharField(max_length=64)
    cartridge_expiry = models.DateField()
    passes = models.PositiveSmallIntegerField()
    end_point = models.CharField(max_length=200)
    numbing_product = models.CharField(max_length=200, blank=True, default="")
    numbing_lidocaine_percent = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    numbing_compounded = models.BooleanField(default=False)
    numbing_zones = models.JSONField(default=list)
    numbing_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    numbing_occluded = models.BooleanField(default=False)
    numbing_broken_skin = models.BooleanField(default=False)
    numbing_heat = models.BooleanField(default=False)
    pain_score = models.PositiveSmallIntegerField(null=True, blank=True)
    immediate_reactions = EncryptedTextField(blank=True, default="")
    products_applied = models.JSONField(default=list)
    notes = EncryptedTextField(blank=True, default="")
    findings = models.JSONField(default=list)
    checks = models.JSONField(default=list)
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    kb_version = models.CharField(max_length=32)
    kb_hash = models.CharField(max_length=80)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        """Table options: one use per single-use cartridge; recall looks up lots and devices."""

        db_table = "treatment_session"
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            models.UniqueConstraint(
                fields=["clinic", "cartridge_lot", "cartridge_serial"], name="cartridge_single_use"
            ),
            one_of("practitioner_role", Role, "session_practitioner_role_valid"),
            one_of("device_kind", DeviceKind, "session_device_kind_valid"),
        ]
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["client", "-performed_at"], name="session_client_recent"),
            models.Index(fields=["clinic", "device_serial", "-performed_at", "-id"], name="session_device"),
            models.Index(fields=["clinic", "practitioner", "performed_at"], name="session_practitioner_day"),
        ]

    def __str__(self) -> str:
        """Id and date."""
        return f"session {self.pk} ({self.performed_at:%Y-%m-%d})"


class SessionZone(models.Model):
    """The needle length used on one zone in a session."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="zones")
    zone = models.CharField(max_length=20)
    length_mm = models.DecimalField(max_digits=4, decimal_places=2)

    class Meta:
        """Table options."""

        db_table = "session_zone"
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            models.UniqueConstraint(fields=["session", "zone"], name="session_zone_once"),
        ]

    def __str__(self) -> str:
        """Zone and length."""
        return f"{self.zone} {self.length_mm} mm"


class SessionPhoto(models.Model):
    """A clinical photo of a session, re-encoded without EXIF or other metadata, served only to staff."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="photos")
    image = EncryptedBinaryField()
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)
    caption = models.CharField(max_length=200, blank=True, default="")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        """Table options."""

        db_table = "session_photo"

    def __str__(self) -> str:
        """Id only."""
        return f"photo {self.pk}"


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


class Appointment(models.Model):
    """A booked session for a client with a practitioner."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=60)
    status = models.CharField(max_length=10, choices=choices(AppointmentStatus), default=AppointmentStatus.BOOKED.value)
    uid = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        """Table options."""

        db_table = "appointment"
        constraints = [one_of("status", AppointmentStatus, "appointment_status_valid")]  # noqa: RUF012 - Django's Meta API is a list
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["clinic", "practitioner", "starts_at"], name="appointment_day"),
            models.Index(fields=["client", "starts_at"], name="appointment_client"),
        ]

    def __str__(self) -> str:
        """Id and start."""
        return f"appointment {self.pk} ({self.starts_at:%Y-%m-%d %H:%M})"
