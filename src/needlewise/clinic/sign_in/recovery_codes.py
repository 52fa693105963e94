"""Recovery codes: ten single-use codes that stand in for a TOTP code when the phone is lost.

They are made when the second factor is set up and shown once; only their hashes are kept, made by
Django's password hashers as passwords are: Argon2id, at OWASP's minimum settings (19 MiB, t=2,
p=1) rather than the passwords' 100 MiB, since a code is random (not a word a person chose) and ten
are made at once (about 0.1 s each instead of 1 s). A deployment configured with another hasher
(the tests' fast one) uses that one. Each works once. Making new ones (from
the account page) voids the old ones; resetting a colleague's second factor (lost phone) removes
them. Every use and every new set is audited; a wrong code counts towards the sign-in lock-out like
a wrong TOTP code (see :mod:`needlewise.clinic.sign_in.sign_in`).

A code is 12 characters from a 31-letter alphabet without look-alikes (about 59 bits), shown as
``abcd-efgh-jkmn``. Its first four characters are kept in clear as a selector, so that a code typed
in is checked against one slow hash rather than ten; the other eight (about 40 bits) are only in
the hash, and guesses are limited by the lock-out.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.db import transaction
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.accounts.staff import member_actor
from needlewise.clinic.audit import log as audit_log
from needlewise.errors import N_, ConflictError, Problem
from needlewise.storage.models import RecoveryCode, StaffMember

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no i, l, o, 0, 1: nothing to misread
LENGTH, GROUP, SELECTOR = 12, 4, 4


class CodeHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum settings, for random recovery codes."""

    time_cost = 2
    memory_cost = 19456  # KiB: 19 MiB
    parallelism = 1


def _hash(code: str) -> str:
    if settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher":
        hasher = CodeHasher()
        return hasher.encode(code, hasher.salt())
    return make_password(code)


def _matches(code: str, encoded: str) -> bool:
    if encoded.startswith(f"{CodeHasher.algorithm}$"):
        return CodeHasher().verify(code, encoded)
    return check_password(code, encoded)


def _normalised(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def _shown(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def new_codes(member: StaffMember) -> list[str]:
    """Replace the member's recovery codes with :data:`COUNT` new ones; the codes, to show once.

    Call inside the transaction of the change that audits it (setting up the second factor, or
    :func:`regenerate`).
    """
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(COUNT)]
    RecoveryCode.objects.filter(staff=member).delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(staff=member, selector=code[:SELECTOR], code_hash=_hash(code)) for code in codes]
    )
    return [_shown(code) for code in codes]


def left(member: StaffMember) -> int:
    """How many of the member's recovery codes are still unused."""
    return RecoveryCode.objects.filter(staff=member, used_at__isnull=True).count()


def use(member: StaffMember, typed: str) -> bool:
    """Whether ``typed`` is one of the member's unused recovery codes (then it is used up, and audited)."""
    code = _normalised(typed)
    if len(code) != LENGTH:
        return False
    with transaction.atomic():
        candidates = RecoveryCode.objects.select_for_update().filter(
            staff=member, selector=code[:SELECTOR], used_at__isnull=True
        )
        match = next((row for row in candidates if _matches(code, row.code_hash)), None)
        if match is None:
            return False
        match.used_at = timezone.now()
        match.save(update_fields=["used_at"])
        detail: dict[str, object] = {"recovery_code": "used", "left": left(member)}
        audit_log.record(member_actor(member), "update", "staff", member.pk, detail=detail)
    return True


@use_case(None, "staff")
def regenerate(actor: Actor) -> list[str]:
    """New recovery codes for one's own account (the old ones stop working); the codes, to show once."""
    member = StaffMember.objects.select_for_update().get(user_id=actor.staff_user_id)
    if not member.totp_secret:
        raise ConflictError([Problem("recovery_codes", N_("turn on two-step sign-in first"))])
    codes = new_codes(member)
    audit_log.record(actor, "update", "staff", member.pk, detail={"recovery_codes": "regenerated"})
    return codes


@use_case(None, "staff", atomic=False, audited=False)
def own_left(actor: Actor) -> int:
    """How many unused recovery codes the acting person has (for the account page; one query, nothing written)."""
    return RecoveryCode.objects.filter(staff__user_id=actor.staff_user_id, used_at__isnull=True).count()
