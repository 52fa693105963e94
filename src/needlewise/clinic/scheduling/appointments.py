"""Booking sessions: suggested dates from the plan, appointments, day lists, calendar files.

Everyone who books (``manage_schedule``, the front desk included) sees dates, times and names, never
health data: suggestions use only the active plan's number of sessions and minimum interval. A
booking is refused before the plan's interval after the client's last session has passed (with the
earliest date), or when it overlaps another appointment of the same practitioner. Two bookings racing
for one practitioner are serialised by locking that practitioner's staff row (on PostgreSQL; SQLite
runs one write transaction at a time anyway).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from django.db.models import Q
from django.utils import timezone
from pydantic import AfterValidator, BaseModel, ConfigDict

from needlewise.clinic import forms
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_appointment, access_client
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.forms import Posted, PostedDate, PostedId, PostedTime, PostedWhole, fail, given, whole
from needlewise.clinic.records import plans
from needlewise.clinic.scheduling.calendar_file import CalendarEvent, calendar_file, location, reach
from needlewise.domain.contact import Contact
from needlewise.domain.permissions import CLINICAL_ROLES, Action
from needlewise.domain.statuses import AppointmentStatus
from needlewise.engine.treatment import next_session_days
from needlewise.errors import ConflictError, InvalidInputError, Problem
from needlewise.storage.models import Appointment, Client, Clinic, StaffMember, TreatmentPlan, TreatmentSession

TREATING_ROLES = CLINICAL_ROLES  # an owner who holds one of them as well treats too
MIN_MINUTES, MAX_MINUTES = 15, 480
_MINUTES = f"between {MIN_MINUTES} and {MAX_MINUTES} minutes"
BOOKED, CANCELLED = AppointmentStatus.BOOKED.value, AppointmentStatus.CANCELLED.value


def last_session_on(client: Client) -> date | None:
    """The date of the client's most recent session, in the clinic's time zone."""
    last = TreatmentSession.objects.filter(client=client).order_by("-performed_at").first()
    return timezone.localtime(last.performed_at).date() if last else None


def _suggested(plan: TreatmentPlan, last_on: date | None, today: date) -> list[date]:
    remaining = plan.sessions_planned - TreatmentSession.objects.filter(plan=plan).count()
    step = max(plan.min_interval_days, 1)
    start = last_on if last_on is not None else today - timedelta(days=step)
    days = next_session_days(start.toordinal(), plan.min_interval_days, remaining)
    late = max(today.toordinal() - days[0], 0) if days else 0
    return [date.fromordinal(day + late) for day in days]


@use_case(Action.MANAGE_SCHEDULE, "appointment", client="client_id", missing="client")
def suggestions(actor: Actor, client_id: int) -> list[date]:
    """The earliest dates of the active plan's remaining sessions, none before today (dates only)."""
    client = access_client(actor, client_id)
    plan = plans.active_plan(actor.staff_clinic_id, client.pk)
    found = _suggested(plan, last_session_on(client), timezone.localdate()) if plan else []
    audit_log.record(actor, "read", "appointment_suggestions", client_id=client.pk)
    return found


@dataclass(frozen=True, slots=True)
class Practitioner:
    """A colleague appointments can be booked with."""

    user_id: int
    name: str
    role: str


_TREATS = Q(role__in=sorted(TREATING_ROLES)) | Q(clinical_role__in=sorted(TREATING_ROLES))


def _treating(clinic_id: int) -> list[StaffMember]:
    return list(
        StaffMember.objects.filter(_TREATS, clinic_id=clinic_id, user__is_active=True).order_by("display_name", "pk")
    )


@use_case(Action.MANAGE_SCHEDULE, "appointment", audited=False)
def practitioners(actor: Actor) -> list[Practitioner]:
    """The clinic's active practitioners (providers, nurses, aestheticians)."""
    members = _treating(actor.staff_clinic_id)
    return [Practitioner(m.user_id, m.display_name, m.clinical_role or m.role) for m in members]


ChosenPractitioner = Annotated[PostedId, given("choose a practitioner")]
Minutes = Annotated[PostedWhole, whole(MIN_MINUTES, MAX_MINUTES, required=True, wrong=_MINUTES, missing=_MINUTES)]


class BookingFields(BaseModel):
    """Every field the booking form posts: a practitioner, the date and time it starts, its length."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    practitioner: ChosenPractitioner
    date: PostedDate
    time: PostedTime
    minutes: Minutes


def _aware(starts_at: datetime | None) -> datetime:
    if starts_at is None or timezone.is_naive(starts_at):
        fail("enter the date and time")
    return starts_at


class _Booking(BaseModel):
    """What :func:`book` parses: the booking form's practitioner and length, and when it starts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    practitioner: ChosenPractitioner
    starts_at: Annotated[datetime | None, AfterValidator(_aware)]
    minutes: Minutes


@dataclass(frozen=True, slots=True)
class BookingForm:
    """A booking as posted: the practitioner's user id, when it starts (None: not a date and time), minutes."""

    practitioner_user_id: int | None
    starts_at: datetime | None
    minutes: int | None


def echo(post: Posted) -> dict[str, Any]:
    """The booking form's posted values by field name, to show the form again."""
    return forms.echo(BookingFields, post)


def read(post: Posted) -> BookingForm:
    """The booking as posted, each field read by its declaration (the date and time in the clinic's zone)."""
    values = forms.read(BookingFields, post)
    day, at = values["date"], values["time"]
    starts_at = timezone.make_aware(datetime.combine(day, at)) if day and at else None
    return BookingForm(values["practitioner"], starts_at, values["minutes"])


def _booking_problems(
    practitioner_user_id: int | None, starts_at: datetime | None, minutes: int | None, now: datetime
) -> list[Problem]:
    problems: list[Problem] = []
    booking = {"practitioner": practitioner_user_id, "starts_at": starts_at, "minutes": minutes}
    forms.parse(_Booking, booking, problems)
    if starts_at is not None and timezone.is_aware(starts_at) and starts_at < now:
        problems.append(Problem("starts_at", "the appointment must be in the future"))
    return forms.in_order(problems, _Booking)


def _overlaps(clinic_id: int, practitioner_id: int, starts_at: datetime, minutes: int) -> bool:
    ends_at = starts_at + timedelta(minutes=minutes)
    nearby = Appointment.objects.filter(
        clinic_id=clinic_id,
        practitioner_id=practitioner_id,
        status=BOOKED,
        starts_at__lt=ends_at,
        starts_at__gt=starts_at - timedelta(minutes=MAX_MINUTES),
    )
    return any(a.starts_at + timedelta(minutes=a.minutes) > starts_at for a in nearby)


@use_case(Action.MANAGE_SCHEDULE, "appointment", client="client_id", missing="client")
def book(
    actor: Actor, client_id: int, practitioner_user_id: int | None, starts_at: datetime | None, minutes: int | None
) -> Appointment:
    """Book a session for a client with a practitioner of the clinic (``None``: not filled in)."""
    problems = _booking_problems(practitioner_user_id, starts_at, minutes, timezone.now())
    if problems:
        raise InvalidInputError(problems)
    assert practitioner_user_id is not None  # noqa: S101 - checked above
    assert starts_at is not None  # noqa: S101 - checked above
    assert minutes is not None  # noqa: S101 - checked above
    client = access_client(actor, client_id)
    if client.archived_at is not None:
        raise ConflictError([Problem("client", "this client is archived; restore them before booking")])
    member = (
        StaffMember.objects.select_for_update()
        .filter(_TREATS, clinic_id=actor.staff_clinic_id, user_id=practitioner_user_id, user__is_active=True)
        .first()
    )
    if member is None:
        raise InvalidInputError([Problem("practitioner", "choose an active provider, nurse or aesthetician")])
    plan = plans.active_plan(actor.staff_clinic_id, client.pk)
    last_on = last_session_on(client)
    if plan is not None and last_on is not None:
        earliest = last_on + timedelta(days=plan.min_interval_days)
        if timezone.localtime(starts_at).date() < earliest:
            raise InvalidInputError(
                [Problem("starts_at", f"too soon after the last session: the earliest date is {earliest}")]
            )
    if _overlaps(actor.staff_clinic_id, member.user_id, starts_at, minutes):
        raise ConflictError([Problem("starts_at", "the practitioner has another appointment at that time")])
    appointment = Appointment.objects.create(
        clinic_id=actor.staff_clinic_id,
        client=client,
        practitioner_id=member.user_id,
        plan=plan,
        starts_at=starts_at,
        minutes=minutes,
        uid=f"{secrets.token_hex(16)}@needlewise",
        created_by_id=actor.staff_user_id,
    )
    audit_log.record(actor, "create", "appointment", appointment.pk, client_id=client.pk)
    return appointment


@use_case(Action.MANAGE_SCHEDULE, "appointment", record="appointment_id", missing="appointment")
def cancel(actor: Actor, appointment_id: int) -> Appointment:
    """Cancel a booked appointment (it stays listed in the audit log and the client's history)."""
    appointment = access_appointment(actor, appointment_id)
    if appointment.status != BOOKED:
        raise ConflictError([Problem("appointment", "this appointment is already cancelled")])
    appointment.status = CANCELLED
    appointment.save(update_fields=["status"])
    audit_log.record(actor, "cancel", "appointment", appointment.pk, client_id=appointment.client_id)
    return appointment


@dataclass(frozen=True, slots=True)
class DayRow:
    """One appointment on a day list: when, who, and which session of the plan it is."""

    appointment_id: int
    starts_at: datetime
    minutes: int
    client_id: int
    client_name: str
    session_number: int | None
    sessions_planned: int | None

    @property
    def ends_at(self) -> datetime:
        """When the appointment ends."""
        return self.starts_at + timedelta(minutes=self.minutes)


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


def _row(a: Appointment, numbers: dict[int, int]) -> DayRow:
    return DayRow(
        appointment_id=a.pk,
        starts_at=timezone.localtime(a.starts_at),
        minutes=a.minutes,
        client_id=a.client_id,
        client_name=f"{a.client.given_name} {a.client.family_name}",
        session_number=numbers.get(a.pk),
        sessions_planned=a.plan.sessions_planned if a.plan is not None else None,
    )


@use_case(Action.MANAGE_SCHEDULE, "appointment")
def day_list(actor: Actor, day: date, practitioner_user_id: int | None = None) -> list[DayColumn]:
    """The day's booked appointments per practitioner (every active practitioner, or the one asked for)."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    rows = Appointment.objects.filter(
        clinic_id=actor.staff_clinic_id, status=BOOKED, starts_at__gte=start, starts_at__lt=end
    )
    if practitioner_user_id is not None:
        rows = rows.filter(practitioner_id=practitioner_user_id)
    appointments = list(rows.select_related("client", "plan").order_by("starts_at", "pk"))
    members = {m.user_id: m for m in _treating(actor.staff_clinic_id)}
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
            tuple(_row(a, numbers) for a in appointments if a.practitioner_id == m.user_id),
        )
        for m in sorted(shown, key=lambda m: (m.display_name, m.pk))
    ]


@use_case(Action.MANAGE_SCHEDULE, "appointment", record="appointment_id", missing="appointment")
def ics(actor: Actor, appointment_id: int) -> bytes:
    """An appointment as a calendar file: the clinic's name and city and the times, no health details."""
    appointment = access_appointment(actor, appointment_id)
    clinic = Clinic.objects.get(pk=actor.staff_clinic_id)
    contact = Contact(clinic.phone, clinic.address, clinic.out_of_hours, clinic.time_zone)
    audit_log.record(actor, "export", "appointment", appointment.pk, client_id=appointment.client_id)
    event = CalendarEvent(
        uid=appointment.uid,
        starts_at=appointment.starts_at,
        minutes=appointment.minutes,
        summary=f"Microneedling session — {clinic.name}",
        location=location(clinic.city, contact),
        cancelled=appointment.status == CANCELLED,
        stamp=timezone.now(),
        description=reach(clinic.name, contact),
    )
    return calendar_file(event)
