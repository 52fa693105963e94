"""The audit log: append-only rows in one hash chain per clinic, each holding the previous row's hash and its own.

A row's hash is an HMAC-SHA256 under the audit key (kept outside the database, ``key_id`` names it).
``chain`` is the clinic's id, 0 for rows of no clinic, and -1 for the legacy chain: the rows written
before migration 0024, one unkeyed SHA-256 chain for the whole database, kept and verified as they
were. ``AuditHead`` holds each chain's last position and hash (one row a chain); appending locks the
chain's head, so two writers can never fork a chain, and writers of different clinics never wait on
each other. Triggers (migration 0003) refuse UPDATE and DELETE on
``audit_entry`` on both backends; ``needlewise audit verify`` recomputes the chain and names the
first row that does not match.
"""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    """One thing someone did, or tried to do: who, when, what, on which record, from where, with what outcome."""

    chain = models.BigIntegerField(default=-1)
    seq = models.BigIntegerField()
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
    key_id = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        """Table options."""

        db_table = "audit_entry"
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq")]  # noqa: RUF012 - Django's Meta API
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["clinic_id", "-id"], name="audit_clinic_newest"),
            models.Index(fields=["client_id", "-id"], name="audit_client_newest"),
        ]

    def __str__(self) -> str:
        """Position and action."""
        return f"audit {self.seq} {self.action} {self.object_type}"


class AuditHead(models.Model):
    """A chain's end: the last position written and its hash (one row a chain)."""

    chain = models.BigIntegerField(unique=True, default=-1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        """Table options."""

        db_table = "audit_head"

    def __str__(self) -> str:
        """Position."""
        return f"audit head of chain {self.chain} at {self.seq}"
