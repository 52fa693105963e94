"""Short check-in links for paper: ``/c/7KQ4-M9XW-P2RT``, printed beside a QR code on the aftercare sheet.

A check-in's full link (``/checkin/<43 characters>/``) is too long to type from paper. Its short code
has :data:`LENGTH` characters of :data:`ALPHABET`, which leaves out the characters people confuse on
paper and on screen (0/O, 1/I/L, U/V), so 30 symbols and about 59 bits: with a million live codes, a
guess finds one with a chance of about 2 in a trillion (and the reverse proxy limits the rate).

Like the full token, the code is recomputed from the secret key and the check-in's identity (its
clinic included), never stored: the database keeps its SHA-256 only, so a copy of the database
reveals no link. A code is read in any case, with or without the hyphens and spaces it is printed
with. It works until :data:`DAYS_VALID` days after the check-in's day (the clinic's calendar); after
that it is the same not-found as a code that never existed, while the full link keeps working.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

from django.conf import settings

from needlewise.storage.models import CheckIn

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4
DAYS_VALID = 30
_SEPARATORS = str.maketrans("", "", "- ")


def short_code(checkin: CheckIn) -> str:
    """The check-in's short code (:data:`LENGTH` characters of :data:`ALPHABET`, no separators)."""
    message = f"checkin-short:{checkin.clinic_id}:{checkin.pk}:{checkin.session_id}:{checkin.day}".encode()
    number = int.from_bytes(hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest(), "big")
    symbols = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        symbols.append(ALPHABET[index])
    return "".join(symbols)


def normalised(text: str) -> str | None:
    """``text`` as a short code (upper case, separators dropped), or None if it cannot be one."""
    code = text.translate(_SEPARATORS).upper()
    if len(code) != LENGTH or not set(code) <= set(ALPHABET):
        return None
    return code


def grouped(code: str) -> str:
    """The code as printed for a person: groups of :data:`GROUP` joined by hyphens (``7KQ4-M9XW-P2RT``)."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def valid_until(due_on: date) -> date:
    """The last day (the clinic's calendar) on which the short code of a check-in due on ``due_on`` works."""
    return due_on + timedelta(days=DAYS_VALID)
