"""Booking sessions: suggested dates from the plan, appointments, calendar files (day lists: ``days``).

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
from datetime import date, datetime, timedelta
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
from needlewise.clinic.local_time import ClinicClock, clock_of
from needlewise.clinic.records import plans
from needlewise.clinic.scheduling import reminders
from needlewise.clinic.scheduling.calendar_file import CalendarEvent, calendar_file, location, reach
from needlewise.domain.contact import Contact
from needlewise.domain.permissions import CLINICAL_ROLES, Action
from needlewise.domain.statuses import AppointmentStatus
from needlewise.engine.treatment import next_session_days
from needlewise.errors import N_, ConflictError, InvalidInputError, Problem
from needlewise.services.ports import MessageSender
from needlewise.storage.models import Appointment, Client, Clinic, StaffMember, TreatmentPlan, TreatmentSession

TREATING_ROLES = CLINICAL_ROLES  # an owner who holds one of them as well treats too
MIN_MINUTES, MAX_MINUTES = 15, 480
_MINUTES = Problem.worded(
    "minutes", N_("between %(low)s and %(high)s minutes"), low=str(MIN_MINUTES), high=str(MAX_MINUTES)
)
BOOKED, CANCELLED = AppointmentStatus.BOOKED.value, AppointmentStatus.CANCELLED.value


def last_session_on(client: Client, clock: ClinicClock) -> date | None:
    """The date of the client's most recent session, on the clinic's calendar."""
    last = TreatmentSession.objects.filter(client=client).order_by("-performed_at").first()
    return clock.day_of(last.performed_at) if last else None


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
    clock = clock_of(actor.staff_clinic_id)
    found = _suggested(plan, last_session_on(client, clock), clock.today()) if plan else []
    audit_log.record(actor, "read", "appointment_suggestions", client_id=client.pk)
    return found


@dataclass(frozen=True, slots=True)
class Practitioner:
    """A colleague appointments can be booked with."""

    user_id: int
    name: str
    role: str


_TREATS = Q(role__in=sorted(TREATING_ROLES)) | Q(clinical_role__in=sorted(TREATING_ROLES))


def treating(clinic_id: int) -> list[StaffMember]:
    """The clinic's active practitioners' memberships (a clinical role of their own or an owner's), by name."""
    return list(
        StaffMember.objects.filter(_TREATS, clinic_id=clinic_id, user__is_active=True).order_by("display_name", "pk")
    )


@use_case(Action.MANAGE_SCHEDULE, "appointment", audited=False)
def practitioners(actor: Actor) -> list[Practitioner]:
    """The clinic's active practitioners (providers, nurses, aestheticians)."""
    members = treating(actor.staff_clinic_id)
    return [Practitioner(m.user_id, m.display_name, m.clinical_role or m.role) for m in members]


ChosenPractitioner = Annotated[PostedId, given(N_("choose a practitioner"))]
Minutes = Annotated[PostedWhole, whole(MIN_MINUTES, MAX_MINUTES, required=True, wrong=_MINUTES, missing=_MINUTES)]


class BookingFields(BaseModel):
    """Every field the booking form posts: a practitioner, the date and time it starts, its length."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    practitioner: ChosenPractitioner
    date: PostedDate
    time: PostedTime
    minutes: Minutes


def _given(starts_at: datetime | None) -> datetime:
    if starts_at is None:
        fail(N_("enter the date and time"))
    return starts_at


class _Booking(BaseModel):
    """What :func:`book` parses: the booking form's practitioner and length, and when it starts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    practitioner: ChosenPractitioner
    starts_at: Annotated[datetime | None, AfterValidator(_given)]
    minutes: Minutes


@dataclass(frozen=True, slots=True)
class BookingForm:
    """A booking as posted: the practitioner's user id, when it starts, minutes.

    ``starts_at`` is the date and time as typed: without an offset (as the form's fields send it)
    :func:`book` reads it on the clinic's clock; None when it is not a date and a time.
    """

    practitioner_user_id: int | None
    starts_at: datetime | None
    minutes: int | None


def echo(post: Posted) -> dict[str, Any]:
    """The booking form's posted values by field name, to show the form again."""
    return forms.echo(BookingFields, post)


def read(post: Posted) -> BookingForm:
    """The booking as posted, each field read by its declaration (the date and time as on the clinic's clock)."""
    values = forms.read(BookingFields, post)
    day, at = values["date"], values["time"]
    starts_at = datetime.combine(day, at) if day and at else None
    return BookingForm(values["practitioner"], starts_at, values["minutes"])


def booking_problems(
    practitioner_user_id: int | None,
    starts_at: datetime | None,
    minutes: int | None,
    clock: ClinicClock,
    now: datetime,
) -> tuple[list[Problem], datetime | None]:
    """What is wrong with a booking, and when it starts in UTC (a naive time read on the clinic's clock)."""
    problems: list[Problem] = []
    booking = {"practitioner": practitioner_user_id, "starts_at": starts_at, "minutes": minutes}
    forms.parse(_Booking, booking, problems)
    instant = None
    if starts_at is not None:
        try:
            instant = clock.read(starts_at)
        except InvalidInputError as skipped:
            problems.extend(skipped.problems)
    if instant is not None and instant < now:
        problems.append(Problem("starts_at", N_("the appointment must be in the future")))
    return forms.in_order(problems, _Booking), instant


def _overlaps(clinic_id: int, practitioner_id: int, starts_at: datetime, minutes: int, moving: int | None) -> bool:
    ends_at = starts_at + timedelta(minutes=minutes)
    nearby = Appointment.objects.exclude(pk=moving or 0).filter(
        clinic_id=clinic_id,
        practitioner_id=practitioner_id,
        status=BOOKED,
        starts_at__lt=ends_at,
        starts_at__gt=starts_at - timedelta(minutes=MAX_MINUTES),
    )
    return any(a.starts_at + timedelta(minutes=a.minutes) > starts_at for a in nearby)


def check_slot(  # noqa: PLR0913 - a booking's facts
    client: Client,
    practitioner_id: int,
    starts_at: datetime,
    minutes: int,
    clock: ClinicClock,
    *,
    moving: int | None = None,
) -> TreatmentPlan | None:
    """The client's active plan, once the time is far enough after their last session and free for the practitioner.

    ``moving``: the appointment being moved, which does not overlap itself. InvalidInputError naming
    the earliest date when too soon, ConflictError when the practitioner is taken.
    """
    plan = plans.active_plan(client.clinic_id, client.pk)
    last_on = last_session_on(client, clock)
    if plan is not None and last_on is not None:
        earliest = last_on + timedelta(days=plan.min_interval_days)
        if clock.day_of(starts_at) < earliest:
            raise InvalidInputError(
                [
                    Problem.worded(
                        "starts_at",
                        N_("too soon after the last session: the earliest date is %(date)s"),
                        date=str(earliest),
                    )
                ]
            )
    if _overlaps(client.clinic_id, practitioner_id, starts_at, minutes, moving):
        raise ConflictError([Problem("starts_at", N_("the practitioner has another appointment at that time"))])
    return plan


@use_case(Action.MANAGE_SCHEDULE, "appointment", client="client_id", missing="client")
def book(  # noqa: PLR0913 - the booking form's fields and where its reminders go
    actor: Actor,
    client_id: int,
    practitioner_user_id: int | None,
    starts_at: datetime | None,
    minutes: int | None,
    *,
    sender: MessageSender | None = None,
) -> Appointment:
    """Book a session for a client with a practitioner of the clinic (``None``: not filled in).

    ``starts_at`` with an offset is that instant; without one it is a time on the clinic's wall clock
    (see :mod:`needlewise.clinic.local_time` for the days the clocks change). Its reminders go
    through ``sender`` (:mod:`~needlewise.clinic.scheduling.reminders`; ``None``: none).
    """
    clock = clock_of(actor.staff_clinic_id)
    problems, starts_at = booking_problems(practitioner_user_id, starts_at, minutes, clock, timezone.now())
    if problems:
        raise InvalidInputError(problems)
    assert practitioner_user_id is not None  # noqa: S101 - checked above
    assert starts_at is not None  # noqa: S101 - checked above
    assert minutes is not None  # noqa: S101 - checked above
    client = access_client(actor, client_id)
    if client.archived_at is not None:
        raise ConflictError([Problem("client", N_("this client is archived; restore them before booking"))])
    member = (
        StaffMember.objects.select_for_update()
        .filter(_TREATS, clinic_id=actor.staff_clinic_id, user_id=practitioner_user_id, user__is_active=True)
        .first()
    )
    if member is None:
        raise InvalidInputError([Problem("practitioner", N_("choose an active provider, nurse or aesthetician"))])
    plan = check_slot(client, member.user_id, starts_at, minutes, clock)
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
    queued = reminders.plan(appointment, client, sender)
    audit_log.record(actor, "create", "appointment", appointment.pk, client_id=client.pk, detail={"reminders": queued})
    return appointment


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
        time_zone=clinic.time_zone,
    )
    return calendar_file(event)
