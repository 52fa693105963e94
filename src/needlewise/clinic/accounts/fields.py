"""The checked fields of clinics and accounts: sign-in e-mail addresses, passwords, names.

Sign-in names are e-mail addresses, normalised (Unicode NFKC, then case-folded) before they are
stored or looked up, so two accounts can never differ only by case or by Unicode form.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from needlewise.clinic.typed_text import character_problem
from needlewise.domain.contact import Contact
from needlewise.errors import N_, InvalidInputError, Problem
from needlewise.services.time_zones import valid_time_zone

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: The longest e-mail address (RFC 5321).
EMAIL_LIMIT = 254
_LIMITS = {"name": 200, "city": 100, "owner_name": 200, "display_name": 200, "services": 2000}
_PHONE = re.compile(r"^\+?[0-9 ()\-]+$")
_PHONE_DIGITS = (6, 20)
_CONTACT_LIMITS = {"phone": 40, "address": 500, "out_of_hours": 1000}
#: The longest lead time of an appointment reminder, in hours (a week); 0 sends none.
MAX_REMINDER_HOURS = 168
_PHONE_WORDS = N_("enter a phone number of 6 to 20 digits; only digits, spaces, +, - and parentheses")


def phone_ok(raw: str) -> bool:
    """Whether ``raw`` is empty or a phone number of 6 to 20 digits (digits, spaces, +, - and parentheses)."""
    phone = raw.strip()
    digits = sum(c.isdigit() for c in phone)
    return not phone or bool(_PHONE.match(phone) and _PHONE_DIGITS[0] <= digits <= _PHONE_DIGITS[1])


def phone_digits(phone: str) -> str:
    """Only the digits of ``phone``: two ways of writing one number compare equal."""
    return "".join(c for c in phone if c.isdigit())


def phone_problem(raw: str, where: str) -> Problem | None:
    """Why ``raw`` is refused as an optional phone number at ``where`` (6 to 20 digits, at most 40 characters)."""
    if not phone_ok(raw) or len(raw.strip()) > _CONTACT_LIMITS["phone"]:
        return Problem(where, _PHONE_WORDS)
    return None


@dataclass(frozen=True, slots=True)
class Reaching:
    """Who is told of a red-flag check-in besides its practitioner, and how early appointment reminders go.

    As typed: the on-call contact's e-mail address and phone (either may be empty), and the hours
    before an appointment its reminder goes out (0 to :data:`MAX_REMINDER_HOURS`; 0: no reminders).
    """

    on_call_email: str = ""
    on_call_phone: str = ""
    reminder_hours: str = "48"

    def problems(self) -> list[Problem]:
        """What is wrong with it, each problem at its field."""
        problems = []
        email = normalise_email(self.on_call_email)
        if email and (not _EMAIL.match(email) or len(email) > 254):  # noqa: PLR2004 - RFC 5321 limit
            problems.append(Problem("on_call_email", N_("enter an e-mail address like name@example.org")))
        if refused := phone_problem(self.on_call_phone, "on_call_phone"):
            problems.append(refused)
        hours = self.reminder_hours.strip()
        if not (hours.isascii() and hours.isdigit() and int(hours) <= MAX_REMINDER_HOURS):
            problems.append(
                Problem.worded(
                    "reminder_hours",
                    N_("enter a whole number of hours from 0 (no reminders) to %(high)s"),
                    high=str(MAX_REMINDER_HOURS),
                )
            )
        return problems

    def cleaned(self) -> tuple[str, str, int]:
        """The e-mail address (normalised), the phone (trimmed) and the hours, once :meth:`problems` is empty."""
        return normalise_email(self.on_call_email), self.on_call_phone.strip(), int(self.reminder_hours.strip())


def contact_problems(contact: Contact) -> list[Problem]:
    """What is wrong with a clinic's contact details (each may be empty, except the time zone)."""
    problems = []
    for where, value in (
        ("phone", contact.phone),
        ("address", contact.address),
        ("out_of_hours", contact.out_of_hours),
    ):
        if len(value.strip()) > _CONTACT_LIMITS[where]:
            problems.append(
                Problem.worded(where, N_("at most %(limit)s characters"), limit=str(_CONTACT_LIMITS[where]))
            )
    if not phone_ok(contact.phone):
        problems.append(Problem("phone", _PHONE_WORDS))
    if not valid_time_zone(contact.time_zone.strip()):
        problems.append(Problem("time_zone", N_("unknown time zone: choose one such as Europe/Madrid or UTC")))
    return problems


def text_problems(**fields: str) -> list[Problem]:
    """``required``, ``too long`` or a refused character (:mod:`~needlewise.clinic.typed_text`) for each named field.

    The clinic's services are the one multi-line text, and may be empty.
    """
    problems = []
    for where, value in fields.items():
        text = value.strip()
        if not text and where != "services":
            problems.append(Problem(where, N_("this field is required")))
        elif len(text) > _LIMITS[where]:
            problems.append(Problem.worded(where, N_("at most %(limit)s characters"), limit=str(_LIMITS[where])))
        elif refused := character_problem(where, text, multiline=where == "services"):
            problems.append(refused)
    return problems


def normalise_email(raw: str) -> str:
    """The stored form of a sign-in e-mail address."""
    return unicodedata.normalize("NFKC", raw).strip().casefold()


def sign_in_name(raw: str) -> str | None:
    """The normalised address to look an account up by, or None when no account can have it.

    No account's address holds a control or invisible character (PostgreSQL cannot even compare a
    NUL) or is longer than :data:`EMAIL_LIMIT` characters.
    """
    name = normalise_email(raw)
    return None if len(name) > EMAIL_LIMIT or character_problem("email", name) else name


def counted_as(raw: str) -> str:
    """The text attempts for an address are counted under: its sign-in name, or its digest when no account can have it.

    The digest keeps a long or unstorable text out of the counting table's key and still counts it.
    """
    name = sign_in_name(raw)
    digest = hashlib.sha256(normalise_email(raw).encode("utf-8", "surrogatepass")).hexdigest()
    return name if name is not None else f"sha256:{digest}"


def checked_email(raw: str, where: str = "email") -> str:
    """The normalised address, or InvalidInputError at ``where`` if it is not one."""
    email = normalise_email(raw)
    if not _EMAIL.match(email) or len(email) > EMAIL_LIMIT:
        raise InvalidInputError([Problem(where, N_("enter an e-mail address like name@example.org"))])
    return email


def check_password(password: str, user: User | None = None, where: str = "password") -> None:
    """Raise InvalidInputError listing every reason ``password`` is refused (length, common, like the name)."""
    try:
        validate_password(password, user)
    except ValidationError as invalid:
        raise InvalidInputError([Problem(where, message) for message in invalid.messages]) from invalid
