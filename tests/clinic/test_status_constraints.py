"""Status columns hold only their domain enum's values: the database itself refuses any other.

Runs on SQLite and, with ``make unit-postgres``, on PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import pytest
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from clinic.followup_support import plan_row, session_row
from clinic.support import Site
from needlewise.domain.permissions import Role
from needlewise.domain.statuses import (
    AlertStatus,
    AppointmentStatus,
    EventOutcome,
    EventSeverity,
    PlanStatus,
    RequestStatus,
)
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.storage.models import (
    AdverseEvent,
    Appointment,
    CheckIn,
    ConsultationRequest,
    StaffMember,
    TreatmentPlan,
)

pytestmark = pytest.mark.django_db

COLUMNS: list[tuple[type[models.Model], str, type[StrEnum]]] = [
    (StaffMember, "role", Role),
    (ConsultationRequest, "status", RequestStatus),
    (TreatmentPlan, "status", PlanStatus),
    (Appointment, "status", AppointmentStatus),
    (CheckIn, "alert", AlertStatus),
    (AdverseEvent, "severity", EventSeverity),
    (AdverseEvent, "outcome", EventOutcome),
]


def _rows(site: Site, kb: KnowledgeBase) -> dict[type[models.Model], models.Model]:
    session = session_row(site, kb)
    nurse = site.members[Role.NURSE]
    appointment = Appointment.objects.create(
        clinic=site.clinic,
        client=site.client,
        practitioner_id=nurse.user_id,
        starts_at=timezone.now(),
        uid="status-constraint@needlewise",
        created_by_id=nurse.user_id,
    )
    event = AdverseEvent.objects.create(
        clinic=site.clinic,
        client=site.client,
        session=session,
        cartridge_lot=session.cartridge_lot,
        kind="infection",
        severity=EventSeverity.MILD,
        onset_on=date.today(),  # noqa: DTZ011 - any date will do
        outcome=EventOutcome.ONGOING,
        description="fixture",
        recorded_by_id=nurse.user_id,
    )
    return {
        StaffMember: nurse,
        ConsultationRequest: site.request,
        TreatmentPlan: session.plan,
        Appointment: appointment,
        CheckIn: CheckIn.objects.filter(session=session).first(),
        AdverseEvent: event,
    }


@pytest.mark.parametrize(("model", "column", "values"), COLUMNS, ids=[f"{m.__name__}.{c}" for m, c, _ in COLUMNS])
def test_the_database_refuses_a_value_outside_the_enum(
    site_a: Site, kb: KnowledgeBase, model: type[models.Model], column: str, values: type[StrEnum]
) -> None:
    row = _rows(site_a, kb)[model]
    field = model._meta.get_field(column)
    assert [value for value, _ in field.choices] == [v.value for v in values]  # type: ignore[union-attr]
    for value in values:  # every value of the enum is accepted
        model.objects.filter(pk=row.pk).update(**{column: value.value})
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{column: "bogus"})
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{column: next(iter(values)).value.upper()})


def test_a_plan_inserted_with_an_unknown_status_is_refused(site_a: Site, kb: KnowledgeBase) -> None:
    plan = plan_row(site_a, kb)
    assert plan.status == PlanStatus.ACTIVE
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentPlan.objects.create(
            clinic=site_a.clinic,
            client=site_a.client,
            goals=["texture"],
            sessions_planned=1,
            min_interval_days=28,
            status="paused",
            kb_version="fixture",
            kb_hash="fixture",
            created_by_id=site_a.members[Role.NURSE].user_id,
        )
