"""The audit log: append-only rows, each holding the SHA-256 of the previous row and of itself.

``AuditHead`` is a single row holding the chain's last position and hash; appending locks it, so
two writers can never fork the chain. Triggers (migration 0003) refuse UPDATE and DELETE on
``audit_entry`` on both backends; ``needlewise audit verify`` recomputes the chain and names the
first row that does not match.
"""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    """One thing someone did, or tried to do: who, when, what, on which record, from where, with what outcome."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=80)
    actor_role = models.CharField(max_length=20)
    clinic_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=30)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True, default="")
    client_id = models.BigIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=10)
    ip = models.CharField(max_length=45, blank=True, default="")
    request_id = models.CharField(max_length=32, blank=True, default="")
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        """Table options."""

        db_table = "audit_entry"
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["clinic_id", "-seq"], name="audit_clinic_recent"),
            models.Index(fields=["client_id", "-seq"], name="audit_client_recent"),
        ]

    def __str__(self) -> str:
        """Position and action."""
        return f"audit {self.seq} {self.action} {self.object_type}"


class AuditHead(models.Model):
    """The chain's end: the last position written and its hash (one row, id 1)."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        """Table options."""

        db_table = "audit_head"

    def __str__(self) -> str:
        """Position."""
        return f"audit head at {self.seq}"
