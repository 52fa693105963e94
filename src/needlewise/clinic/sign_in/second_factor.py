"""The second factor: TOTP (RFC 6238: 30-second steps, 6 digits, each code accepted once)."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from django.db import transaction
from django.utils import timezone

from needlewise.clinic.accounts.staff import member_actor
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.sign_in import recovery_codes
from needlewise.storage.models import StaffMember

TOTP_ISSUER = "needlewise"


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


def enrol_totp(member: StaffMember, secret: str, code: str) -> list[str] | None:
    """Turn on the second factor with ``secret`` once the person proves their app shows ``code``.

    Returns the new recovery codes, to show once (None: the code did not match, nothing changed).
    """
    step = _matching_step(secret, code)
    if step is None:
        return None
    with transaction.atomic():
        member.totp_secret, member.totp_last_step = secret, step
        member.save(update_fields=["totp_secret", "totp_last_step"])
        codes = recovery_codes.new_codes(member)
        detail: dict[str, object] = {"second_factor": "enrolled", "recovery_codes": len(codes)}
        audit_log.record(member_actor(member), "update", "staff", member.pk, detail=detail)
    return codes
