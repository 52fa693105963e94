"""The checked fields of clinics and accounts: sign-in e-mail addresses, passwords, names.

Sign-in names are e-mail addresses, normalised (Unicode NFKC, then case-folded) before they are
stored or looked up, so two accounts can never differ only by case or by Unicode form.
"""

from __future__ import annotations

import re
import unicodedata
from zoneinfo import available_timezones

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from needlewise.clinic.typed_text import character_problem
from needlewise.domain.contact import Contact
from needlewise.errors import N_, InvalidInputError, Problem

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMITS = {"name": 200, "city": 100, "owner_name": 200, "display_name": 200, "services": 2000}
_PHONE = re.compile(r"^\+?[0-9 ()\-]+$")
_PHONE_DIGITS = (6, 20)
_CONTACT_LIMITS = {"phone": 40, "address": 500, "out_of_hours": 1000}


def valid_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone name (``Europe/Madrid``, ``UTC``)."""
    return name in available_timezones()


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
    phone = contact.phone.strip()
    digits = sum(c.isdigit() for c in phone)
    if phone and not (_PHONE.match(phone) and _PHONE_DIGITS[0] <= digits <= _PHONE_DIGITS[1]):
        problems.append(
            Problem("phone", N_("enter a phone number of 6 to 20 digits; only digits, spaces, +, - and parentheses"))
        )
    if not valid_time_zone(contact.time_zone.strip()):
        problems.append(Problem("time_zone", N_("enter a time zone name such as Europe/Madrid or UTC")))
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


def checked_email(raw: str, where: str = "email") -> str:
    """The normalised address, or InvalidInputError at ``where`` if it is not one."""
    email = normalise_email(raw)
    if not _EMAIL.match(email) or len(email) > 254:  # noqa: PLR2004 - RFC 5321 limit
        raise InvalidInputError([Problem(where, N_("enter an e-mail address like name@example.org"))])
    return email


def check_password(password: str, user: User | None = None, where: str = "password") -> None:
    """Raise InvalidInputError listing every reason ``password`` is refused (length, common, like the name)."""
    try:
        validate_password(password, user)
    except ValidationError as invalid:
        raise InvalidInputError([Problem(where, message) for message in invalid.messages]) from invalid
