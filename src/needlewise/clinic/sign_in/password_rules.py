"""Password rules beyond Django's own: at most 128 characters, and no runs or repeats.

Django's validators (at least 12 characters, not a common password, not like the e-mail address)
let through twelve spaces, ``aaaaaaaaaaaa``, ``123456789012`` or ``abcdefghijkl``. These rules refuse
passwords made mostly of one character, of very few different characters, or of a run of repeated
or sequential characters (``abcd``, ``4321``, ``7890``), with a clear message in the person's language.
They are listed in ``AUTH_PASSWORD_VALIDATORS``, so every way of choosing a password (the CLI, the
reset and invitation links, the account page) applies them.
"""

from __future__ import annotations

from itertools import pairwise

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_LENGTH = 128
#: A password needs at least this many different characters.
MIN_DISTINCT = 5
#: Refused when this share of neighbouring characters repeat or run on (``aa``, ``ab``, ``ba``, ``90``).
RUN_SHARE = 0.75


def _runs_on(a: str, b: str) -> bool:
    step = ord(b) - ord(a)
    return step in {-1, 0, 1} or {a, b} == {"9", "0"}


def problems(password: str) -> list[str]:
    """Why ``password`` is refused by these rules (empty when it is not)."""
    found = []
    if len(password) > MAX_LENGTH:
        found.append(_("This password is too long: use at most %(max)d characters.") % {"max": MAX_LENGTH})
    if password:
        most = max(password.count(c) for c in set(password))
        steps = list(pairwise(password))
        if most * 2 > len(password) or len(set(password)) < MIN_DISTINCT:
            found.append(_("This password repeats the same few characters: use more different ones."))
        elif steps and sum(_runs_on(a, b) for a, b in steps) >= RUN_SHARE * len(steps):
            found.append(
                _("This password is a run of characters such as abcd or 1234: choose one that is harder to guess.")
            )
    return found


class RepeatsAndRunsValidator:
    """Refuse over-long passwords and those made of repeats or runs (see the module)."""

    def validate(self, password: str, user: User | None = None) -> None:  # noqa: ARG002 - Django's signature
        """Raise ValidationError with every reason ``password`` is refused."""
        found = problems(password)
        if found:
            raise ValidationError(found)

    def get_help_text(self) -> str:
        """What the rule asks for."""
        return _("Your password cannot be longer than %(max)d characters, nor a run or repeat of characters.") % {
            "max": MAX_LENGTH
        }
