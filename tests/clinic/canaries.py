"""Canaries: a unique string written into every encrypted column, to look for in the database's raw bytes.

:func:`write_canaries` stores one through the ORM (as the use cases do) in each column that holds health
data; :func:`read_back` reads each one back as the application does. Used in-process
(``test_encryption_at_rest``) and in a subprocess against a real SQLite file, its WAL and a backup.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone

from clinic.followup_support import session_row
from needlewise.domain.permissions import Role
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.storage.models import (
    AdverseEvent,
    AssessmentDocument,
    CheckIn,
    Clearance,
    Client,
    Consent,
    ConsultationRequest,
    Journal,
    SavedResult,
    Screening,
    SessionPhoto,
    StaffMember,
    TreatmentPlan,
    TreatmentSession,
)

ENCRYPTED = (
    "client.clinical_notes",
    "staff_member.totp_secret",
    "assessment_document.body",
    "screening.profile",
    "clearance.reason",
    "consultation_request.message",
    "consultation_request.profile",
    "consultation_request.journal_summary",
    "consent.signed_text",
    "consent.signature_png",
    "consent.scan",
    "treatment_plan.notes",
    "treatment_session.immediate_reactions",
    "treatment_session.notes",
    "session_photo.image",
    "checkin.answers",
    "checkin.acknowledged_note",
    "adverse_event.description",
    "saved_result.profile",
    "saved_result.assessment",
    "journal.profile",
    "journal.state",
    "journal.email",
)


def write_canaries(site: Any, kb: KnowledgeBase) -> dict[str, str]:
    """One canary per encrypted column of ``site``'s records (a session and its rows are added); by column."""
    token = secrets.token_hex(6)
    canary = {column: f"CANARY{token}{column.replace('.', '')}" for column in ENCRYPTED}
    nurse = site.members[Role.NURSE]
    Client.objects.filter(pk=site.client.pk).update(clinical_notes=canary["client.clinical_notes"])
    StaffMember.objects.filter(pk=site.owner.pk).update(totp_secret=canary["staff_member.totp_secret"])
    document = AssessmentDocument.objects.create(digest="c" * 64, body={"canary": canary["assessment_document.body"]})
    Screening.objects.filter(pk=site.ok.pk).update(
        profile={"setting": "clinic", "age": 30, "canary": canary["screening.profile"]}, document=document
    )
    today = timezone.localdate()
    Clearance.objects.create(
        clinic=site.clinic,
        client=site.client,
        screening=site.stop,
        provider_id=site.members[Role.PROVIDER].user_id,
        reason=canary["clearance.reason"],
        cleared_on=today,
        expires_on=today + timedelta(days=30),
    )
    ConsultationRequest.objects.filter(pk=site.request.pk).update(
        message=canary["consultation_request.message"],
        profile={"canary": canary["consultation_request.profile"]},
        journal_summary={"canary": canary["consultation_request.journal_summary"]},
    )
    session = session_row(site, kb)
    Consent.objects.create(
        clinic=site.clinic,
        client=site.client,
        template=session.consent.template,
        version=1,
        lang="en",
        signed_text=canary["consent.signed_text"],
        text_digest=hashlib.sha256(canary["consent.signed_text"].encode()).hexdigest(),
        typed_name="Typed Name",
        method="drawn",
        signature_png=canary["consent.signature_png"].encode(),
        scan=canary["consent.scan"].encode(),
        scan_content_type="application/pdf",
        signed_at=timezone.now(),
        recorded_by_id=nurse.user_id,
    )
    TreatmentPlan.objects.filter(pk=session.plan_id).update(notes=canary["treatment_plan.notes"])
    TreatmentSession.objects.filter(pk=session.pk).update(
        notes=canary["treatment_session.notes"], immediate_reactions=canary["treatment_session.immediate_reactions"]
    )
    SessionPhoto.objects.create(
        clinic=site.clinic,
        session=session,
        image=canary["session_photo.image"].encode(),
        content_type="image/jpeg",
        width=1,
        height=1,
        digest="d" * 64,
        uploaded_by_id=nurse.user_id,
    )
    CheckIn.objects.filter(session=session, day=1).update(
        answers={"fever": canary["checkin.answers"]}, acknowledged_note=canary["checkin.acknowledged_note"]
    )
    AdverseEvent.objects.create(
        clinic=site.clinic,
        client=site.client,
        session=session,
        cartridge_lot=session.cartridge_lot,
        kind="infection",
        severity="mild",
        onset_on=today,
        outcome="resolved",
        description=canary["adverse_event.description"],
        recorded_by_id=nurse.user_id,
    )
    SavedResult.objects.create(
        token_digest="e" * 64,
        lang="en",
        profile={"canary": canary["saved_result.profile"]},
        kb_version="1",
        kb_hash="h",
        tier="home_ok",
        assessment={"canary": canary["saved_result.assessment"]},
    )
    Journal.objects.create(
        token_digest="f" * 64,
        lang="en",
        profile={"canary": canary["journal.profile"]},
        state={"canary": canary["journal.state"]},
        email=canary["journal.email"],
    )
    return canary


def read_back() -> str:
    """Every encrypted value as the application reads it, in one text to look for the canaries in."""
    consent = Consent.objects.order_by("-pk").first()
    values: list[object] = [
        *Client.objects.values_list("clinical_notes", flat=True),
        *StaffMember.objects.values_list("totp_secret", flat=True),
        *AssessmentDocument.objects.values_list("body", flat=True),
        *Screening.objects.values_list("profile", flat=True),
        *Clearance.objects.values_list("reason", flat=True),
        *ConsultationRequest.objects.values_list("message", "profile", "journal_summary"),
        consent and (consent.signed_text, bytes(consent.signature_png or b""), bytes(consent.scan or b"")),
        *TreatmentPlan.objects.values_list("notes", flat=True),
        *TreatmentSession.objects.values_list("notes", "immediate_reactions"),
        *(bytes(photo.image) for photo in SessionPhoto.objects.all()),
        *CheckIn.objects.values_list("answers", "acknowledged_note"),
        *AdverseEvent.objects.values_list("description", flat=True),
        *SavedResult.objects.values_list("profile", "assessment"),
        *Journal.objects.values_list("profile", "state", "email"),
    ]
    return repr(values)
