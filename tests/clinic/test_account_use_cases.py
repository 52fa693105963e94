"""The accounts use cases: sign-in steps, password reset and change, each change with its audit row.

Messages go to an in-memory sender (the port's fake); the page tests in ``tests/web/clinic`` send
through Django's mail backend, and ``tests/adapters`` through a real SMTP server.
"""

from __future__ import annotations

import re

import pyotp
import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.support import PASSWORD, actor_for, last_seq, rows_after
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.sign_in import passwords, sign_in
from needlewise.clinic.sign_in.passwords import LinkMail, NewPassword
from needlewise.clinic.sign_in.sign_in import Step
from needlewise.domain.permissions import Role
from needlewise.errors import InvalidInputError, NotFoundError, TooManyAttemptsError
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import LoginFailure, StaffMember

pytestmark = pytest.mark.django_db

DOOR = Actor.anonymous("198.51.100.7", "req42")
NEW = "a brand new passphrase 77"
MAIL = LinkMail("Your password", "Within %(minutes)s minutes: %(link)s")


class FakeSender:
    """Keeps what it is asked to send."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    def send(self, message: OutboundMessage) -> None:
        self.sent.append(message)


class BrokenSender:
    def send(self, message: OutboundMessage) -> None:
        raise ConnectionRefusedError(message.to)


def link_to(uid: str, token: str) -> str:
    return f"https://clinic.example.org/reset/{uid}/{token}/"


def link_parts(message: OutboundMessage) -> tuple[str, str]:
    found = re.search(r"/reset/([^/]+)/([^/]+)/", message.text)
    assert found, message.text
    return found.group(1), found.group(2)


def wheres(error: pytest.ExceptionInfo[InvalidInputError]) -> list[str]:
    return [p.where for p in error.value.problems]


class Sessions:
    """The edge's part of signing in, recorded (or failing, to show the sign-in rolls back with it)."""

    def __init__(self, *, fail: bool = False) -> None:
        self.made: list[int] = []
        self.fail = fail

    def __call__(self, member: StaffMember) -> None:
        if self.fail:
            raise RuntimeError(member.user_id)  # the session store is down
        self.made.append(member.user_id)


def with_totp(member: StaffMember) -> pyotp.TOTP:
    member.totp_secret = pyotp.random_base32(32)
    member.save(update_fields=["totp_secret"])
    return pyotp.TOTP(member.totp_secret)


# --- password reset ---


def test_a_reset_link_goes_to_an_active_staff_account_with_its_audit_row(site_a):
    nurse, sender, seq = site_a.members[Role.NURSE], FakeSender(), last_seq()
    assert passwords.request_reset(DOOR, " Nurse@Alpha.example.org ", sender=sender, link_to=link_to, mail=MAIL)
    (message,) = sender.sent
    assert (message.to, message.subject, message.html) == (("nurse@alpha.example.org",), "Your password", None)
    assert message.text.startswith("Within 60 minutes: https://clinic.example.org/reset/")
    [row] = rows_after(seq)
    assert (row.actor, row.action, row.object_id, row.ip) == (
        "anonymous:req42",
        "reset_requested",
        str(nurse.user_id),
        DOOR.ip,
    )


@pytest.mark.usefixtures("site_a")
def test_no_link_and_no_row_for_an_unknown_address():
    sender, seq = FakeSender(), last_seq()
    assert not passwords.request_reset(DOOR, "nobody@alpha.example.org", sender=sender, link_to=link_to, mail=MAIL)
    assert sender.sent == []
    assert rows_after(seq) == []


def test_a_link_that_cannot_be_sent_leaves_no_row_saying_it_was(site_a):
    seq = last_seq()
    with pytest.raises(ConnectionRefusedError):
        passwords.request_reset(
            DOOR, site_a.members[Role.NURSE].user.email, sender=BrokenSender(), link_to=link_to, mail=MAIL
        )
    assert rows_after(seq) == []


def test_a_link_sets_a_new_password_once_with_its_audit_row(site_a):
    nurse, sender = site_a.members[Role.NURSE], FakeSender()
    passwords.request_reset(DOOR, nurse.user.email, sender=sender, link_to=link_to, mail=MAIL)
    uid, token = link_parts(sender.sent[0])
    assert passwords.reset_user(uid, token) == nurse.user
    seq = last_seq()
    user = passwords.reset_password(DOOR, uid, token, NewPassword(NEW, NEW))
    assert user.check_password(NEW)
    [row] = rows_after(seq)
    assert (row.action, row.object_id, row.request_id) == ("password_reset", str(nurse.user_id), "req42")
    assert passwords.reset_user(uid, token) is None
    with pytest.raises(NotFoundError):
        passwords.reset_password(DOOR, uid, token, NewPassword("x" + NEW, "x" + NEW))


@pytest.mark.parametrize(
    ("password", "again", "where"),
    [(NEW, NEW + "!", passwords.MISMATCH), ("short 1", "short 1", "password")],
)
def test_a_refused_new_password_changes_nothing_and_the_link_still_works(site_a, password, again, where):
    nurse = site_a.members[Role.NURSE]
    uid = urlsafe_base64_encode(force_bytes(nurse.user_id))
    token = default_token_generator.make_token(nurse.user)
    seq = last_seq()
    with pytest.raises(InvalidInputError) as refused:
        passwords.reset_password(DOOR, uid, token, NewPassword(password, again))
    assert wheres(refused)[0] == where
    assert rows_after(seq) == []
    assert passwords.reset_user(uid, token) is not None


@pytest.mark.parametrize("uid", ["!!!!", "enp6", urlsafe_base64_encode(force_bytes(987654))])
def test_a_garbled_link_is_not_valid(uid):
    assert passwords.reset_user(uid, "abc-def") is None
    with pytest.raises(NotFoundError, match="not valid"):
        passwords.reset_password(DOOR, uid, "abc-def", NewPassword(NEW, NEW))


def test_a_welcome_link_says_nothing_but_the_link(site_a):
    sender = FakeSender()
    mail = LinkMail("Your account", "Choose your password: %(link)s")
    passwords.send_password_link(sender, site_a.members[Role.FRONT_DESK].user, link_to, mail)
    (message,) = sender.sent
    assert message.to == ("front_desk@alpha.example.org",)
    assert re.fullmatch(r"Choose your password: https://clinic\.example\.org/reset/[^/]+/[^/]+/", message.text)


# --- changing one's own password ---


@pytest.mark.parametrize("role", list(Role))
def test_every_role_changes_its_own_password_with_its_audit_row(site_a, role):
    member, seq = site_a.members[role], last_seq()
    user = passwords.change_password(site_a.actor(role), PASSWORD, NewPassword(NEW, NEW))
    assert (user.pk, user.check_password(NEW)) == (member.user_id, True)
    [row] = rows_after(seq)
    assert (row.action, row.object_type, row.object_id, row.detail) == (
        "update",
        "staff",
        str(member.pk),
        {"password": "changed"},
    )


@pytest.mark.parametrize(
    ("current", "password", "again", "where"),
    [
        (PASSWORD, NEW, NEW + "!", passwords.MISMATCH),
        (PASSWORD, "password1234", "password1234", "password"),
    ],
)
def test_a_refused_change_changes_nothing(site_a, current, password, again, where):
    seq = last_seq()
    with pytest.raises(InvalidInputError) as refused:
        passwords.change_password(site_a.actor(Role.NURSE), current, NewPassword(password, again))
    assert wheres(refused)[0] == where
    assert rows_after(seq) == []
    site_a.members[Role.NURSE].user.refresh_from_db()
    assert site_a.members[Role.NURSE].user.check_password(PASSWORD)


def test_a_wrong_current_password_is_counted_audited_and_limited_like_sign_in(site_a, settings):
    nurse, seq = site_a.members[Role.NURSE], last_seq()
    actor = actor_for(nurse, "198.51.100.30", "req-change")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        with pytest.raises(InvalidInputError) as refused:
            passwords.change_password(actor, "not it", NewPassword(NEW, NEW))
        assert wheres(refused) == [passwords.WRONG_CURRENT]
    rows = rows_after(seq)
    assert {(r.action, r.outcome, r.ip, str(r.detail)) for r in rows} == {
        ("update", "failed", "198.51.100.30", "{'password': 'wrong current'}")
    }
    assert len(rows) == settings.LOGIN_FAILURE_LIMIT
    assert LoginFailure.objects.filter(key=f"pair:{nurse.user.email}|198.51.100.30").count() == len(rows)
    with pytest.raises(TooManyAttemptsError) as locked:  # even the right one, now
        passwords.change_password(actor, PASSWORD, NewPassword(NEW, NEW))
    assert locked.value.wait == settings.LOGIN_FAILURE_WINDOW_MINUTES * 60
    assert rows_after(rows[-1].pk)[0].detail == {"password": "locked"}
    assert sign_in.with_password(Actor.anonymous("198.51.100.30", "r"), nurse.user.email, PASSWORD).step is Step.LOCKED
    nurse.user.refresh_from_db()
    assert nurse.user.check_password(PASSWORD)


def test_the_account_page_shows_ones_own_membership(site_a):
    member = passwords.own_account(site_a.actor(Role.AESTHETICIAN))
    assert (member.pk, member.clinic.name) == (site_a.members[Role.AESTHETICIAN].pk, "Clinic Alpha")


# --- signing in ---


def test_a_wrong_password_is_refused_counted_and_audited(site_a):
    nurse, sessions, seq = site_a.members[Role.NURSE], Sessions(), last_seq()
    attempt = sign_in.with_password(DOOR, nurse.user.email, "not it")
    assert (attempt.step, attempt.member, sessions.made) == (Step.REFUSED, None, [])
    assert LoginFailure.objects.filter(key=f"user:{nurse.user.email}").count() == 1
    [row] = rows_after(seq)
    assert (row.action, row.outcome, row.ip, row.detail) == ("sign_in", "failed", DOOR.ip, {"stage": "password"})


@pytest.mark.parametrize("role", list(Role))
def test_a_right_password_alone_never_signs_in_every_role_sets_up_a_second_factor(site_a, role):
    member = site_a.members[role]
    sign_in.with_password(DOOR, member.user.email, "not it")
    seq = last_seq()
    attempt = sign_in.with_password(DOOR, member.user.email, PASSWORD)
    assert (attempt.step, attempt.member) == (Step.ENROL, member)
    assert rows_after(seq) == []
    assert LoginFailure.objects.filter(key=f"user:{member.user.email}").count() == 1  # cleared once signed in


def test_a_sign_in_whose_session_cannot_be_made_leaves_no_row(site_a):
    nurse, secret = site_a.members[Role.NURSE], pyotp.random_base32(32)
    sign_in.with_password(DOOR, nurse.user.email, "not it")
    seq = last_seq()
    with pytest.raises(RuntimeError):
        sign_in.with_new_second_factor(DOOR, nurse, secret, pyotp.TOTP(secret).now(), Sessions(fail=True))
    assert rows_after(seq) == []
    assert LoginFailure.objects.filter(key=f"user:{nurse.user.email}").count() == 1
    assert not StaffMember.objects.get(pk=nurse.pk).totp_secret


def test_an_owner_without_a_second_factor_is_sent_to_set_it_up(site_a):
    attempt = sign_in.with_password(DOOR, site_a.owner.user.email, PASSWORD)
    assert (attempt.step, attempt.member) == (Step.ENROL, site_a.owner)


def test_setting_the_second_factor_up_signs_in(site_a):
    owner, sessions, secret = site_a.owner, Sessions(), pyotp.random_base32(32)
    seq = last_seq()
    assert sign_in.with_new_second_factor(DOOR, owner, secret, "000000", sessions).step is Step.REFUSED
    assert rows_after(seq) == []
    attempt = sign_in.with_new_second_factor(DOOR, owner, secret, pyotp.TOTP(secret).now(), sessions)
    assert (attempt.step, sessions.made) == (Step.SIGNED_IN, [owner.user_id])
    assert [(r.action, r.detail) for r in rows_after(seq)] == [
        ("update", {"second_factor": "enrolled", "recovery_codes": 10}),
        ("sign_in", {}),
    ]


def test_a_member_with_a_second_factor_signs_in_with_a_code_used_once(site_a):
    nurse, sessions = site_a.members[Role.NURSE], Sessions()
    totp = with_totp(nurse)
    first = sign_in.with_password(DOOR, nurse.user.email, PASSWORD)
    assert (first.step, first.member, sessions.made) == (Step.CODE, nurse, [])
    code = totp.now()
    assert sign_in.with_code(DOOR, nurse, code, sessions).step is Step.SIGNED_IN
    seq = last_seq()
    assert sign_in.with_code(DOOR, nurse, code, sessions).step is Step.REFUSED
    [row] = rows_after(seq)
    assert (row.action, row.outcome, row.detail) == ("sign_in", "failed", {"stage": "second_factor"})
    assert sessions.made == [nurse.user_id]


def test_a_code_whose_session_cannot_be_made_is_not_used_up(site_a):
    nurse = site_a.members[Role.NURSE]
    code = with_totp(nurse).now()
    with pytest.raises(RuntimeError):
        sign_in.with_code(DOOR, nurse, code, Sessions(fail=True))
    nurse.refresh_from_db()
    assert nurse.totp_last_step is None
    assert sign_in.with_code(DOOR, nurse, code, Sessions()).step is Step.SIGNED_IN


def test_lock_out_stops_both_steps(site_a, settings):
    nurse, sessions = site_a.members[Role.NURSE], Sessions()
    with_totp(nurse)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in.with_password(DOOR, nurse.user.email, "not it")
    seq = last_seq()
    assert sign_in.with_password(DOOR, nurse.user.email, PASSWORD).step is Step.LOCKED
    assert sign_in.with_code(DOOR, nurse, pyotp.TOTP(nurse.totp_secret).now(), sessions).step is Step.LOCKED
    assert (rows_after(seq), sessions.made) == ([], [])


def test_signing_out_ends_the_session_with_its_audit_row(site_a):
    ended, seq = [], last_seq()
    sign_in.sign_out(site_a.actor(Role.FRONT_DESK), lambda: ended.append(True))
    [row] = rows_after(seq)
    assert (ended, row.action, row.object_type) == ([True], "sign_out", "session")
