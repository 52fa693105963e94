"""Treatment tables: plans and their zones, sessions and their zones, session photos.

A session names the sterile single-use cartridge it used by lot and serial; the unique constraint on
(clinic, lot, serial) is what makes "used once" hold even when two requests race.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from needlewise.domain.permissions import Role
from needlewise.domain.statuses import (
    PlanStatus,
)
from needlewise.domain.vocabulary import DeviceKind
from needlewise.storage.encrypted_fields import EncryptedBinaryField, EncryptedTextField
from needlewise.storage.models.choices import choices, one_of
from needlewise.storage.models.clinic import Client, Clinic, Screening
from needlewise.storage.models.consent import Consent


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
