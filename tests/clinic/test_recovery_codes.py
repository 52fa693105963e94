"""Recovery codes: made with the second factor, stored hashed, each used once, renewed, counted by the lock-out."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.contrib.auth.hashers import check_password

from clinic.support import PASSWORD, last_seq, rows_after
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import staff
from needlewise.clinic.sign_in import recovery_codes, second_factor, sign_in
from needlewise.clinic.sign_in.sign_in import Step
from needlewise.domain.permissions import Role
from needlewise.errors import ConflictError
from needlewise.storage.models import LoginFailure, RecoveryCode, StaffMember

pytestmark = pytest.mark.django_db

DOOR = Actor.anonymous("198.51.100.20", "req7")
SHOWN = re.compile(r"[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}")


class Sessions:
    """The edge's part of signing in, as the use case sees it: the members whose session was made."""

    def __init__(self) -> None:
        self.made: list[int] = []

    def __call__(self, member: StaffMember) -> None:
        self.made.append(member.user_id)


def enrolled(member: StaffMember) -> list[str]:
    secret = pyotp.random_base32(32)
    codes = second_factor.enrol_totp(member, secret, pyotp.TOTP(secret).now())
    assert codes is not None
    return codes


def test_setting_up_the_second_factor_makes_ten_codes_kept_only_as_hashes(site_a):
    nurse, seq = site_a.members[Role.NURSE], last_seq()
    codes = enrolled(nurse)
    assert len(codes) == len(set(codes)) == recovery_codes.COUNT
    assert all(SHOWN.fullmatch(code) for code in codes)
    rows = list(RecoveryCode.objects.filter(staff=nurse))
    assert len(rows) == recovery_codes.COUNT
    plain = {code.replace("-", "") for code in codes}
    for row in rows:
        assert row.code_hash not in plain
        assert not any(code in row.code_hash for code in plain)
        assert str(row) == "recovery code (unused)"
    assert all(any(check_password(code, row.code_hash) for row in rows) for code in plain)
    [row] = rows_after(seq)
    assert row.detail == {"second_factor": "enrolled", "recovery_codes": 10}


def test_with_argon2_the_codes_are_hashed_at_owasps_minimum_settings(site_a, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    nurse = site_a.members[Role.NURSE]
    codes = enrolled(nurse)
    hashes = list(RecoveryCode.objects.filter(staff=nurse).values_list("code_hash", flat=True))
    assert all(h.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$") for h in hashes)
    assert recovery_codes.use(nurse, codes[0])
    assert not recovery_codes.use(nurse, codes[0])


def test_a_wrong_first_code_makes_no_recovery_codes(site_a):
    nurse = site_a.members[Role.NURSE]
    assert second_factor.enrol_totp(nurse, pyotp.random_base32(32), "000000") is None
    assert not RecoveryCode.objects.filter(staff=nurse).exists()


def test_each_code_works_once_whatever_its_case_and_spacing_and_is_audited(site_a):
    nurse = site_a.members[Role.NURSE]
    codes = enrolled(nurse)
    seq = last_seq()
    assert recovery_codes.use(nurse, f"  {codes[3].upper().replace('-', ' ')} ")
    [row] = rows_after(seq)
    assert (row.actor, row.actor_role, row.action, row.detail) == (
        f"user:{nurse.user_id}",
        "nurse",
        "update",
        {"recovery_code": "used", "left": 9},
    )
    assert not recovery_codes.use(nurse, codes[3])
    assert recovery_codes.left(nurse) == 9
    assert str(RecoveryCode.objects.exclude(used_at=None).get()) == "recovery code (used)"


@pytest.mark.parametrize("typed", ["", "abcd", "abcd-efgh-jkmn", "abcd-efgh-jkmn-pqrs", "123456"])
def test_anything_but_an_unused_code_is_refused(site_a, typed):
    nurse = site_a.members[Role.NURSE]
    enrolled(nurse)
    seq = last_seq()
    assert not recovery_codes.use(nurse, typed)
    assert rows_after(seq) == []
    assert recovery_codes.left(nurse) == recovery_codes.COUNT


def test_one_persons_code_does_not_work_for_another(site_a):
    nurse, provider = site_a.members[Role.NURSE], site_a.members[Role.PROVIDER]
    codes = enrolled(nurse)
    enrolled(provider)
    assert not recovery_codes.use(provider, codes[0])
    assert recovery_codes.use(nurse, codes[0])


def test_new_codes_void_the_old_ones_and_are_audited(site_a):
    nurse = site_a.members[Role.NURSE]
    old = enrolled(nurse)
    actor = site_a.actor(Role.NURSE)
    seq = last_seq()
    new = recovery_codes.regenerate(actor)
    assert set(new).isdisjoint(old)
    assert rows_after(seq)[-1].detail == {"recovery_codes": "regenerated"}
    assert recovery_codes.own_left(actor) == recovery_codes.COUNT
    assert not recovery_codes.use(nurse, old[0])
    assert recovery_codes.use(nurse, new[0])
    assert recovery_codes.own_left(actor) == recovery_codes.COUNT - 1


def test_no_codes_without_a_second_factor(site_a):
    with pytest.raises(ConflictError):
        recovery_codes.regenerate(site_a.actor(Role.NURSE))
    assert not RecoveryCode.objects.exists()


def test_resetting_a_lost_second_factor_removes_the_codes(site_a):
    nurse = site_a.members[Role.NURSE]
    codes = enrolled(nurse)
    staff.reset_second_factor(site_a.actor(Role.OWNER), nurse.pk)
    assert not RecoveryCode.objects.filter(staff=nurse).exists()
    assert not recovery_codes.use(nurse, codes[0])


def test_a_recovery_code_stands_in_for_the_totp_code_at_sign_in(site_a):
    nurse, sessions = site_a.members[Role.NURSE], Sessions()
    codes = enrolled(nurse)
    assert sign_in.with_password(DOOR, nurse.user.email, PASSWORD).step is Step.CODE
    seq = last_seq()
    attempt = sign_in.with_code(DOOR, nurse, codes[0], sessions)
    assert (attempt.step, attempt.recovery, sessions.made) == (Step.SIGNED_IN, True, [nurse.user_id])
    assert [(r.action, r.detail) for r in rows_after(seq)] == [
        ("update", {"recovery_code": "used", "left": 9}),
        ("sign_in", {}),
    ]
    again = sign_in.with_code(DOOR, nurse, codes[0], sessions)
    assert (again.step, again.recovery) == (Step.REFUSED, False)


def test_wrong_recovery_codes_count_towards_the_lock_out(site_a, settings):
    nurse, sessions = site_a.members[Role.NURSE], Sessions()
    codes = enrolled(nurse)
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        assert sign_in.with_code(DOOR, nurse, f"wxyz-wxyz-wxy{n + 2}", sessions).step is Step.REFUSED
    assert LoginFailure.objects.filter(key=f"user:{nurse.user.email}").count() == settings.LOGIN_FAILURE_LIMIT
    assert sign_in.with_code(DOOR, nurse, codes[0], sessions).step is Step.LOCKED
    assert sessions.made == []
    assert recovery_codes.left(nurse) == recovery_codes.COUNT  # the lock-out spent no code


def test_setting_up_at_sign_in_hands_the_codes_to_the_edge(site_a):
    owner, sessions, secret = site_a.owner, Sessions(), pyotp.random_base32(32)
    attempt = sign_in.with_new_second_factor(DOOR, owner, secret, pyotp.TOTP(secret).now(), sessions)
    assert attempt.step is Step.SIGNED_IN
    assert len(attempt.codes) == recovery_codes.COUNT
    assert recovery_codes.use(owner, attempt.codes[-1])
