"""Helpers shared by the clinic workspace tests (imported as ``clinic.support``): the audit log and snapshots.

The clinics themselves, their people and valid forms come from ``clinic_factories`` (re-exported here,
so that a clinic test imports its helpers from one module).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

from clinic_factories import (
    CLINIC_CAUTION,
    CLINIC_CLINIC,
    CLINIC_OK,
    CLINIC_REVIEW,
    CLINIC_STOP,
    HOME_CLINIC,
    HOME_OK,
    HOME_REVIEW,
    PASSWORD,
    Site,
    actor_for,
    clearance_form,
    details,
    make_site,
    request_form,
)
from needlewise.clinic.access.actor import Actor
from needlewise.storage.models import (
    AdverseEvent,
    Appointment,
    AssessmentDocument,
    AuditEntry,
    CheckIn,
    Clearance,
    Client,
    Clinic,
    Consent,
    ConsentTemplate,
    ConsultationRequest,
    LoginFailure,
    PlanZone,
    RecallContact,
    SavedResult,
    Screening,
    SessionPhoto,
    SessionZone,
    StaffMember,
    TreatmentPlan,
    TreatmentSession,
)

#: This module's helpers and, re-exported from ``clinic_factories``, the clinic builders these tests use.
__all__ = [
    "CLINIC_CAUTION",
    "CLINIC_CLINIC",
    "CLINIC_OK",
    "CLINIC_REVIEW",
    "CLINIC_STOP",
    "HOME_CLINIC",
    "HOME_OK",
    "HOME_REVIEW",
    "ON_POSTGRESQL",
    "PASSWORD",
    "WATCHED",
    "Site",
    "actor_for",
    "clearance_form",
    "details",
    "expected",
    "last_seq",
    "make_site",
    "request_form",
    "rows_after",
    "snapshot",
    "summary",
]


ON_POSTGRESQL = "postgresql" in str(settings.DATABASES["default"]["ENGINE"])


#: Tables other than the audit log (whose rows every refusal adds), compared row by row.
WATCHED = (Clinic, StaffMember, User, Client, AssessmentDocument, Screening, Clearance, ConsultationRequest)
WATCHED += (LoginFailure, SavedResult, ConsentTemplate, Consent, TreatmentPlan, PlanZone, TreatmentSession)
WATCHED += (SessionZone, SessionPhoto, CheckIn, AdverseEvent, RecallContact, Appointment)


def last_seq() -> int:
    """The audit log's last row id, across every chain (0 when empty)."""
    entry = AuditEntry.objects.order_by("-pk").first()
    return entry.pk if entry else 0


def rows_after(seq: int) -> list[AuditEntry]:
    """Audit rows written after the row with id ``seq``, across every chain, oldest first."""
    return list(AuditEntry.objects.filter(pk__gt=seq).order_by("pk"))


def summary(entry: AuditEntry) -> tuple[object, ...]:
    """An audit row's who/what/where: actor, role, clinic, action, object type and id, client, outcome."""
    return (
        entry.actor,
        entry.actor_role,
        entry.clinic_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.client_id,
        entry.outcome,
    )


def expected(  # noqa: PLR0913 - an audit row's facts
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object = "",
    *,
    client_id: int | None = None,
    outcome: str = "success",
    clinic_id: int | None = None,
) -> tuple[object, ...]:
    """The summary an audit row written by ``actor`` should have."""
    role = actor.role.value if actor.role else ""
    clinic = clinic_id if clinic_id is not None else actor.clinic_id
    return (actor.actor_id, role, clinic, action, object_type, str(object_id), client_id, outcome)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table except the audit log's, to show that a refused call changed nothing."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}
