"""Every table's row label (admin, logs, error reports) names the row without health data or secrets."""

from __future__ import annotations

import pytest

from clinic.support import Site
from needlewise.storage.models import (
    AssessmentDocument,
    AuditEntry,
    AuditHead,
    Clearance,
    Client,
    ConsultationRequest,
    LoginFailure,
    Screening,
    StaffMember,
)

pytestmark = pytest.mark.django_db


def test_labels_name_rows_without_names_answers_or_secrets(site_a: Site) -> None:
    member = StaffMember.objects.get(pk=site_a.members[next(iter(site_a.members))].pk)
    member.totp_secret = "SECRETSECRETSECRET"  # noqa: S105 - a canary, not a credential
    entry = AuditEntry.objects.order_by("seq").first()
    labels = {
        str(site_a.clinic): site_a.clinic.name,
        str(member): f"{member.display_name} ({member.role})",
        str(Client.objects.get(pk=site_a.client.pk)): f"client {site_a.client.pk}",
        str(AssessmentDocument.objects.first()).split()[0]: "assessment",
        str(Screening.objects.get(pk=site_a.stop.pk)): f"screening {site_a.stop.pk} (stop)",
        str(ConsultationRequest.objects.get(pk=site_a.request.pk)): f"request {site_a.request.pk} (open)",
        str(entry): f"audit {entry.seq} {entry.action} {entry.object_type}",
        str(AuditHead.objects.get(pk=1)): f"audit head of chain -1 at {AuditHead.objects.get(pk=1).seq}",
        str(LoginFailure(key="user:someone@example.org")): "login failure (user)",
    }
    for label, expected in labels.items():
        assert label == expected
    text = " ".join(labels)
    for secret in (*site_a.names, "SECRETSECRETSECRET", "someone@example.org"):
        assert secret not in text


def test_a_clearance_label_gives_its_expiry(site_a: Site) -> None:
    from django.utils import timezone  # noqa: PLC0415

    from clinic.support import clearance_form  # noqa: PLC0415
    from needlewise.clinic.records import screenings  # noqa: PLC0415
    from needlewise.domain.permissions import Role  # noqa: PLC0415

    made = screenings.clear(site_a.actor(Role.PROVIDER), site_a.stop.pk, clearance_form(timezone.localdate()))
    assert str(Clearance.objects.get(pk=made.pk)) == f"clearance {made.pk} until {made.expires_on}"


def test_treatment_labels_name_rows_by_id_and_state_only() -> None:
    from datetime import UTC, datetime  # noqa: PLC0415
    from decimal import Decimal  # noqa: PLC0415

    from needlewise.storage import models  # noqa: PLC0415

    at = datetime(2031, 6, 15, 14, 30, tzinfo=UTC)
    labels = {
        str(models.ConsentTemplate(pk=1, version=2)): "consent template 1 v2",
        str(models.Consent(pk=3, version=2, typed_name="Ada Lovelace")): "consent 3 v2",
        str(models.TreatmentPlan(pk=4, status="active")): "plan 4 (active)",
        str(models.PlanZone(zone="cheeks", length_mm=Decimal("1.00"))): "cheeks 1.00 mm",
        str(models.TreatmentSession(pk=5, performed_at=at)): "session 5 (2031-06-15)",
        str(models.SessionZone(zone="forehead", length_mm=Decimal("0.50"))): "forehead 0.50 mm",
        str(models.SessionPhoto(pk=6, caption="Ada's left cheek")): "photo 6",
        str(models.CheckIn(pk=7, day=3, triage="")): "check-in 7 day 3 (unanswered)",
        str(models.CheckIn(pk=8, day=1, triage="seek_care_now")): "check-in 8 day 1 (seek_care_now)",
        str(models.AdverseEvent(pk=9, kind="pih", severity="mild", description="Ada")): "adverse event 9 (pih, mild)",
        str(models.RecallContact(pk=10, kind="lot", key="LOT-1", reason="Ada")): "recall contact 10 (lot LOT-1)",
        str(models.Appointment(pk=11, starts_at=at)): "appointment 11 (2031-06-15 14:30)",
    }
    for label, expected in labels.items():
        assert label == expected
    assert "Ada" not in " ".join(labels)


def test_a_contact_consent_label_names_its_channel_and_answer_only() -> None:
    from needlewise.storage.models import ContactConsent  # noqa: PLC0415

    assert str(ContactConsent(pk=7, channel="sms", granted=False)) == "contact consent 7 (sms, withdrawn)"
    assert str(ContactConsent(pk=8, channel="email", granted=True)) == "contact consent 8 (email, granted)"


def test_a_journal_label_never_shows_its_key_digest() -> None:
    from needlewise.storage.models import Journal  # noqa: PLC0415

    assert str(Journal(pk=5, token_digest="d" * 64)) == "journal 5"
