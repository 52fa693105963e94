"""Consent tables: a clinic's consent versions and clients' signed consents.

Signed consents are append-only (database triggers refuse UPDATE and DELETE), like the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from needlewise.domain.statuses import (
    ConsentMethod,
)
from needlewise.domain.vocabulary import Lang
from needlewise.storage.encrypted_fields import EncryptedBinaryField, EncryptedTextField
from needlewise.storage.models.choices import choices, one_of
from needlewise.storage.models.clinic import Client, Clinic


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
