"""Passwords: changing one's own, one-time links to choose one (reset and welcome), using such a link.

Each change is one transaction with its audit row. Links go out through the
:class:`~needlewise.services.ports.MessageSender` the edge hands in (chosen in :mod:`needlewise.bootstrap`).
The wording of a message is the edge's (it is translated there), and the address of a link is the
edge's too (``link_to`` makes it from the link's two parts): a message carries an account's link and
nothing about anyone's health.

A reset link is Django's one-time token: it is used up by the change itself (the token covers the
password hash) and lasts ``PASSWORD_RESET_TIMEOUT``. A reset never skips the second factor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_staff
from needlewise.clinic.accounts.fields import check_password, counted_as
from needlewise.clinic.accounts.staff import find_user, is_held, staff_of
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.sign_in import attempts, lockout
from needlewise.domain.permissions import Action
from needlewise.errors import N_, ConflictError, InvalidInputError, NotFoundError, Problem, TooManyAttemptsError
from needlewise.services.ports import MessageSender, OutboundMessage
from needlewise.storage.models import StaffMember

#: The absolute address of the page that takes a one-time link's two parts (user id, token).
LinkTo = Callable[[str, str], str]

#: Where the two problems the edge words itself are reported (the validators' own come at ``password``).
MISMATCH = "password_again"
WRONG_CURRENT = "current"


@dataclass(frozen=True, slots=True)
class LinkMail:
    """The wording of a message carrying a one-time link.

    ``text`` places the link with ``%(link)s`` and may give its lifetime with ``%(minutes)s``.
    ``held``: what an address that already has an account with another clinic is sent instead of a
    welcome link (``%(clinic)s`` names the clinic that invited it; no link).
    """

    subject: str
    text: str
    held: LinkMail | None = None


@dataclass(frozen=True, slots=True)
class NewPassword:
    """A new password, typed twice."""

    password: str
    again: str


def send_password_link(sender: MessageSender, user: User, link_to: LinkTo, mail: LinkMail) -> str:
    """Send ``user`` a one-time link to choose a password (a reset, or a new or reactivated account).

    Returns the link: without a mail server, the owner hands an invitation's link over themself.
    An account held for an invitation (:func:`~.staff.is_held`) gets ``mail.held`` instead, with no
    link: the address has an account with another clinic. Its link, the owner's to see alone, opens
    the same page as any invitation's but chooses no password (:func:`reset_user`).
    """
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    link = link_to(uid, token)
    if not is_held(user):
        text = mail.text % {"minutes": minutes, "link": link}
        clinic_id = StaffMember.objects.filter(user=user).values_list("clinic_id", flat=True).first()
        message = OutboundMessage((user.email,), mail.subject, text, purpose="password_link", clinic_id=clinic_id)
        sender.send(message)
    elif mail.held is not None:
        clinic = StaffMember.objects.select_related("clinic").get(user=user).clinic
        text = mail.held.text % {"clinic": clinic.name}
        message = OutboundMessage((user.email,), mail.held.subject, text, purpose="invitation", clinic_id=clinic.pk)
        sender.send(message)
    return link


@use_case(Action.MANAGE_STAFF, "staff", record="staff_id", missing="staff")
def resend_invitation(
    actor: Actor, staff_id: int, *, sender: MessageSender, link_to: LinkTo, mail: LinkMail
) -> tuple[StaffMember, str]:
    """Send a colleague who has not chosen a password yet a new link; every earlier link stops working.

    The account's unusable password is drawn again: a link's token covers the password hash, so the
    old links no longer match. Audited; returns the member and the new link (for the owner to hand
    over when no mail server is set up).
    """
    member = access_staff(actor, staff_id)
    user = member.user
    if not user.is_active or user.has_usable_password():
        raise ConflictError([Problem("staff", N_("this colleague has already chosen a password, or is deactivated"))])
    user.set_unusable_password()
    user.save(update_fields=["password"])
    audit_log.record(actor, "update", "staff", member.pk, detail={"invitation": "resent"})
    return member, send_password_link(sender, user, link_to, mail)


def invitation_holder(uid: str, token: str) -> StaffMember | None:
    """The staff membership (with its clinic) a one-time link is for, if the link is still valid.

    A held invitation's link shows as any invitation's does (choosing a password is then refused).
    """
    user = _link_user(uid, token)
    if user is None:
        return None
    return StaffMember.objects.select_related("clinic", "user").filter(user=user).first()


def count_reset(email: str) -> bool:
    """Count a reset asked for ``email``, an account's or not (the same work): whether a link may go now.

    At most ``PUBLIC_LIMITS["reset_account"]`` links per address and window, so nobody can fill a
    colleague's mailbox; the edge answers the same either way.
    """
    limit, window = settings.PUBLIC_LIMITS["reset_account"]
    return attempts.hit(f"reset-account:{counted_as(email)}", limit, window) == 0


def request_reset(actor: Actor, email: str, *, sender: MessageSender, link_to: LinkTo, mail: LinkMail) -> bool:
    """Send an active staff account's address a reset link, with its audit row; whether one went.

    ``actor`` is the anonymous person asking: the edge answers the same whether or not a link went,
    and calls this after the answer has gone (so its time does not tell either; see :func:`count_reset`).
    The message is sent last, inside the transaction: if it cannot be handed over, no row says it was.
    """
    user = find_user(email)
    if user is None or staff_of(user) is None:
        return False
    with transaction.atomic():
        audit_log.record(actor, "reset_requested", "staff", user.pk)
        send_password_link(sender, user, link_to, mail)
    return True


def reset_user(uid: str, token: str) -> User | None:
    """The active account a one-time link is for, if the link is still valid (never an invitation's held account)."""
    user = _link_user(uid, token)
    return None if user is None or is_held(user) else user


def _link_user(uid: str, token: str) -> User | None:
    """The active account a one-time link was made for, if the link is still valid."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def reset_password(actor: Actor, uid: str, token: str, new: NewPassword) -> User:
    """Choose a new password with a valid one-time link, with its audit row (the link is then used up).

    ``actor`` is the anonymous person holding the link. Raises :class:`NotFoundError` for a link that
    is not valid (any more), :class:`InvalidInputError` for a refused password (the link still works).
    """
    with transaction.atomic():
        user = reset_user(uid, token)
        if user is None:
            raise NotFoundError([Problem("link", N_("this link is not valid any more"))])
        _check_new(new, user)
        user.set_password(new.password)
        user.save(update_fields=["password"])
        audit_log.record(actor, "password_reset", "staff", user.pk)
    return user


@use_case(None, "staff", atomic=False)
def change_password(actor: Actor, current: str, new: NewPassword) -> User:
    """Change one's own password (the current one required), with its audit row.

    A wrong current password counts as a failed sign-in from this address (a stolen session cannot
    guess it without limit) and is audited; once the lock-out applies, :class:`TooManyAttemptsError`
    says how long to wait, without checking the password. Every other session of the account ends
    (a session is bound to the password hash); the edge keeps the one that made the change.
    """
    member = StaffMember.objects.select_related("user").get(user_id=actor.staff_user_id)
    user = member.user
    wait = lockout.wait_seconds(user.username, actor.ip)
    if wait:
        with transaction.atomic():
            audit_log.record(actor, "update", "staff", member.pk, outcome="denied", detail={"password": "locked"})
        raise TooManyAttemptsError([Problem(WRONG_CURRENT, N_("too many wrong passwords: wait, then try again"))], wait)
    if not user.check_password(current):
        with transaction.atomic():
            lockout.count_failure(user.username, actor.ip)
            audit_log.record(
                actor, "update", "staff", member.pk, outcome="failed", detail={"password": "wrong current"}
            )
        raise InvalidInputError([Problem(WRONG_CURRENT, N_("your current password is not right"))])
    with transaction.atomic():
        _check_new(new, user)
        user.set_password(new.password)
        user.save(update_fields=["password"])
        audit_log.record(actor, "update", "staff", member.pk, detail={"password": "changed"})
    return user


@use_case(None, "staff", audited=False)
def own_account(actor: Actor) -> StaffMember:
    """The acting person's own membership (for the account page: whether the second factor is on)."""
    return StaffMember.objects.select_related("user", "clinic").get(user_id=actor.staff_user_id)


def _check_new(new: NewPassword, user: User) -> None:
    if new.password != new.again:
        raise InvalidInputError([Problem(MISMATCH, N_("the two new passwords are not the same"))])
    check_password(new.password, user)
