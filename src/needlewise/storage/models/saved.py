"""needlewise's tables."""

from __future__ import annotations

from django.db import models

from needlewise.storage.encrypted_fields import EncryptedJSONField, EncryptedTextField


class SavedResult(models.Model):
    """An assessment its holder chose to keep; found by the SHA-256 digest of its link's secret."""

    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    lang = models.CharField(max_length=2)
    profile = EncryptedJSONField()
    kb_version = models.CharField(max_length=32)
    kb_hash = models.CharField(max_length=80)
    tier = models.CharField(max_length=20)
    assessment = EncryptedJSONField()

    class Meta:
        """Table options."""

        db_table = "saved_result"

    def __str__(self) -> str:
        """Never shows the digest."""
        return f"saved result {self.pk} ({self.tier})"


class Journal(models.Model):
    """A home companion journal; found by the SHA-256 digest of its link's secret, everything else sealed.

    The profile and the state (sessions and device, one JSON document) are read and written whole:
    the journal's page and each logged session read one row by its digest.
    """

    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    lang = models.CharField(max_length=2)
    profile = EncryptedJSONField()
    state = EncryptedJSONField()
    email = EncryptedTextField(blank=True, default="")  # for reminders; empty: none
    #: The IANA zone whose 09:00 a reminder is due at (not health data, so not sealed); empty: none chosen, UTC.
    time_zone = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        """Table options."""

        db_table = "journal"

    def __str__(self) -> str:
        """Never shows the digest."""
        return f"journal {self.pk}"


class JournalStart(models.Model):
    """A start form that was used: the SHA-256 of its one-time nonce (never the journal's secret), kept for a while.

    Added with its journal in one transaction; the unique mark makes a repeated or concurrent post of the
    same form find that journal instead of starting another, and it outlives the journal's deletion, so the
    form does not start it again (``needlewise.services.journal_starts``). Nothing links it to its journal.
    """

    mark = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        """Table options."""

        db_table = "journal_start"

    def __str__(self) -> str:
        """Never shows the mark."""
        return f"journal start {self.pk}"
