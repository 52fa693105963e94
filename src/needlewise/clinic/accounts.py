"""Clinics, staff accounts, the second factor and lock-out.

Sign-in names are e-mail addresses, normalised (Unicode NFKC, then case-folded) before they are
stored or looked up, so two accounts can never differ only by case or by Unicode form.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pyotp
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from needlewise.clinic import audit
from needlewise.clinic.actor import Actor
from needlewise.domain.permissions import Action, Role
from needlewise.errors import ConflictError, InvalidInputError, NotFoundError, Problem
from needlewise.storage.models import Clinic, LoginFailure, StaffMember

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMITS = {"name": 200, "city": 100, "owner_name": 200, "display_name": 200, "services": 2000}


def _text_problems(**fields: str) -> list[Problem]:
    """``required`` or ``too long`` for each named field, trimmed first."""
    problems = []
    for where, value in fields.items():
        text = value.strip()
        if not text and where != "services":
            problems.append(Problem(where, "this field is required"))
        elif len(text) > _LIMITS[where]:
            problems.append(Problem(where, f"at most {_LIMITS[where]} characters"))
    return problems


TOTP_ISSUER = "needlewise"


def normalise_email(raw: str) -> str:
    """The stored form of a sign-in e-mail address."""
    return unicodedata.normalize("NFKC", raw).strip().casefold()


def _checked_email(raw: str, where: str = "email") -> str:
    email = normalise_email(raw)
    if not _EMAIL.match(email) or len(email) > 254:  # noqa: PLR2004 - RFC 5321 limit
        raise InvalidInputError([Problem(where, "enter an e-mail address like name@example.org")])
    return email


def check_password(password: str, user: User | None = None, where: str = "password") -> None:
    """Raise InvalidInputError listing every reason ``password`` is refused (length, common, like the name)."""
    try:
        validate_password(password, user)
    except ValidationError as invalid:
        raise InvalidInputError([Problem(where, message) for message in invalid.messages]) from invalid


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
        raise ConflictError([Problem("email", "an account with this e-mail address already exists")]) from taken
    return user


def create_clinic(  # noqa: PLR0913 - the first run's facts
    *, name: str, city: str, owner_email: str, owner_name: str, owner_password: str, services: str = ""
) -> StaffMember:
    """Make a clinic and its owner (``needlewise clinic create``); the owner sets up TOTP at first sign-in."""
    problems = _text_problems(name=name, city=city, owner_name=owner_name, services=services)
    if problems:
        raise InvalidInputError(problems)
    email = _checked_email(owner_email, "owner_email")
    base = slugify(name)[:50].strip("-") or "clinic"
    with transaction.atomic():
        slug, n = base, 1
        while Clinic.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        clinic = Clinic.objects.create(slug=slug, name=name.strip(), city=city.strip(), services=services.strip())
        user = _new_user(email, owner_password)
        member = StaffMember.objects.create(
            user=user, clinic=clinic, role=Role.OWNER.value, display_name=owner_name.strip()
        )
        actor = Actor.system("clinic-create")
        audit.record(actor, "create", "clinic", clinic.pk, clinic_id=clinic.pk)
        audit.record(actor, "create", "staff", member.pk, clinic_id=clinic.pk, detail={"role": "owner"})
    return member


def add_staff(actor: Actor, new: NewStaff) -> StaffMember:
    """An owner adds a colleague; they choose a password through a one-time link (see :mod:`web`)."""
    clinic_id = audit.require(actor, Action.MANAGE_STAFF, "staff")
    email = _checked_email(new.email)
    problems = _text_problems(display_name=new.display_name)
    if problems:
        raise InvalidInputError(problems)
    with transaction.atomic():
        user = _new_user(email, None)
        member = StaffMember.objects.create(
            user=user, clinic_id=clinic_id, role=new.role.value, display_name=new.display_name.strip()
        )
        audit.record(actor, "create", "staff", member.pk, detail={"role": new.role.value})
    return member


def staff_list(actor: Actor) -> list[StaffMember]:
    """The clinic's staff, active first (owners only)."""
    clinic_id = audit.require(actor, Action.MANAGE_STAFF, "staff")
    with transaction.atomic():
        members = list(
            StaffMember.objects.filter(clinic_id=clinic_id).select_related("user").order_by("-user__is_active", "pk")
        )
        audit.record(actor, "search", "staff", detail={"shown": [m.pk for m in members]})
    return members


@audit.records_not_found("staff")
def set_active(actor: Actor, staff_id: int, active: bool) -> StaffMember:
    """Deactivate or reactivate a colleague (owners only).

    Deactivating also voids their password, which ends every session of theirs for good (a session
    is bound to the password hash); a reactivated colleague chooses a new one through a link.
    """
    clinic_id = audit.require(actor, Action.MANAGE_STAFF, "staff", staff_id)
    with transaction.atomic():
        member = StaffMember.objects.select_related("user").filter(pk=staff_id, clinic_id=clinic_id).first()
        if member is None:
            raise NotFoundError([Problem("staff", "no such staff member in your clinic")])
        if member.user_id == actor.user_id:
            raise ConflictError([Problem("staff", "you cannot deactivate your own account")])
        member.user.is_active = active
        if not active:
            member.user.set_unusable_password()
        member.user.save(update_fields=["is_active", "password"])
        audit.record(actor, "update", "staff", member.pk, detail={"active": active})
    return member


@audit.records_not_found("staff")
def reset_second_factor(actor: Actor, staff_id: int) -> StaffMember:
    """Turn a colleague's second factor off (lost phone); they set it up again at their next sign-in."""
    clinic_id = audit.require(actor, Action.MANAGE_STAFF, "staff", staff_id)
    with transaction.atomic():
        member = StaffMember.objects.select_related("user").filter(pk=staff_id, clinic_id=clinic_id).first()
        if member is None:
            raise NotFoundError([Problem("staff", "no such staff member in your clinic")])
        member.totp_secret, member.totp_last_step = "", None
        member.save(update_fields=["totp_secret", "totp_last_step"])
        audit.record(actor, "update", "staff", member.pk, detail={"second_factor": "reset"})
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
    """The active account with this sign-in e-mail, if any."""
    return User.objects.filter(username=normalise_email(email), is_active=True).first()


# --- second factor (TOTP, RFC 6238: 30-second steps, 6 digits, each code accepted once) ---


def new_totp_secret() -> str:
    """A fresh 160-bit base32 secret from the operating system's CSPRNG."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str, clinic_name: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=f"{TOTP_ISSUER} ({clinic_name})")


def _matching_step(secret: str, code: str) -> int | None:
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):  # noqa: PLR2004 - six-digit codes
        return None
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    for offset in (0, -1, 1):  # one step of clock drift either way
        at = now + timedelta(seconds=30 * offset)
        if totp.verify(code, for_time=at, valid_window=0):
            return totp.timecode(at)
    return None


def verify_totp(member: StaffMember, code: str) -> bool:
    """Whether ``code`` is right now and has not been used before (then it is used up)."""
    if not member.totp_secret:
        return False
    step = _matching_step(member.totp_secret, code)
    with transaction.atomic():
        fresh = StaffMember.objects.select_for_update().get(pk=member.pk)
        if step is None or (fresh.totp_last_step is not None and step <= fresh.totp_last_step):
            return False
        fresh.totp_last_step = step
        fresh.save(update_fields=["totp_last_step"])
    member.totp_last_step = step
    return True


def enrol_totp(member: StaffMember, secret: str, code: str) -> bool:
    """Turn on the second factor with ``secret`` once the person proves their app shows ``code``."""
    step = _matching_step(secret, code)
    if step is None:
        return False
    with transaction.atomic():
        member.totp_secret, member.totp_last_step = secret, step
        member.save(update_fields=["totp_secret", "totp_last_step"])
        actor = Actor.staff(member.user_id, member.clinic_id, Role(member.role))
        audit.record(actor, "update", "staff", member.pk, detail={"second_factor": "enrolled"})
    return True


# --- lock-out: at most LOGIN_FAILURE_LIMIT failures per account and per address per window ---


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def locked_out(email: str, ip: str) -> bool:
    """Whether sign-in is refused for now for this account or this address."""
    keys = [f"user:{normalise_email(email)}", f"ip:{ip}"]
    since = _window_start()
    return any(
        LoginFailure.objects.filter(key=key, at__gte=since).count() >= settings.LOGIN_FAILURE_LIMIT for key in keys
    )


def record_failure(email: str, ip: str, request_id: str, stage: str) -> None:
    """Count a failed sign-in for the account and the address, and audit it."""
    now = timezone.now()
    with transaction.atomic():
        LoginFailure.objects.bulk_create(
            [LoginFailure(key=f"user:{normalise_email(email)}", at=now), LoginFailure(key=f"ip:{ip}", at=now)]
        )
        LoginFailure.objects.filter(at__lt=now - timedelta(days=1)).delete()
        audit.record(Actor.anonymous(ip, request_id), "sign_in", "session", outcome="failed", detail={"stage": stage})


def clear_failures(email: str) -> None:
    """Forget an account's failures after it signs in."""
    LoginFailure.objects.filter(key=f"user:{normalise_email(email)}").delete()


MAX_SCREENING_VALID_DAYS = 365


@dataclass(frozen=True, slots=True)
class ClinicPage:
    """What an owner may change on their clinic's page, and how long a screening counts as current."""

    name: str
    city: str
    services: str
    accepts_requests: bool
    screening_valid_days: str | None = None  # as typed; None leaves the clinic's setting as it is


def require_owner_page(actor: Actor) -> None:
    """Refuse (and record) anyone but an owner before they see the clinic page form."""
    audit.require(actor, Action.EDIT_CLINIC_PAGE, "clinic")


def own_clinic(actor: Actor) -> Clinic:
    """The actor's own clinic."""
    clinic_id = audit.require(actor, Action.VIEW_CLIENTS, "clinic")
    return Clinic.objects.get(pk=clinic_id)


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the server's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def update_clinic(actor: Actor, page: ClinicPage) -> Clinic:
    """Change the clinic's public page (owners only)."""
    clinic_id = audit.require(actor, Action.EDIT_CLINIC_PAGE, "clinic")
    problems = _text_problems(name=page.name, city=page.city, services=page.services)
    valid_days = (page.screening_valid_days or "").strip()
    if page.screening_valid_days is not None and not (
        valid_days.isdigit() and 1 <= int(valid_days) <= MAX_SCREENING_VALID_DAYS
    ):
        problems.append(
            Problem("screening_valid_days", f"enter a whole number of days from 1 to {MAX_SCREENING_VALID_DAYS}")
        )
    if problems:
        raise InvalidInputError(problems)
    with transaction.atomic():
        clinic = Clinic.objects.select_for_update().get(pk=clinic_id)
        clinic.name, clinic.city, clinic.services = page.name.strip(), page.city.strip(), page.services.strip()
        clinic.accepts_requests = page.accepts_requests
        if page.screening_valid_days is not None:
            clinic.screening_valid_days = int(valid_days)
        clinic.save()
        audit.record(actor, "update", "clinic", clinic.pk)
    return clinic
