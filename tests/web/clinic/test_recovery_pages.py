"""Recovery codes on the pages: the code step takes one, the account page counts and renews them."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.test import Client

from clinic_factories import actor_for
from needlewise.clinic.sign_in import recovery_codes, second_factor
from needlewise.domain.permissions import Role
from needlewise.storage.models import AuditEntry, LoginFailure, StaffMember
from web.clinic.support import PASSWORD, Site, body, staff_client

pytestmark = pytest.mark.django_db

CODE = "/clinic/sign-in/code/"
RECOVERY_CODE = re.compile(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>")


def browser(lang: str = "en") -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=lang)


def enrolled(member: StaffMember) -> list[str]:
    secret = pyotp.random_base32(32)
    codes = second_factor.enrol_totp(member, secret, pyotp.TOTP(secret).now())
    assert codes is not None
    return codes


def at_the_code_step(member: StaffMember, lang: str = "en") -> Client:
    client = browser(lang)
    response = client.post("/clinic/sign-in/", {"email": member.user.username, "password": PASSWORD})
    assert response["Location"] == f"{CODE}?next=/clinic/"
    return client


def test_the_code_page_offers_a_recovery_code_in_place_of_the_app(site_a: Site):
    enrolled(site_a.members[Role.NURSE])
    client = at_the_code_step(site_a.members[Role.NURSE])
    page = body(client.get(CODE))
    assert "<summary>Lost your phone? Use a recovery code</summary>" in page
    assert 'id="f-recovery" name="code"' in page
    spanish = body(at_the_code_step(site_a.members[Role.NURSE], "es").get(CODE))
    assert "¿Has perdido el móvil? Usa un código de recuperación" in spanish


def test_a_recovery_code_signs_in_once_and_the_account_page_says_how_many_are_left(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    codes = enrolled(nurse)
    client = at_the_code_step(nurse)
    response = client.post(CODE, {"code": codes[0].upper(), "next": "/clinic/"})
    assert response["Location"] == "/clinic/account/?recovery_used=1"
    account = body(client.get(response["Location"]))
    assert "You signed in with a recovery code. 9 codes are left" in account
    assert "9 unused recovery codes." in account

    again = at_the_code_step(nurse).post(CODE, {"code": codes[0], "next": "/clinic/"})
    assert again.status_code == 401
    assert "or an unused recovery code" in body(again)
    assert LoginFailure.objects.filter(key=f"user:{nurse.user.username}").count() == 1


def test_the_last_but_one_code_is_counted_in_the_singular(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    codes = enrolled(nurse)
    for code in codes[:8]:
        assert recovery_codes.use(nurse, code)
    client = at_the_code_step(nurse)
    response = client.post(CODE, {"code": codes[8]})
    account = body(client.get(response["Location"]))
    assert "You signed in with a recovery code. 1 code is left" in account
    assert "1 unused recovery code." in account


def test_new_codes_from_the_account_page_are_shown_once_and_void_the_old_ones(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    old = enrolled(nurse)
    client = staff_client(nurse)
    account = body(client.get("/clinic/account/"))
    assert "10 unused recovery codes." in account
    assert 'action="/clinic/account/recovery-codes/"' in account
    response = client.post("/clinic/account/recovery-codes/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    new = RECOVERY_CODE.findall(body(response))
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    assert 'class="secondary copy-button" data-copy="recovery-codes"' in body(response)
    assert 'href="/clinic/account/">I have kept them: continue' in body(response)
    assert not recovery_codes.use(nurse, old[0])
    assert recovery_codes.use(nurse, new[0])
    row = AuditEntry.objects.filter(detail__recovery_codes="regenerated").get()
    assert row.actor == f"user:{nurse.user_id}"


def test_without_a_second_factor_there_are_no_codes_to_renew(site_a: Site):
    client = staff_client(site_a.members[Role.NURSE])
    assert "Make new recovery codes" not in body(client.get("/clinic/account/"))
    assert client.post("/clinic/account/recovery-codes/")["Location"] == "/clinic/account/"


def test_the_codes_page_is_in_spanish(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    enrolled(nurse)
    response = staff_client(nurse).post("/clinic/account/recovery-codes/", HTTP_ACCEPT_LANGUAGE="es")
    assert "Tus códigos de recuperación" in body(response)
    assert recovery_codes.own_left(actor_for(nurse)) == 10


def test_an_owner_signed_in_with_a_recovery_code_is_not_sent_to_themself(site_a: Site):
    owner = site_a.owner
    codes = enrolled(owner)
    client = at_the_code_step(owner)
    account = body(client.get(client.post(CODE, {"code": codes[0]})["Location"]))
    assert "9 codes are left: if your phone is lost, make new codes below" in account
    assert "only another owner of the clinic can reset" in account
    assert "ask the clinic's owner" not in account
