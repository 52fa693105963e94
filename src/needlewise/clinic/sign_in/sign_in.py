"""Signing in (the password, then the second factor or setting it up, under the lock-out) and out.

No one is signed in yet, so these are not guarded use cases: they take the anonymous actor of the
request (its address and request id) and run their own transactions. Each writes its audit row in
the same transaction as the change it records: a failure with its lock-out count, a sign-in with
the used-up code (or the new second factor), the cleared failures and the new session.

The session itself is the edge's: ``establish`` (Django's ``login`` and the verified mark) runs
inside the sign-in's transaction, so no session exists without its audit row, and no audit row
says someone signed in whose session was not made.

Failures say the same thing whether or not the account exists. A password reset never skips the
second factor: it only sets a password, and signing in still asks for the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.db import transaction

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.accounts.fields import sign_in_name
from needlewise.clinic.accounts.staff import member_actor, staff_of
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.sign_in import lockout, recovery_codes, second_factor
from needlewise.storage.models import StaffMember

#: The edge's part of signing someone in: make their session (it runs inside the sign-in's transaction).
Establish = Callable[[StaffMember], None]


class Step(StrEnum):
    """Where a sign-in attempt leaves the person."""

    LOCKED = "locked"  # too many failures from this address, or for this account just now: wait
    REFUSED = "refused"  # wrong e-mail address, password or code
    SIGNED_IN = "signed_in"  # done: the session is made
    CODE = "code"  # the password was right; now the code from their app
    ENROL = "enrol"  # the password was right; they have not set up the second factor every role needs


@dataclass(frozen=True, slots=True)
class Attempt:
    """The outcome of one step of signing in, with the member once their password was right.

    ``codes``: the recovery codes made when the second factor was set up (to show once);
    ``recovery``: a recovery code stood in for the TOTP code; ``wait``: seconds to wait when locked.
    """

    step: Step
    member: StaffMember | None = None
    codes: tuple[str, ...] = ()
    recovery: bool = False
    wait: int = 0


def with_password(actor: Actor, email: str, password: str) -> Attempt:
    """The first step: e-mail address and password (``actor`` is the anonymous person at the door).

    A right password never signs anyone in by itself: every role must use a second factor (see
    :data:`needlewise.domain.permissions.SECOND_FACTOR_REQUIRED`), so it leads to the code, or to
    setting the second factor up.
    """
    wait = lockout.wait_seconds(email, actor.ip)
    if wait:
        return Attempt(Step.LOCKED, wait=wait)
    name = sign_in_name(email)
    user = authenticate(None, username=name, password=password) if name is not None else None
    member = staff_of(user) if isinstance(user, User) else None
    if member is None:
        lockout.record_failure(email, actor.ip, actor.request_id, "password")
        return Attempt(Step.REFUSED)
    return Attempt(Step.CODE if member.totp_secret else Step.ENROL, member)


def with_code(actor: Actor, member: StaffMember, code: str, establish: Establish) -> Attempt:
    """The second step: the six-digit code from the authenticator app, or a recovery code.

    Each is used up once; a wrong one of either counts towards the lock-out.
    """
    username = member.user.username
    wait = lockout.wait_seconds(username, actor.ip)
    if wait:
        return Attempt(Step.LOCKED, member, wait=wait)
    with transaction.atomic():
        if second_factor.verify_totp(member, code):
            _signed_in(actor, member, establish)
            return Attempt(Step.SIGNED_IN, member)
        if recovery_codes.use(member, code):
            _signed_in(actor, member, establish)
            return Attempt(Step.SIGNED_IN, member, recovery=True)
    lockout.record_failure(username, actor.ip, actor.request_id, "second_factor")
    return Attempt(Step.REFUSED, member)


def with_new_second_factor(actor: Actor, member: StaffMember, secret: str, code: str, establish: Establish) -> Attempt:
    """The second step at a first sign-in: set the second factor up with ``secret``, then sign in."""
    with transaction.atomic():
        codes = second_factor.enrol_totp(member, secret, code)
        if codes is not None:
            _signed_in(actor, member, establish)
            return Attempt(Step.SIGNED_IN, member, tuple(codes))
    return Attempt(Step.REFUSED, member)


def _signed_in(actor: Actor, member: StaffMember, establish: Establish) -> None:
    establish(member)
    lockout.clear_failures(member.user.username, actor.ip)
    audit_log.record(member_actor(member, actor.ip, actor.request_id), "sign_in", "session")


@use_case(None, "session")
def sign_out(actor: Actor, end: Callable[[], None]) -> None:
    """End the acting person's session (``end``, the edge's) with its audit row, in one transaction."""
    audit_log.record(actor, "sign_out", "session")
    end()


@use_case(None, "session")
def sign_out_others(actor: Actor, end: Callable[[], int]) -> int:
    """End the acting person's other sessions (``end``, the edge's: how many it ended), with its audit row."""
    ended = end()
    audit_log.record(actor, "sign_out", "session", detail={"others": ended})
    return ended
