"""The client page's treatment section: consent state, active plan, sessions, appointments, alerts.

Called by the client page after :func:`needlewise.clinic.records.screenings.client_record` has recorded the
read of the health record, so it does not audit again; it only reads the actor's own clinic's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from needlewise.clinic.consent import signatures, versions
from needlewise.clinic.records import plans
from needlewise.domain.statuses import AlertStatus, AppointmentStatus
from needlewise.storage.models import (
    Appointment,
    CheckIn,
    Consent,
    TreatmentPlan,
    TreatmentSession,
)

RECENT = 20


@dataclass(frozen=True, slots=True)
class TreatmentOverview:
    """What the client page shows under "Treatment"."""

    consent: Consent | None
    current_consent_version: int | None
    plan: TreatmentPlan | None
    sessions: list[TreatmentSession]
    appointments: list[Appointment]
    open_alerts: list[CheckIn]

    @property
    def consent_current(self) -> bool:
        """Whether the client signed the clinic's current consent version."""
        return self.consent is not None and self.consent.version == self.current_consent_version


def overview(clinic_id: int, client_id: int) -> TreatmentOverview:
    """The client's treatment state in their clinic."""
    consent = signatures.latest_consent(clinic_id, client_id)
    current = versions.current_version(clinic_id)
    plan = plans.active_plan(clinic_id, client_id)
    sessions = list(
        TreatmentSession.objects.filter(clinic_id=clinic_id, client_id=client_id)
        .select_related("practitioner__staff")
        .prefetch_related("zones")
        .order_by("-performed_at", "-pk")[:RECENT]
    )
    appointments = list(
        Appointment.objects.filter(
            clinic_id=clinic_id, client_id=client_id, status=AppointmentStatus.BOOKED, starts_at__gte=timezone.now()
        )
        .select_related("practitioner__staff")
        .order_by("starts_at")[:RECENT]
    )
    alerts = list(
        CheckIn.objects.filter(clinic_id=clinic_id, client_id=client_id, alert=AlertStatus.OPEN).order_by(
            "-answered_at"
        )
    )
    return TreatmentOverview(consent, current, plan, sessions, appointments, alerts)
