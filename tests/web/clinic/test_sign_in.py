"""Staff sign-in (T7/T11/T12): one message for every failure, lock-out, the second factor, ``next``."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

import pyotp
import pytest
import time_machine
from django.conf import settings
from django.test import Client

from needlewise.domain.permissions import Role
from needlewise.storage.models import AuditEntry, LoginFailure, StaffMember
from web.clinic.support import (
    PASSWORD,
    Site,
    plain_user,
    session_exists,
    session_key,
    signed_in,
    staff_client,
    without_tokens,
)

pytestmark = pytest.mark.django_db

SIGN_IN, CODE, ENROL = "/clinic/sign-in/", "/clinic/sign-in/code/", "/clinic/sign-in/second-factor/"
WRONG = "The e-mail address or the password is not right."
LOCKED = "Too many failed attempts. Wait a few minutes, then try again."
RECOVERY_CODE = re.compile(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>")
NOON = datetime(2031, 3, 4, 12, 0, 10, tzinfo=UTC)  # 10 s into a 30-second TOTP step


def browser() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def post_password(client: Client, member: StaffMember, password: str = PASSWORD, next_: str | None = None, **extra):
    data = {"email": member.user.username, "password": password}
    if next_ is not None:
        data["next"] = next_
    return client.post(SIGN_IN, data, **extra)


def is_signed_in(client: Client) -> bool:
    return client.get("/clinic/account/").status_code == 200


def with_totp(member: StaffMember) -> str:
    member.totp_secret = pyotp.random_base32(32)
    member.save(update_fields=["totp_secret"])
    return member.totp_secret


def shown_secret(page: str) -> str:
    found = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page)
    assert found, "the enrol page shows the key to type"
    return found.group(1).replace(" ", "")


# --- the password step ---


def test_the_sign_in_page_offers_the_form_and_a_reset_link(client):
    page = client.get(SIGN_IN).content.decode()
    assert 'name="password"' in page
    assert 'href="/clinic/password-reset/"' in page
    assert "signed out after a period of inactivity" not in page


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("timed_out=1", "You were signed out after a period of inactivity."),
        ("signed_out=1", "You are signed out."),
        ("reset=1", "Your password is changed. Sign in with it."),
    ],
)
def test_the_sign_in_page_explains_why_it_is_shown(client, query, notice):
    assert notice in client.get(f"{SIGN_IN}?{query}").content.decode()


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    real = post_password(browser(), nurse, "not the password")
    unknown = browser().post(SIGN_IN, {"email": "nobody@alpha.example.org", "password": "not the password"})
    assert real.status_code == unknown.status_code == 401
    assert WRONG in real.content.decode()
    same = [
        without_tokens(r.content.decode()).replace(e, "E")
        for r, e in ((real, nurse.user.username), (unknown, "nobody@alpha.example.org"))
    ]
    assert same[0] == same[1]


def test_a_failed_sign_in_is_counted_and_audited_without_the_address(site_a: Site):
    post_password(browser(), site_a.members[Role.NURSE], "wrong", REMOTE_ADDR="198.51.100.4")
    keys = set(LoginFailure.objects.values_list("key", flat=True))
    assert keys == {"user:nurse@alpha.example.org", "ip:198.51.100.4", "pair:nurse@alpha.example.org|198.51.100.4"}
    last = AuditEntry.objects.order_by("-pk").first()
    assert (last.action, last.outcome, last.ip, last.detail) == (
        "sign_in",
        "failed",
        "198.51.100.4",
        {"stage": "password"},
    )
    assert "nurse@alpha" not in str(last.detail) + last.actor


@pytest.mark.usefixtures("site_a")
@pytest.mark.parametrize("email", ["Nurse@alpha.example.org\x00", "n" * 300 + "@alpha.example.org"])
def test_an_address_no_account_can_have_is_refused_and_counted_by_its_digest(email: str):
    # a NUL cannot even be compared on PostgreSQL (a 500), a long address does not fit the counting key
    response = browser().post(SIGN_IN, {"email": email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 401
    assert WRONG in response.content.decode()
    account = "sha256:" + hashlib.sha256(email.casefold().encode()).hexdigest()
    keys = set(LoginFailure.objects.values_list("key", flat=True))
    assert keys == {f"user:{account}", "ip:198.51.100.4", f"pair:{account}|198.51.100.4"}


def test_an_account_that_is_not_staff_cannot_sign_in():
    user = plain_user()
    response = browser().post(SIGN_IN, {"email": user.username, "password": PASSWORD})
    assert response.status_code == 401
    assert WRONG in response.content.decode()


def test_a_deactivated_account_gets_the_same_answer_as_a_wrong_password(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    nurse.user.is_active = False
    nurse.user.save(update_fields=["is_active"])
    response = post_password(browser(), nurse)
    assert response.status_code == 401
    assert WRONG in response.content.decode()


@pytest.mark.usefixtures("site_a")
def test_the_address_is_matched_whatever_its_case_and_spacing():
    client = browser()
    response = client.post(SIGN_IN, {"email": "  NURSE@Alpha.Example.org ", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, f"{ENROL}?next=/clinic/")
    assert "<svg" in client.get(ENROL).content.decode()  # the password was right: on to the second factor


def test_a_signed_in_person_opening_the_sign_in_page_goes_on_to_next(site_a: Site):
    client = staff_client(site_a.members[Role.NURSE])
    response = client.get(f"{SIGN_IN}?next=/clinic/clients/")
    assert (response.status_code, response["Location"]) == (302, "/clinic/clients/")


def test_a_session_without_the_verified_mark_is_not_signed_in(site_a: Site):
    client = browser()
    client.force_login(site_a.members[Role.NURSE].user)
    session = client.session
    session["nw_seen"] = session["nw_signed_in_at"] = time.time()  # fresh, but nw_verified never set
    session.save()
    response = client.get("/clinic/")
    assert (response.status_code, response["Location"]) == (302, "/clinic/sign-in/?next=%2Fclinic%2F")


def test_a_verified_session_of_an_account_that_is_not_staff_is_not_signed_in():
    client = browser()
    signed_in(client, SimpleNamespace(user=plain_user()))
    assert client.get("/clinic/").status_code == 302


# --- lock-out ---


def test_wrong_passwords_from_one_address_lock_that_address_out_of_that_account_only(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    with time_machine.travel(NOON, tick=False) as clock:
        for n in range(settings.LOGIN_FAILURE_LIMIT):
            assert post_password(browser(), nurse, f"wrong {n}", REMOTE_ADDR="198.51.100.4").status_code == 401
        response = post_password(browser(), nurse, REMOTE_ADDR="198.51.100.4")
        assert response.status_code == 429
        assert int(response["Retry-After"]) == settings.LOGIN_FAILURE_WINDOW_MINUTES * 60
        assert LOCKED in response.content.decode()
        clock.shift(timedelta(seconds=1))  # the account itself is only slowed, for a second
        client = browser()
        assert post_password(client, nurse, REMOTE_ADDR="192.0.2.200")["Location"] == f"{ENROL}?next=/clinic/"


def test_guesses_from_many_addresses_slow_the_account_and_the_right_password_still_gets_in(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    with time_machine.travel(NOON, tick=False) as clock:
        waits = []
        for n in range(settings.LOGIN_ACCOUNT_SLOW_AFTER + 3):  # each guess as soon as it may, from a new address
            assert post_password(browser(), nurse, f"wrong {n}", REMOTE_ADDR=f"198.51.100.{n}").status_code == 401
            too_soon = post_password(browser(), nurse, REMOTE_ADDR="192.0.2.200")
            waits.append(int(too_soon.get("Retry-After", 0)))
            clock.shift(timedelta(seconds=waits[-1]))
        assert waits == [0] * 9 + [1, 2, 4, 8]  # the right password too waits, a growing delay
        assert post_password(browser(), nurse, REMOTE_ADDR="192.0.2.200")["Location"] == f"{ENROL}?next=/clinic/"


def test_the_eleventh_attempt_from_one_address_is_refused_for_any_account(site_a: Site):
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        response = browser().post(
            SIGN_IN, {"email": f"guess{n}@alpha.example.org", "password": "x"}, REMOTE_ADDR="198.51.100.7"
        )
        assert response.status_code == 401
    nurse = site_a.members[Role.NURSE]
    assert post_password(browser(), nurse, REMOTE_ADDR="198.51.100.7").status_code == 429
    spoofed = post_password(browser(), nurse, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert spoofed.status_code == 429
    assert post_password(browser(), nurse, REMOTE_ADDR="198.51.100.8").status_code == 302


def test_a_forwarded_for_header_does_not_spread_failures_over_addresses(site_a: Site):
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        browser().post(
            SIGN_IN,
            {"email": f"guess{n}@alpha.example.org", "password": "x"},
            REMOTE_ADDR="198.51.100.9",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    assert set(LoginFailure.objects.filter(key__startswith="ip:").values_list("key", flat=True)) == {"ip:198.51.100.9"}
    assert post_password(browser(), site_a.members[Role.NURSE], REMOTE_ADDR="198.51.100.9").status_code == 429


def test_the_lock_lifts_when_the_window_has_passed(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    with time_machine.travel(NOON, tick=False) as clock:
        for n in range(settings.LOGIN_FAILURE_LIMIT):
            post_password(browser(), nurse, f"wrong {n}")
        clock.shift(timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES) - timedelta(seconds=1))
        assert post_password(browser(), nurse).status_code == 429
        clock.shift(timedelta(seconds=2))
        client = browser()
        assert post_password(client, nurse)["Location"] == f"{ENROL}?next=/clinic/"
        secret = shown_secret(client.get(ENROL).content.decode())
        assert "Your recovery codes" in client.post(ENROL, {"code": pyotp.TOTP(secret).now()}).content.decode()
        assert is_signed_in(client)
    assert not LoginFailure.objects.filter(key="user:nurse@alpha.example.org").exists()  # cleared by the sign-in


def test_wrong_codes_count_towards_the_lock_too(site_a: Site):
    provider = site_a.members[Role.PROVIDER]
    secret = with_totp(provider)
    with time_machine.travel(NOON, tick=False):
        client = browser()
        post_password(client, provider)
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            assert client.post(CODE, {"code": "000000"}).status_code == 401
        response = client.post(CODE, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not is_signed_in(client)


# --- the second factor ---


@pytest.mark.parametrize("role", list(Role))
def test_every_role_without_a_second_factor_must_set_it_up(site_a: Site, role):
    member, client = site_a.members[role], browser()
    response = post_password(client, member)
    assert (response.status_code, response["Location"]) == (302, f"{ENROL}?next=/clinic/")
    assert not is_signed_in(client)
    page = client.get(ENROL).content.decode()
    assert "<svg" in page
    assert "a code from an authenticator app is required at every sign-in" in page
    assert "health records" not in page  # required for every role, whatever it sees
    secret = shown_secret(page)
    assert shown_secret(client.get(ENROL).content.decode()) == secret  # the same key until it is confirmed

    wrong = client.post(ENROL, {"code": "123456", "next": "/clinic/"})
    assert wrong.status_code == 422
    assert "That code does not match" in wrong.content.decode()
    assert not is_signed_in(client)

    right = client.post(ENROL, {"code": pyotp.TOTP(secret).now(), "next": "/clinic/"})
    assert right.status_code == 200  # the recovery codes, shown once, then on to next
    shown = right.content.decode()
    assert len(RECOVERY_CODE.findall(shown)) == 10
    assert '<a class="button primary" href="/clinic/">I have kept them: continue</a>' in shown
    assert right["Cache-Control"] == "no-store"
    assert is_signed_in(client)
    assert StaffMember.objects.get(pk=member.pk).totp_secret == secret
    last = AuditEntry.objects.order_by("-pk").first()
    assert (last.actor, last.action, last.outcome) == (f"user:{member.user_id}", "sign_in", "success")


def test_a_second_factor_that_is_set_up_is_asked_for_and_each_code_works_once(site_a: Site):
    provider = site_a.members[Role.PROVIDER]
    secret = with_totp(provider)
    with time_machine.travel(NOON, tick=False) as clock:
        client = browser()
        response = post_password(client, provider)
        assert (response.status_code, response["Location"]) == (302, f"{CODE}?next=/clinic/")
        assert not is_signed_in(client)
        assert 'name="code"' in client.get(CODE).content.decode()

        wrong = client.post(CODE, {"code": "000000", "next": "/clinic/"})
        assert wrong.status_code == 401
        assert "That code is not right, or was already used." in wrong.content.decode()
        assert not is_signed_in(client)

        code = pyotp.TOTP(secret).now()
        right = client.post(CODE, {"code": code, "next": "/clinic/"})
        assert (right.status_code, right["Location"]) == (302, "/clinic/")
        assert is_signed_in(client)

        again = browser()
        post_password(again, provider)
        assert again.post(CODE, {"code": code}).status_code == 401  # the same code, the same 30 seconds
        assert not is_signed_in(again)
        clock.shift(timedelta(seconds=30))
        assert again.post(CODE, {"code": pyotp.TOTP(secret).now()}).status_code == 302
        assert is_signed_in(again)


def test_the_code_step_without_a_password_step_goes_back_to_sign_in():
    client = browser()
    assert client.get(CODE)["Location"] == SIGN_IN
    assert client.post(CODE, {"code": "123456"})["Location"] == SIGN_IN
    assert client.get(ENROL)["Location"] == SIGN_IN


def test_a_pending_second_factor_older_than_five_minutes_goes_back_to_sign_in(site_a: Site):
    provider = site_a.members[Role.PROVIDER]
    secret = with_totp(provider)
    with time_machine.travel(NOON, tick=False) as clock:
        client = browser()
        post_password(client, provider)
        clock.shift(timedelta(seconds=299))
        assert client.get(CODE).status_code == 200
        clock.shift(timedelta(seconds=2))
        assert client.get(CODE)["Location"] == SIGN_IN
        response = client.post(CODE, {"code": pyotp.TOTP(secret).now()})
    assert (response.status_code, response["Location"]) == (302, SIGN_IN)
    assert not is_signed_in(client)


def test_a_pending_enrolment_older_than_five_minutes_goes_back_to_sign_in(site_a: Site):
    with time_machine.travel(NOON, tick=False) as clock:
        client = browser()
        post_password(client, site_a.owner)
        secret = shown_secret(client.get(ENROL).content.decode())
        clock.shift(timedelta(seconds=301))
        response = client.post(ENROL, {"code": pyotp.TOTP(secret).now()})
    assert (response.status_code, response["Location"]) == (302, SIGN_IN)
    assert not StaffMember.objects.get(pk=site_a.owner.pk).totp_secret


def test_a_nurse_signed_in_without_one_can_turn_on_the_second_factor_from_the_account_page(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    client = staff_client(nurse)
    account = client.get("/clinic/account/").content.decode()
    assert "Off." in account
    assert f'href="{ENROL}"' in account
    page = client.get(ENROL).content.decode()
    assert "<svg" in page
    assert "is required at every sign-in" in page
    secret = shown_secret(page)
    assert client.post(ENROL, {"code": "12345"}).status_code == 422
    response = client.post(ENROL, {"code": pyotp.TOTP(secret).now()})
    assert len(RECOVERY_CODE.findall(response.content.decode())) == 10
    assert 'href="/clinic/account/?enrolled=1"' in response.content.decode()
    done = client.get("/clinic/account/?enrolled=1").content.decode()
    assert "Two-step sign-in is on." in done
    assert "every sign-in asks for a code" in done

    later = browser()
    assert post_password(later, nurse)["Location"] == f"{CODE}?next=/clinic/"


def test_the_password_alone_cannot_replace_an_existing_second_factor(site_a: Site):
    provider = site_a.members[Role.PROVIDER]
    secret = with_totp(provider)
    client = browser()
    post_password(client, provider)
    response = client.get(ENROL)
    if response.status_code == 200:
        client.post(ENROL, {"code": pyotp.TOTP(shown_secret(response.content.decode())).now()})
    assert StaffMember.objects.get(pk=provider.pk).totp_secret == secret
    assert not is_signed_in(client)


# --- the session key and next ---


def test_the_session_key_changes_at_sign_in(site_a: Site):
    client = browser()
    session = client.session
    session["before"] = "sign-in"
    session.save()
    before = session_key(client)
    post_password(client, site_a.members[Role.NURSE])
    after = session_key(client)
    assert before
    assert after
    assert before != after
    assert not session_exists(before)
    assert session_exists(after)


def test_the_session_key_changes_at_each_step_of_a_two_step_sign_in(site_a: Site):
    provider = site_a.members[Role.PROVIDER]
    secret = with_totp(provider)
    client = browser()
    session = client.session
    session.save()
    keys = [session_key(client)]
    post_password(client, provider)
    keys.append(session_key(client))
    client.post(CODE, {"code": pyotp.TOTP(secret).now()})
    keys.append(session_key(client))
    assert len(set(keys)) == 3
    assert [session_exists(k) for k in keys] == [False, False, True]
    assert is_signed_in(client)


@pytest.mark.parametrize(
    ("next_", "lands_on"),
    [
        ("/clinic/clients/", "/clinic/clients/"),
        ("/clinic/clients/?q=zeph", "/clinic/clients/?q=zeph"),
        ("https://evil.example/clinic/", "/clinic/"),
        ("//evil.example/clinic/", "/clinic/"),
        ("/\\evil.example/clinic/", "/clinic/"),
        ("/assess/", "/clinic/"),
        ("", "/clinic/"),
    ],
)
def test_next_is_followed_only_within_the_clinic_pages(site_a: Site, next_, lands_on):
    nurse, client = site_a.members[Role.NURSE], browser()
    secret = with_totp(nurse)
    code_page = post_password(client, nurse, next_=next_)["Location"]
    response = client.post(code_page, {"code": pyotp.TOTP(secret).now()})
    assert (response.status_code, response["Location"]) == (302, lands_on)


def test_next_from_the_address_bar_survives_the_sign_in_page():
    client = browser()
    first = client.get("/clinic/clients/")
    assert first["Location"] == f"{SIGN_IN}?{urlencode({'next': '/clinic/clients/'})}"
    page = client.get(first["Location"]).content.decode()
    assert 'name="next" value="/clinic/clients/"' in page


def test_next_survives_the_second_factor(site_a: Site):
    provider = site_a.members[Role.PROVIDER]
    secret = with_totp(provider)
    client = browser()
    step = post_password(client, provider, next_="/clinic/intake/")["Location"]
    assert step == f"{CODE}?next=/clinic/intake/"
    assert 'name="next" value="/clinic/intake/"' in client.get(step).content.decode()
    response = client.post(step, {"code": pyotp.TOTP(secret).now(), "next": "/clinic/intake/"})
    assert response["Location"] == "/clinic/intake/"


def test_a_next_with_several_query_parameters_survives_the_second_factor(site_a: Site):
    provider = site_a.members[Role.PROVIDER]
    secret = with_totp(provider)
    client = browser()
    target = "/clinic/clients/?q=zeph&phone=555"
    step = post_password(client, provider, next_=target)["Location"]
    response = client.get(step)
    assert f'name="next" value="{target.replace("&", "&amp;")}"' in response.content.decode()
    assert client.post(step, {"code": pyotp.TOTP(secret).now()})["Location"] == target


def test_guessing_the_current_password_on_the_account_page_is_limited_like_sign_in(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    client = staff_client(nurse)
    new = {"password": "a brand new passphrase 77", "password_again": "a brand new passphrase 77"}
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        response = client.post("/clinic/account/", {"current": f"guess {n}", **new}, REMOTE_ADDR="198.51.100.31")
        assert response.status_code == 422
        assert "Your current password is not right." in response.content.decode()
    response = client.post("/clinic/account/", {"current": PASSWORD, **new}, REMOTE_ADDR="198.51.100.31")
    assert (response.status_code, response["Retry-After"]) == (429, str(settings.LOGIN_FAILURE_WINDOW_MINUTES * 60))
    assert LOCKED in response.content.decode()
    failed = AuditEntry.objects.filter(action="update", outcome="failed", detail={"password": "wrong current"})
    assert failed.count() == settings.LOGIN_FAILURE_LIMIT
    assert StaffMember.objects.get(pk=nurse.pk).user.check_password(PASSWORD)
