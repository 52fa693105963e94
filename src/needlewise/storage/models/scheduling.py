"""Scheduling tables: a client's booked appointments with a practitioner."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from needlewise.domain.statuses import (
    AppointmentStatus,
)
from needlewise.storage.models.choices import choices, one_of
from needlewise.storage.models.clinic import Client, Clinic
from needlewise.storage.models.treatment import TreatmentPlan


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
