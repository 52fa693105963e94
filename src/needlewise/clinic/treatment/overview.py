"""The client page's treatment section: consent state, active plan, sessions, appointments, alerts.

Called by the client page after :func:`needlewise.clinic.records.screenings.client_record` has recorded the
read of the health record, so it does not audit again; it only reads the actor's own clinic's rows.

The client's latest consent, the clinic's current consent version, the active plan and whether there
are open alerts and booked appointments come from one fixed statement (:data:`FACTS`, the same rows the
ORM queries of :func:`needlewise.clinic.consent.signatures.latest_consent`,
:func:`needlewise.clinic.consent.versions.current_version` and
:func:`needlewise.clinic.records.plans.active_plan` find, read at once): building an ORM query costs more CPU
than running it, and this page is the clinic's busiest. Only the consent and plan fields the page shows
are read (:data:`CONSENT_FIELDS`, :data:`PLAN_FIELDS`); the plan's zones, the recent sessions and the
booked appointments follow, the sessions and the appointments only when there are some (the statement
says whether there are).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections, router
from django.db.models import prefetch_related_objects
from django.utils import timezone

from needlewise.domain.statuses import AlertStatus, AppointmentStatus, PlanStatus
from needlewise.storage.models import Appointment, Consent, TreatmentPlan, TreatmentSession
from needlewise.storage.rows import loaded

RECENT = 20

#: The consent's and the plan's fields the client page shows, in the models' field order.
CONSENT_FIELDS = ("id", "version", "signed_at")
PLAN_FIELDS = ("id", "goals", "sessions_planned", "min_interval_days")

FACTS = """
SELECT c.id, c.version, c.signed_at,
  (SELECT MAX(t.version) FROM consent_template t WHERE t.clinic_id = %(clinic)s),
  p.id, p.goals, p.sessions_planned, p.min_interval_days,
  EXISTS (
    SELECT 1 FROM appointment a
    WHERE a.clinic_id = %(clinic)s AND a.client_id = %(client)s AND a.status = %(booked)s AND a.starts_at >= %(now)s
  ),
  EXISTS (SELECT 1 FROM checkin k WHERE k.clinic_id = %(clinic)s AND k.client_id = %(client)s AND k.alert = %(open)s),
  EXISTS (SELECT 1 FROM treatment_session s WHERE s.clinic_id = %(clinic)s AND s.client_id = %(client)s)
FROM (SELECT 1 AS here) AS one
LEFT JOIN consent c ON c.id = (
  SELECT id FROM consent WHERE clinic_id = %(clinic)s AND client_id = %(client)s
  ORDER BY version DESC, signed_at DESC, id DESC LIMIT 1
)
LEFT JOIN treatment_plan p ON p.id = (
  SELECT id FROM treatment_plan WHERE clinic_id = %(clinic)s AND client_id = %(client)s AND status = %(active)s
  ORDER BY created_at DESC, id DESC LIMIT 1
)
"""


@dataclass(frozen=True, slots=True)
class TreatmentOverview:
    """What the client page shows under "Treatment".

    ``consent`` and ``plan`` hold only the fields the page shows (the others are deferred: reading one
    costs a query); ``open_alerts`` says whether a check-in alert is open.
    """

    consent: Consent | None
    current_consent_version: int | None
    plan: TreatmentPlan | None
    sessions: list[TreatmentSession]
    appointments: list[Appointment]
    open_alerts: bool

    @property
    def consent_current(self) -> bool:
        """Whether the client signed the clinic's current consent version."""
        return self.consent is not None and self.consent.version == self.current_consent_version


def overview(clinic_id: int, client_id: int) -> TreatmentOverview:
    """The client's treatment state in their clinic."""
    db = router.db_for_read(TreatmentPlan)
    now = timezone.now()
    params: dict[str, int | str | None] = {
        "clinic": clinic_id,
        "client": client_id,
        "booked": AppointmentStatus.BOOKED.value,
        "now": connections[db].ops.adapt_datetimefield_value(now),
        "open": AlertStatus.OPEN.value,
        "active": PlanStatus.ACTIVE.value,
    }
    with connections[db].cursor() as cursor:
        cursor.execute(FACTS, params)
        row = cursor.fetchone()
    consent = None if row[0] is None else loaded(Consent, CONSENT_FIELDS, row[0:3], db)
    plan = None if row[4] is None else loaded(TreatmentPlan, PLAN_FIELDS, row[4:8], db)
    if plan is not None:
        prefetch_related_objects([plan], "zones")
    sessions = []
    if row[10]:
        sessions = list(
            TreatmentSession.objects.filter(clinic_id=clinic_id, client_id=client_id)
            .select_related("practitioner__staff")
            .prefetch_related("zones")
            .order_by("-performed_at", "-pk")[:RECENT]
        )
    appointments = []
    if row[8]:
        appointments = list(
            Appointment.objects.filter(
                clinic_id=clinic_id, client_id=client_id, status=AppointmentStatus.BOOKED, starts_at__gte=now
            )
            .select_related("practitioner__staff")
            .order_by("starts_at")[:RECENT]
        )
    return TreatmentOverview(consent, row[3], plan, sessions, appointments, open_alerts=bool(row[9]))
