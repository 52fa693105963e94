"""The clinic's own settings: its public page, contact details, on-call contact, reminders, screening validity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.accounts.fields import Reaching, contact_problems, text_problems
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.forms import whole_number
from needlewise.domain.contact import Contact
from needlewise.domain.permissions import Action
from needlewise.errors import N_, InvalidInputError, Problem
from needlewise.storage.models import Clinic

MAX_SCREENING_VALID_DAYS = 365


@dataclass(frozen=True, slots=True)
class ClinicPage:
    """What an owner may change on their clinic's page, and how long a screening counts as current."""

    name: str
    city: str
    services: str
    accepts_requests: bool
    screening_valid_days: str | None = None  # as typed; None leaves the clinic's setting as it is
    contact: Contact | None = None  # None leaves the clinic's contact details as they are
    reaching: Reaching | None = None  # None leaves the on-call contact and the reminders as they are


@use_case(Action.EDIT_CLINIC_PAGE, "clinic", audited=False)
def require_owner_page(actor: Actor) -> None:
    """Refuse (and record) anyone but an owner before they see the clinic page form."""


@use_case(Action.VIEW_CLIENTS, "clinic", audited=False)
def own_clinic(actor: Actor) -> Clinic:
    """The actor's own clinic."""
    return Clinic.objects.get(pk=actor.staff_clinic_id)


@use_case(None, "clinic", atomic=False, audited=False)
def own_contact(actor: Actor) -> tuple[str, Contact]:
    """The actor's clinic's name and how its clients reach it (one query, no transaction: nothing is written)."""
    name, *details = Clinic.objects.values_list("name", "phone", "address", "out_of_hours", "time_zone").get(
        pk=actor.staff_clinic_id
    )
    return name, Contact(*details)


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the server's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


@use_case(Action.EDIT_CLINIC_PAGE, "clinic")
def update_clinic(actor: Actor, page: ClinicPage) -> Clinic:
    """Change the clinic's public page (owners only)."""
    problems = text_problems(name=page.name, city=page.city, services=page.services)
    if page.contact is not None:
        problems += contact_problems(page.contact)
    if page.reaching is not None:
        problems += page.reaching.problems()
    valid_days = (page.screening_valid_days or "").strip()
    if page.screening_valid_days is not None and not (
        (days := whole_number(valid_days)) is not None and 1 <= days <= MAX_SCREENING_VALID_DAYS
    ):
        problems.append(
            Problem.worded(
                "screening_valid_days",
                N_("enter a whole number of days from 1 to %(high)s"),
                high=str(MAX_SCREENING_VALID_DAYS),
            )
        )
    if problems:
        raise InvalidInputError(problems)
    clinic = Clinic.objects.select_for_update().get(pk=actor.staff_clinic_id)
    clinic.name, clinic.city, clinic.services = page.name.strip(), page.city.strip(), page.services.strip()
    clinic.accepts_requests = page.accepts_requests
    if page.screening_valid_days is not None:
        clinic.screening_valid_days = int(valid_days)
    if page.contact is not None:
        details = page.contact.cleaned()
        clinic.phone, clinic.address = details.phone, details.address
        clinic.out_of_hours, clinic.time_zone = details.out_of_hours, details.time_zone
    if page.reaching is not None:
        clinic.on_call_email, clinic.on_call_phone, clinic.reminder_hours = page.reaching.cleaned()
    clinic.save()
    audit_log.record(actor, "update", "clinic", clinic.pk)
    return clinic
