"""Clinics and their staff: the first clinic and owner, adding colleagues, deactivating them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_staff
from needlewise.clinic.accounts.fields import (
    Reaching,
    check_password,
    checked_email,
    contact_problems,
    sign_in_name,
    text_problems,
)
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.contact import Contact
from needlewise.domain.permissions import CLINICAL_ROLES, Action, Role
from needlewise.errors import N_, ConflictError, InvalidInputError, NotFoundError, Problem
from needlewise.storage.models import Clinic, RecoveryCode, StaffMember

#: The start of the user name of an account held for an invitation (see :func:`add_staff`): a space,
#: which no e-mail address (and so no sign-in) has.
HELD_PREFIX = "held invitation "


@dataclass(frozen=True, slots=True)
class NewStaff:
    """What is needed to add someone to a clinic."""

    email: str
    display_name: str
    role: Role


def _new_user(email: str, password: str | None) -> User:
    user = User(username=email, email=email)
    if password is None:
        user.set_unusable_password()
    else:
        check_password(password, user)
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as taken:
        raise ConflictError([Problem("email", N_("an account with this e-mail address already exists"))]) from taken
    return user


def create_clinic(  # noqa: PLR0913 - the first run's facts
    *,
    name: str,
    city: str,
    owner_email: str,
    owner_name: str,
    owner_password: str,
    services: str = "",
    contact: Contact | None = None,
    owner_role: str = "",
    reaching: Reaching | None = None,
) -> StaffMember:
    """Make a clinic and its owner (``needlewise clinic create``); the owner sets up TOTP at first sign-in.

    Without a phone in ``contact`` the clinic cannot record sessions until its owner adds one.
    ``owner_role`` is the clinical role the owner holds as well (provider, nurse, aesthetician), or "".
    ``reaching``: the on-call contact for red-flag check-ins and the reminders' lead time (none, 48 hours).
    """
    contact, reaching = contact or Contact(), reaching or Reaching()
    problems = text_problems(name=name, city=city, owner_name=owner_name, services=services)
    problems += contact_problems(contact) + reaching.problems()
    clinical_role = _clinical_role(owner_role, "owner_role", problems)
    if problems:
        raise InvalidInputError(problems)
    email = checked_email(owner_email, "owner_email")
    base = slugify(name)[:50].strip("-") or "clinic"
    with transaction.atomic():
        slug, n = base, 1
        while Clinic.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        details = contact.cleaned()
        on_call_email, on_call_phone, reminder_hours = reaching.cleaned()
        clinic = Clinic.objects.create(
            slug=slug,
            name=name.strip(),
            city=city.strip(),
            services=services.strip(),
            phone=details.phone,
            address=details.address,
            out_of_hours=details.out_of_hours,
            time_zone=details.time_zone,
            on_call_email=on_call_email,
            on_call_phone=on_call_phone,
            reminder_hours=reminder_hours,
        )
        user = _new_user(email, owner_password)
        member = StaffMember.objects.create(
            user=user,
            clinic=clinic,
            role=Role.OWNER.value,
            clinical_role=clinical_role.value if clinical_role else "",
            display_name=owner_name.strip(),
        )
        actor = Actor.system("clinic-create")
        audit_log.record(actor, "create", "clinic", clinic.pk, clinic_id=clinic.pk)
        detail: dict[str, object] = {"role": "owner"}
        if clinical_role is not None:
            detail["clinical_role"] = clinical_role.value
        audit_log.record(actor, "create", "staff", member.pk, clinic_id=clinic.pk, detail=detail)
    return member


def _clinical_role(value: str, where: str, problems: list[Problem]) -> Role | None:
    """The clinical role an owner may hold as well, from its code ("" for none); a problem otherwise."""
    value = value.strip()
    if not value:
        return None
    if value not in {r.value for r in CLINICAL_ROLES}:
        problems.append(Problem(where, N_("choose provider, nurse or aesthetician (or none)")))
        return None
    return Role(value)


def member_actor(member: StaffMember, ip: str = "", request_id: str = "", *, time_zone: str = "") -> Actor:
    """The acting person a staff membership makes, with the clinical role an owner may hold as well.

    ``time_zone``: the clinic's zone when it was read with the membership (a request's), "" otherwise.
    """
    clinical_role = Role(member.clinical_role) if member.clinical_role else None
    role = Role(member.role)
    return Actor.staff(
        member.user_id, member.clinic_id, role, ip, request_id, clinical_role=clinical_role, time_zone=time_zone
    )


@use_case(Action.MANAGE_STAFF, "staff")
def set_own_clinical_role(actor: Actor, clinical_role: str) -> StaffMember:
    """An owner gives themself a clinical role, changes it, or gives it up ("") (one account, one person).

    The audit row names the roles before and after.
    """
    problems: list[Problem] = []
    chosen = _clinical_role(clinical_role, "clinical_role", problems)
    if problems:
        raise InvalidInputError(problems)
    member = StaffMember.objects.select_for_update().get(user_id=actor.staff_user_id)
    before = member.clinical_role
    member.clinical_role = chosen.value if chosen else ""
    member.save(update_fields=["clinical_role"])
    audit_log.record(
        actor, "update", "staff", member.pk, detail={"clinical_role": member.clinical_role, "before": before}
    )
    return member


def is_held(user: User) -> bool:
    """Whether ``user`` is an account held for an invitation: it never signs in, and its links set no password."""
    return user.username.startswith(HELD_PREFIX)


def _invited_user(email: str) -> User:
    """A new account for ``email``; a held one if the address already has an account (another clinic's)."""
    try:
        return _new_user(email, None)
    except ConflictError:  # an account of another clinic (this clinic's staff were refused before)
        held = User(username=HELD_PREFIX + secrets.token_hex(16), email=email)
        held.set_unusable_password()
        held.save()
        return held


@use_case(Action.MANAGE_STAFF, "staff")
def add_staff(actor: Actor, new: NewStaff) -> StaffMember:
    """An owner adds a colleague; they choose a password through a one-time link (see :mod:`web`).

    An address already on this clinic's staff is refused. An address that has an account with another
    clinic gets the same answer, page and audit row as a new one, so an owner cannot learn who works
    elsewhere: the membership is made for an account held for the invitation (:func:`is_held`), and
    the address is told a clinic invited it instead of being sent a link (:mod:`.passwords`). One
    account belongs to one clinic: the existing account is never linked to this clinic or changed.
    """
    email = checked_email(new.email)
    problems = text_problems(display_name=new.display_name)
    if problems:
        raise InvalidInputError(problems)
    if StaffMember.objects.filter(clinic_id=actor.staff_clinic_id, user__email=email).exists():
        raise ConflictError([Problem("email", N_("an account with this e-mail address already exists"))])
    user = _invited_user(email)
    member = StaffMember.objects.create(
        user=user, clinic_id=actor.staff_clinic_id, role=new.role.value, display_name=new.display_name.strip()
    )
    audit_log.record(actor, "create", "staff", member.pk, detail={"role": new.role.value})
    return member


@use_case(Action.MANAGE_STAFF, "staff")
def staff_list(actor: Actor) -> list[StaffMember]:
    """The clinic's staff, active first (owners only)."""
    members = list(
        StaffMember.objects.filter(clinic_id=actor.staff_clinic_id)
        .select_related("user")
        .order_by("-user__is_active", "pk")
    )
    audit_log.record(actor, "search", "staff", detail={"shown": [m.pk for m in members]})
    return members


@use_case(Action.MANAGE_STAFF, "staff", record="staff_id", missing="staff")
def set_active(actor: Actor, staff_id: int, active: bool) -> StaffMember:
    """Deactivate or reactivate a colleague (owners only).

    Deactivating also voids their password, which ends every session of theirs for good (a session
    is bound to the password hash); a reactivated colleague chooses a new one through a link.
    """
    member = access_staff(actor, staff_id)
    if member.user_id == actor.user_id:
        raise ConflictError([Problem("staff", N_("you cannot deactivate your own account"))])
    member.user.is_active = active
    if not active:
        member.user.set_unusable_password()
    member.user.save(update_fields=["is_active", "password"])
    audit_log.record(actor, "update", "staff", member.pk, detail={"active": active})
    return member


@use_case(Action.MANAGE_STAFF, "staff", record="staff_id", missing="staff")
def reset_second_factor(actor: Actor, staff_id: int) -> StaffMember:
    """Turn a colleague's second factor off (lost phone); they set it up again at their next sign-in."""
    member = access_staff(actor, staff_id)
    member.totp_secret, member.totp_last_step = "", None
    member.save(update_fields=["totp_secret", "totp_last_step"])
    RecoveryCode.objects.filter(staff=member).delete()  # new ones come with the new second factor
    audit_log.record(actor, "update", "staff", member.pk, detail={"second_factor": "reset"})
    return member


def reset_second_factor_from_shell(email: str) -> StaffMember:
    """Turn off the second factor of the active account ``email`` (``needlewise staff reset-2fa``).

    For the owner who is the only one able to reset others and lost their phone and recovery codes:
    whoever runs it has the server's shell, not just a password. Audited as the system command.
    """
    user = find_user(email)
    member = StaffMember.objects.select_related("clinic").filter(user=user).first() if user else None
    if member is None:
        raise NotFoundError([Problem("email", N_("no active staff account has this e-mail address"))])
    with transaction.atomic():
        member.totp_secret, member.totp_last_step = "", None
        member.save(update_fields=["totp_secret", "totp_last_step"])
        RecoveryCode.objects.filter(staff=member).delete()  # new ones come with the new second factor
        audit_log.record(
            Actor.system("staff-reset-2fa"),
            "update",
            "staff",
            member.pk,
            clinic_id=member.clinic_id,
            detail={"second_factor": "reset", "from": "shell"},
        )
    return member


def staff_of(user: User) -> StaffMember | None:
    """The staff membership of a signed-in user, with its clinic."""
    try:
        return user.staff  # joined in by the sign-in backend; one query otherwise
    except StaffMember.DoesNotExist:
        return None


def active_member(user_id: int) -> StaffMember | None:
    """The membership of an active account, with its user and clinic."""
    return StaffMember.objects.select_related("user", "clinic").filter(user_id=user_id, user__is_active=True).first()


def find_user(email: str) -> User | None:
    """The active account with this sign-in e-mail, if any (none for an address no account can have)."""
    name = sign_in_name(email)
    return None if name is None else User.objects.filter(username=name, is_active=True).first()
