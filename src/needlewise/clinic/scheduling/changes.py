"""Changing a booked appointment: moving it to another time, cancelling it; its reminders follow.

Moving keeps the practitioner and the length and passes the booking's checks again at the new time
(in the future, far enough after the client's last session, the practitioner free, the appointment
itself aside). The reminders still waiting for the old time are withdrawn and those of the new time
queued (:mod:`~needlewise.clinic.scheduling.reminders`); cancelling withdraws them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from pydantic import BaseModel, ConfigDict

from needlewise.clinic import forms
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_appointment
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.forms import Posted, PostedDate, PostedTime
from needlewise.clinic.local_time import clock_of
from needlewise.clinic.scheduling import reminders
from needlewise.clinic.scheduling.appointments import BOOKED, CANCELLED, booking_problems, check_slot
from needlewise.domain.permissions import Action
from needlewise.errors import N_, ConflictError, InvalidInputError, Problem
from needlewise.services.ports import MessageSender
from needlewise.storage.models import Appointment, StaffMember


class MoveFields(BaseModel):
    """Every field the move form posts: the new date and time, on the clinic's clock."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: PostedDate
    time: PostedTime


def echo(post: Posted) -> dict[str, Any]:
    """The move form's posted values by field name, to show the form again."""
    return forms.echo(MoveFields, post)


def read(post: Posted) -> datetime | None:
    """The new start as typed (on the clinic's clock); ``None`` when it is not a date and a time."""
    values = forms.read(MoveFields, post)
    day, at = values["date"], values["time"]
    return datetime.combine(day, at) if day and at else None


@use_case(Action.MANAGE_SCHEDULE, "appointment", record="appointment_id", missing="appointment", audited=False)
def booked(actor: Actor, appointment_id: int) -> Appointment:
    """An appointment of the clinic with its client, to show the move form (names and times, no health data)."""
    return access_appointment(actor, appointment_id)


@use_case(Action.MANAGE_SCHEDULE, "appointment", record="appointment_id", missing="appointment")
def move(
    actor: Actor, appointment_id: int, starts_at: datetime | None, *, sender: MessageSender | None = None
) -> Appointment:
    """Move a booked appointment to ``starts_at`` (read as :func:`~.appointments.book` reads it); reminders follow."""
    clock = clock_of(actor.staff_clinic_id)
    appointment = access_appointment(actor, appointment_id)
    if appointment.status != BOOKED:
        raise ConflictError([Problem("appointment", N_("this appointment is cancelled; book a new one"))])
    when = booking_problems(appointment.practitioner_id, starts_at, appointment.minutes, clock, timezone.now())
    if when[0]:
        raise InvalidInputError(when[0])
    assert when[1] is not None  # noqa: S101 - checked above
    StaffMember.objects.select_for_update().filter(user_id=appointment.practitioner_id).first()  # one booking at a time
    check_slot(
        appointment.client, appointment.practitioner_id, when[1], appointment.minutes, clock, moving=appointment.pk
    )
    moved_from, appointment.starts_at = appointment.starts_at, when[1]
    appointment.save(update_fields=["starts_at"])
    withdrawn = reminders.withdraw(appointment, "appointment moved") if moved_from != when[1] else 0
    queued = reminders.plan(appointment, appointment.client, sender)
    detail: dict[str, object] = {"from": moved_from.isoformat(), "reminders": queued, "reminders_withdrawn": withdrawn}
    audit_log.record(actor, "move", "appointment", appointment.pk, client_id=appointment.client_id, detail=detail)
    return appointment


@use_case(Action.MANAGE_SCHEDULE, "appointment", record="appointment_id", missing="appointment")
def cancel(actor: Actor, appointment_id: int) -> Appointment:
    """Cancel a booked appointment (it stays listed in the audit log and the client's history); reminders withdrawn."""
    appointment = access_appointment(actor, appointment_id)
    if appointment.status != BOOKED:
        raise ConflictError([Problem("appointment", N_("this appointment is already cancelled"))])
    appointment.status = CANCELLED
    appointment.save(update_fields=["status"])
    detail: dict[str, object] = {"reminders_withdrawn": reminders.withdraw(appointment, "appointment cancelled")}
    audit_log.record(actor, "cancel", "appointment", appointment.pk, client_id=appointment.client_id, detail=detail)
    return appointment
