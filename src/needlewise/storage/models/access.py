"""Emergency ("break-glass") access: a staff member without the clinical role opens one client's health record."""

from __future__ import annotations

from django.db import models

from needlewise.storage.encrypted_fields import EncryptedTextField
from needlewise.storage.models.clinic import Client, Clinic, StaffMember


class EmergencyAccess(models.Model):
    """One break-glass opening: who, which client, why (their words), from when until when.

    The reason is the staff member's own text and may name a health matter, so it is kept here, for
    the clinic's owners, encrypted like health data, and never in the audit log (whose row names this
    opening's id).
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="emergency_accesses")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField()
    opened_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        """Table options."""

        db_table = "emergency_access"
        indexes = [  # noqa: RUF012 - Django's Meta API
            models.Index(fields=["staff", "client", "expires_at"], name="emergency_access_live"),
            models.Index(fields=["clinic", "-opened_at"], name="emergency_access_recent"),
        ]

    def __str__(self) -> str:
        """Ids only."""
        return f"emergency access {self.pk} (staff {self.staff_id}, client {self.client_id})"
