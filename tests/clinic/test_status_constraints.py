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
    ConsentMethod,
    EventOutcome,
    EventSeverity,
    PlanStatus,
    RequestStatus,
    ScreeningSource,
)
from needlewise.domain.tier import Tier
from needlewise.domain.treatment import Triage
from needlewise.domain.vocabulary import DeviceKind, Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.storage.models import (
    AdverseEvent,
    Appointment,
    CheckIn,
    Consent,
    ConsultationRequest,
    Screening,
    StaffMember,
    TreatmentPlan,
    TreatmentSession,
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
    (CheckIn, "triage", Triage),
    (CheckIn, "lang", Lang),
    (Consent, "method", ConsentMethod),
    (Consent, "lang", Lang),
    (Screening, "source", ScreeningSource),
    (Screening, "tier", Tier),
    (Screening, "lang", Lang),
    (TreatmentSession, "practitioner_role", Role),
    (TreatmentSession, "device_kind", DeviceKind),
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
        Consent: session.consent,
        Screening: session.screening,
        TreatmentSession: session,
    }


@pytest.mark.parametrize(("model", "column", "values"), COLUMNS, ids=[f"{m.__name__}.{c}" for m, c, _ in COLUMNS])
def test_the_database_refuses_a_value_outside_the_enum(
    site_a: Site, kb: KnowledgeBase, model: type[models.Model], column: str, values: type[StrEnum]
) -> None:
    row = _rows(site_a, kb)[model]
    field = model._meta.get_field(column)
    assert [value for value, _ in field.choices] == [v.value for v in values]  # type: ignore[union-attr]
    write = _insert_copy if model is Consent else _update
    for value in values:  # every value of the enum is accepted
        write(row, column, value.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        write(row, column, "bogus"[: field.max_length])  # fits the column: only the constraint refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        write(row, column, next(iter(values)).value.upper())


def _update(row: models.Model, column: str, value: str) -> None:
    type(row).objects.filter(pk=row.pk).update(**{column: value})


def _insert_copy(row: models.Model, column: str, value: str) -> None:
    """A signed consent is append-only (triggers refuse UPDATE): its columns are tried on a new row."""
    copy = type(row).objects.get(pk=row.pk)
    copy.pk = None
    setattr(copy, column, value)
    copy.save(force_insert=True)


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


def test_a_check_in_not_yet_answered_has_no_triage(site_a: Site, kb: KnowledgeBase) -> None:
    checkin = _rows(site_a, kb)[CheckIn]
    assert CheckIn.objects.get(pk=checkin.pk).triage == ""  # the one value outside Triage the column allows
    CheckIn.objects.filter(pk=checkin.pk).update(triage=Triage.SEEK_CARE_NOW.value)
    CheckIn.objects.filter(pk=checkin.pk).update(triage="")
    assert CheckIn.objects.get(pk=checkin.pk).triage == ""
