"""A day's appointments per practitioner, on the clinic's calendar day, times on the clinic's clock.

Everyone who books (``manage_schedule``) sees it: dates, times, names and which session of the plan
each appointment is, never health data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.local_time import ClinicClock, clock_of
from needlewise.clinic.scheduling.appointments import BOOKED, Practitioner, treating
from needlewise.domain.permissions import Action
from needlewise.storage.models import Appointment, StaffMember, TreatmentSession


@dataclass(frozen=True, slots=True)
class DayRow:
    """One appointment on a day list: when (on the clinic's clock), who, and which session of the plan it is."""

    appointment_id: int
    starts_at: datetime
    minutes: int
    client_id: int
    client_name: str
    session_number: int | None
    sessions_planned: int | None

    @property
    def ends_at(self) -> datetime:
        """When the appointment ends, on the same clock (counted in real minutes across a change of the clocks)."""
        return (self.starts_at.astimezone(UTC) + timedelta(minutes=self.minutes)).astimezone(self.starts_at.tzinfo)


@dataclass(frozen=True, slots=True)
class DayColumn:
    """A practitioner's appointments on one day, by time."""

    practitioner: Practitioner
    rows: tuple[DayRow, ...]


def _session_numbers(appointments: list[Appointment]) -> dict[int, int]:
    """Each planned appointment's number in its plan: sessions done before it, booked ones between, plus one."""
    plan_ids = {a.plan_id for a in appointments if a.plan_id is not None}
    done: dict[int, list[datetime]] = {}
    for plan_id, performed_at in TreatmentSession.objects.filter(plan_id__in=plan_ids).values_list(
        "plan_id", "performed_at"
    ):
        done.setdefault(plan_id, []).append(performed_at)
    booked: dict[int, list[datetime]] = {}
    for plan_id, starts_at in Appointment.objects.filter(plan_id__in=plan_ids, status=BOOKED).values_list(
        "plan_id", "starts_at"
    ):
        booked.setdefault(plan_id, []).append(starts_at)
    numbers = {}
    for a in appointments:
        if a.plan_id is None:
            continue
        before = [t for t in done.get(a.plan_id, []) if t < a.starts_at]
        since = max(before, default=None)
        between = [t for t in booked.get(a.plan_id, []) if t < a.starts_at and (since is None or t > since)]
        numbers[a.pk] = len(before) + len(between) + 1
    return numbers


def _row(a: Appointment, numbers: dict[int, int], clock: ClinicClock) -> DayRow:
    return DayRow(
        appointment_id=a.pk,
        starts_at=clock.local(a.starts_at),
        minutes=a.minutes,
        client_id=a.client_id,
        client_name=f"{a.client.given_name} {a.client.family_name}",
        session_number=numbers.get(a.pk),
        sessions_planned=a.plan.sessions_planned if a.plan is not None else None,
    )


@use_case(Action.MANAGE_SCHEDULE, "appointment")
def day_list(actor: Actor, day: date, practitioner_user_id: int | None = None) -> list[DayColumn]:
    """The clinic day's booked appointments per practitioner (every active practitioner, or the one asked for).

    The day runs from the clinic's midnight to the next (23 or 25 hours when the clocks change); the
    rows' times are on the clinic's clock.
    """
    clock = clock_of(actor.staff_clinic_id)
    start, end = clock.day_bounds(day)
    rows = Appointment.objects.filter(
        clinic_id=actor.staff_clinic_id, status=BOOKED, starts_at__gte=start, starts_at__lt=end
    )
    if practitioner_user_id is not None:
        rows = rows.filter(practitioner_id=practitioner_user_id)
    appointments = list(rows.select_related("client", "plan").order_by("starts_at", "pk"))
    members = {m.user_id: m for m in treating(actor.staff_clinic_id)}
    missing = {a.practitioner_id for a in appointments} - set(members)
    members |= {m.user_id: m for m in StaffMember.objects.filter(clinic_id=actor.staff_clinic_id, user_id__in=missing)}
    numbers = _session_numbers(appointments)
    audit_log.record(
        actor, "read", "appointment", detail={"day": day.isoformat(), "shown": [a.pk for a in appointments]}
    )
    shown = [m for m in members.values() if practitioner_user_id in {None, m.user_id}]
    return [
        DayColumn(
            Practitioner(m.user_id, m.display_name, m.clinical_role or m.role),
            tuple(_row(a, numbers, clock) for a in appointments if a.practitioner_id == m.user_id),
        )
        for m in sorted(shown, key=lambda m: (m.display_name, m.pk))
    ]
