"""Clinic workspace tables: clinics, staff, clients, screenings, clearances, consultation requests.

Every clinic record carries its clinic, so every query can (and does) filter by it. Nothing that
has health records hanging off it is ever deleted: clients are archived, screenings and clearances
are only added, and foreign keys PROTECT.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from needlewise.domain.permissions import CLINICAL_ROLES, Role
from needlewise.domain.statuses import RequestStatus, ScreeningSource
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.storage.encrypted_fields import EncryptedJSONField, EncryptedTextField
from needlewise.storage.models.choices import choices, one_of


class Clinic(models.Model):
    """A clinic: a tenant. Its public page shows name, city, services and its practitioners' roles.

    Its contact details (phone, address, what to do out of hours) are shown on every page and document
    a client sees; a clinic without a phone cannot record sessions. ``time_zone`` is an IANA name.
    """

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    services = models.TextField(blank=True, default="")
    accepts_requests = models.BooleanField(default=True)
    screening_valid_days = models.PositiveSmallIntegerField(default=30)
    phone = models.CharField(max_length=40, blank=True, default="", db_default="")
    address = models.TextField(blank=True, default="", db_default="")
    out_of_hours = models.TextField(blank=True, default="", db_default="")
    time_zone = models.CharField(max_length=64, default="UTC", db_default="UTC")
    #: Who is told of a red-flag check-in besides the practitioner, by e-mail and SMS (either may be empty).
    on_call_email = models.CharField(max_length=254, blank=True, default="", db_default="")
    on_call_phone = models.CharField(max_length=40, blank=True, default="", db_default="")
    #: How many hours before an appointment its reminder goes out (0: no reminders).
    reminder_hours = models.PositiveSmallIntegerField(default=48, db_default=48)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        """Table options."""

        db_table = "clinic"

    def __str__(self) -> str:
        """The clinic's name."""
        return self.name


class StaffMember(models.Model):
    """A user's membership of exactly one clinic, with one role and their second factor."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=choices(Role))
    #: An owner's clinical role as well (provider, nurse, aesthetician), or "": a one-person clinic.
    clinical_role = models.CharField(max_length=20, blank=True, default="", db_default="")
    display_name = models.CharField(max_length=200)
    totp_secret = EncryptedTextField(blank=True, default="")
    totp_last_step = models.BigIntegerField(null=True, blank=True)
    #: Their own mobile number for red-flag alerts by text message, as they typed it, or "": e-mail only.
    alert_phone = models.CharField(max_length=40, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        """Table options."""

        db_table = "staff_member"
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            one_of("role", Role, "staff_member_role_valid"),
            models.CheckConstraint(
                condition=models.Q(clinical_role="")
                | models.Q(role=Role.OWNER.value, clinical_role__in=sorted(r.value for r in CLINICAL_ROLES)),
                name="staff_member_clinical_role_owner_only",
            ),
        ]

    def __str__(self) -> str:
        """Name and role; never the secret."""
        roles = f"{self.role}+{self.clinical_role}" if self.clinical_role else self.role
        return f"{self.display_name} ({roles})"


class Client(models.Model):
    """A clinic's client. ``*_key`` fields are normalised copies that the search indexes use."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clients")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    given_key = models.CharField(max_length=100)
    family_key = models.CharField(max_length=100)
    name_words = models.CharField(max_length=210, blank=True, default="", db_default="")
    birth_date = models.DateField()
    phone = models.CharField(max_length=40, blank=True, default="")
    phone_digits = models.CharField(max_length=40, blank=True, default="")
    email = models.CharField(max_length=254, blank=True, default="")
    #: Practical notes every role sees (best time to call...); the form asks for no health data here.
    contact_notes = models.TextField(blank=True, default="", db_default="")
    #: Clinical notes: encrypted, clinical roles only.
    clinical_notes = EncryptedTextField(blank=True, default="")
    language = models.CharField(max_length=2, choices=choices(Lang), default="en", db_default="en")
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        """Table options: each search path has its own index, always led by the clinic."""

        db_table = "client"
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["clinic", "family_key", "given_key"], name="client_family"),
            models.Index(fields=["clinic", "given_key"], name="client_given"),
            models.Index(fields=["clinic", "birth_date"], name="client_birth"),
            models.Index(fields=["clinic", "phone_digits"], name="client_phone"),
            models.Index(fields=["clinic", "-created_at", "-id"], name="client_recent"),
        ]
        constraints = [one_of("language", Lang, "client_language_valid")]  # noqa: RUF012 - Django's Meta API is a list

    def __str__(self) -> str:
        """Only the id: names are health data in a clinic's context."""
        return f"client {self.pk}"


class AssessmentDocument(models.Model):
    """An assessment's JSON, stored once per distinct content and found by its SHA-256 digest."""

    digest = models.CharField(max_length=64, unique=True)
    body = EncryptedJSONField()

    class Meta:
        """Table options."""

        db_table = "assessment_document"

    def __str__(self) -> str:
        """The digest's start."""
        return f"assessment {self.digest[:12]}"


class Screening(models.Model):
    """One run of the engine for a client: the answers, the full assessment, the KB version, who ran it."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="screenings")
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lang = models.CharField(max_length=2, choices=choices(Lang))
    profile = EncryptedJSONField()
    kb_version = models.CharField(max_length=32)
    kb_hash = models.CharField(max_length=80)
    tier = models.CharField(max_length=20, choices=choices(Tier))
    document = models.ForeignKey(AssessmentDocument, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=choices(ScreeningSource), default=ScreeningSource.STAFF.value)

    class Meta:
        """Table options."""

        db_table = "screening"
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            one_of("lang", Lang, "screening_lang_valid"),
            one_of("tier", Tier, "screening_tier_valid"),
            one_of("source", ScreeningSource, "screening_source_valid"),
        ]
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            # the client page's history: newest first, the id breaking ties between equal times
            models.Index(fields=["client", "-created_at", "-id"], name="screening_client_history"),
            models.Index(fields=["clinic", "kb_hash"], name="screening_clinic_kb"),
        ]

    def __str__(self) -> str:
        """Id and tier."""
        return f"screening {self.pk} ({self.tier})"


class Clearance(models.Model):
    """A provider's documented decision that a ``medical_review`` or ``stop`` screening may proceed."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="clearances")
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="clearances")
    provider = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField()
    cleared_on = models.DateField()
    expires_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        """Table options."""

        db_table = "clearance"

    def __str__(self) -> str:
        """Id and expiry."""
        return f"clearance {self.pk} until {self.expires_on}"


class ConsultationRequest(models.Model):
    """A person's result sent to a clinic, with their consent to exactly what is shared."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="requests")
    created_at = models.DateTimeField(auto_now_add=True)
    lang = models.CharField(max_length=2)
    contact_name = models.CharField(max_length=201)  # given name, a newline, family name (100 each)
    contact_email = models.CharField(max_length=254, blank=True, default="")
    contact_phone = models.CharField(max_length=40, blank=True, default="")
    birth_date = models.DateField(null=True, blank=True)
    message = EncryptedTextField(blank=True, default="")
    profile = EncryptedJSONField()
    tier = models.CharField(max_length=20)
    kb_version = models.CharField(max_length=32)
    kb_hash = models.CharField(max_length=80)
    document = models.ForeignKey(AssessmentDocument, on_delete=models.PROTECT, related_name="+")
    consent_text = models.TextField()
    consent_digest = models.CharField(max_length=64)
    # A referral from a home journal: its summary as sent (sessions, device, findings, pause); else NULL.
    journal_summary = EncryptedJSONField(null=True, blank=True, default=None)
    status = models.CharField(max_length=12, choices=choices(RequestStatus), default=RequestStatus.OPEN.value)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        """Table options."""

        db_table = "consultation_request"
        constraints = [  # noqa: RUF012 - Django's Meta API is a list
            one_of("status", RequestStatus, "consultation_request_status_valid"),
        ]
        indexes = [  # noqa: RUF012 - Django's Meta API is a list
            models.Index(fields=["clinic", "status", "-created_at"], name="request_queue"),
        ]

    def __str__(self) -> str:
        """Id and status."""
        return f"request {self.pk} ({self.status})"


class LoginFailure(models.Model):
    """One counted attempt (a failed sign-in, a request to a limited public page) under its key."""

    key = models.CharField(max_length=300)
    at = models.DateTimeField()

    class Meta:
        """Table options."""

        db_table = "login_failure"
        indexes = [models.Index(fields=["key", "at"], name="login_failure_key")]  # noqa: RUF012 - Django's Meta API

    def __str__(self) -> str:
        """The key kind only."""
        return f"login failure ({self.key.split(':', 1)[0]})"


class RecoveryCode(models.Model):
    """One single-use recovery code of a staff member's second factor, stored hashed as passwords are.

    ``selector`` is the code's first characters, kept in clear so a code typed in is checked against
    one hash, not every one (each check is a slow password hash); the rest stays secret.
    """

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="recovery_codes")
    selector = models.CharField(max_length=8)
    code_hash = models.CharField(max_length=256)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        """Table options."""

        db_table = "recovery_code"
        indexes = [models.Index(fields=["staff", "selector"], name="recovery_code_selector")]  # noqa: RUF012 - Django's Meta API

    def __str__(self) -> str:
        """Whether it is used; never the code or its hash."""
        return f"recovery code ({'used' if self.used_at else 'unused'})"
