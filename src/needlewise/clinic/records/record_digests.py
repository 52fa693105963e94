"""The digest of each kind of clinical record as it is stored, for its audit rows to carry.

A digest is SHA-256 over canonical JSON of the row's values as the application reads them: sealed
(encrypted) columns are digested decrypted, so ``needlewise keys rotate``, which re-encrypts them,
changes no digest. A session carries its zones, a plan its zones, and a screening its answers (the
profile) with its verdict (the tier and the whole assessment document it points to).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import orjson
from django.db import models

from needlewise.storage.models import (
    AdverseEvent,
    AssessmentDocument,
    CheckIn,
    Consent,
    PlanZone,
    Screening,
    SessionZone,
    TreatmentPlan,
    TreatmentSession,
)

SESSION, ADVERSE_EVENT = "session", "adverse_event"
SCREENING, CONSENT, PLAN, CHECKIN = "screening", "consent", "plan", "checkin"


def _plain(value: object) -> object:
    """A stored value as canonical JSON sees it, the same on SQLite and PostgreSQL."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, bytes | memoryview):  # a consent's signature and scan (decrypted)
        return hashlib.sha256(bytes(value)).hexdigest()
    return value


def _digest(row: dict[str, object]) -> str:
    canonical = {key: _plain(value) for key, value in row.items()}
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _row(model: type[models.Model], pk: int) -> dict[str, object]:
    return dict(model._default_manager.filter(pk=pk).values().get())  # noqa: SLF001 - Django's manager API


def session_digest(session_id: int) -> str:
    """The digest of a session's stored row and its zones."""
    row = _row(TreatmentSession, session_id)
    zones = SessionZone.objects.filter(session_id=session_id).order_by("zone").values_list("zone", "length_mm")
    row["zones"] = [[zone, _plain(length)] for zone, length in zones]
    return _digest(row)


def adverse_event_digest(event_id: int) -> str:
    """The digest of an adverse event's stored row."""
    return _digest(_row(AdverseEvent, event_id))


def screening_digest(screening_id: int) -> str:
    """The digest of a screening: its answers and tier, and the assessment document (the verdict) it points to."""
    row = _row(Screening, screening_id)
    row["document"] = _digest(_row(AssessmentDocument, int(str(row["document_id"]))))
    return _digest(row)


def consent_digest(consent_id: int) -> str:
    """The digest of a signed consent: its text, name, signature and scan."""
    return _digest(_row(Consent, consent_id))


def plan_digest(plan_id: int) -> str:
    """The digest of a treatment plan and its zones."""
    row = _row(TreatmentPlan, plan_id)
    zones = PlanZone.objects.filter(plan_id=plan_id).order_by("zone").values_list("zone", "length_mm")
    row["zones"] = [[zone, _plain(length)] for zone, length in zones]
    return _digest(row)


def checkin_digest(checkin_id: int) -> str:
    """The digest of a check-in: its answers, triage and how its alert was closed."""
    return _digest(_row(CheckIn, checkin_id))


DIGESTS: dict[str, Callable[[int], str]] = {
    SESSION: session_digest,
    ADVERSE_EVENT: adverse_event_digest,
    SCREENING: screening_digest,
    CONSENT: consent_digest,
    PLAN: plan_digest,
    CHECKIN: checkin_digest,
}
MODELS: dict[str, type[models.Model]] = {
    SESSION: TreatmentSession,
    ADVERSE_EVENT: AdverseEvent,
    SCREENING: Screening,
    CONSENT: Consent,
    PLAN: TreatmentPlan,
    CHECKIN: CheckIn,
}
