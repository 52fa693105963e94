"""The checked fields of clinics and accounts: sign-in e-mail addresses, passwords, names.

Sign-in names are e-mail addresses, normalised (Unicode NFKC, then case-folded) before they are
stored or looked up, so two accounts can never differ only by case or by Unicode form.
"""

from __future__ import annotations

import re
import unicodedata

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from needlewise.errors import InvalidInputError, Problem

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMITS = {"name": 200, "city": 100, "owner_name": 200, "display_name": 200, "services": 2000}


def text_problems(**fields: str) -> list[Problem]:
    """``required`` or ``too long`` for each named field, trimmed first."""
    problems = []
    for where, value in fields.items():
        text = value.strip()
        if not text and where != "services":
            problems.append(Problem(where, "this field is required"))
        elif len(text) > _LIMITS[where]:
            problems.append(Problem(where, f"at most {_LIMITS[where]} characters"))
    return problems


def normalise_email(raw: str) -> str:
    """The stored form of a sign-in e-mail address."""
    return unicodedata.normalize("NFKC", raw).strip().casefold()


def checked_email(raw: str, where: str = "email") -> str:
    """The normalised address, or InvalidInputError at ``where`` if it is not one."""
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
