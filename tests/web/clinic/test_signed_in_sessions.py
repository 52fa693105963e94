"""The account page lists one's signed-in sessions and can sign the others out (audited)."""

from __future__ import annotations

import pyotp
import pytest
import time_machine
from django.test import Client

from needlewise.domain.permissions import Role
from needlewise.storage.models import AuditEntry, StaffMember
from needlewise.web.signed_in_sessions import browser_summary
from web.clinic.support import PASSWORD, Site, session_exists, session_key, staff_client

pytestmark = pytest.mark.django_db

ACCOUNT = "/clinic/account/"
OTHERS = "/clinic/account/sign-out-others/"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def sign_in(member: StaffMember, address: str, agent: str) -> Client:
    """A real sign-in (password, then the code) from ``address`` with browser ``agent``."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    client.post("/clinic/sign-in/", {"email": member.user.username, "password": PASSWORD})
    response = client.post("/clinic/sign-in/code/", {"code": pyotp.TOTP(member.totp_secret).now()})
    assert response.status_code == 302, response.content.decode()
    return client


@pytest.fixture
def nurse(site_a: Site) -> StaffMember:
    member = site_a.members[Role.NURSE]
    member.totp_secret = pyotp.random_base32(32)
    member.save(update_fields=["totp_secret"])
    return member


def test_the_account_page_lists_ones_live_sessions_with_the_current_one_marked(site_a: Site, nurse):
    with time_machine.travel("2031-03-04 09:00:10Z", tick=False) as clock:
        laptop = sign_in(nurse, "198.51.100.70", FIREFOX)
        clock.shift(60)
        phone = sign_in(nurse, "203.0.113.71", PHONE)
        staff_client(site_a.members[Role.PROVIDER])  # someone else's session is not listed
        page = laptop.get(ACCOUNT).content.decode()
    assert page.count("<tr><td>") == 2
    assert all(shown in page for shown in ("Firefox · Linux", "Safari · iPhone", "198.51.100.70", "203.0.113.71"))
    assert page.index("(this session)") < page.index("203.0.113.71")  # the current one first
    assert not any(session_key(c) in page for c in (phone, laptop))  # keys are never shown
    assert "Sign out everywhere else" in page


def test_signing_out_everywhere_else_ends_the_other_sessions_only_and_is_audited(site_a: Site, nurse):
    with time_machine.travel("2031-03-04 09:00:10Z", tick=False) as clock:
        laptop = sign_in(nurse, "198.51.100.70", FIREFOX)
        clock.shift(60)  # a code is used once: the next sign-in needs the next one
        phone = sign_in(nurse, "203.0.113.71", PHONE)
        colleague = staff_client(site_a.members[Role.PROVIDER])
        response = laptop.post(OTHERS)
        shown = laptop.get(response["Location"]).content.decode()
        phone_page = phone.get(ACCOUNT)
        after = laptop.get(ACCOUNT).content.decode()
    assert response["Location"] == f"{ACCOUNT}?ended=1"
    assert "1 other session was signed out." in shown
    assert phone_page.status_code == 302  # back to sign-in
    assert session_exists(session_key(laptop))
    assert session_exists(session_key(colleague))
    row = AuditEntry.objects.order_by("-pk").first()
    assert (row.action, row.object_type, row.detail, row.actor) == (
        "sign_out",
        "session",
        {"others": 1},
        f"user:{nurse.user_id}",
    )
    assert "Sign out everywhere else" not in after  # no other session left


def test_idle_or_expired_sessions_are_not_listed_and_a_stray_count_is_ignored(nurse, settings):
    with time_machine.travel("2031-03-04 09:00:10Z", tick=False) as clock:
        sign_in(nurse, "198.51.100.70", FIREFOX)
        clock.shift(settings.IDLE_MINUTES * 60 + 1)
        laptop = sign_in(nurse, "198.51.100.72", FIREFOX)
        page = laptop.get(f"{ACCOUNT}?ended=lots").content.decode()
    assert page.count("<tr><td>") == 1
    assert "198.51.100.70" not in page
    assert "signed out" not in page


def test_signing_out_others_needs_a_signed_in_post(site_a: Site):
    assert Client().post(OTHERS).status_code == 302
    assert staff_client(site_a.members[Role.NURSE]).get(OTHERS).status_code == 405


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        (FIREFOX, "Firefox · Linux"),
        (PHONE, "Safari · iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0",
            "Edge · Windows",
        ),
        ("curl/8.5.0", ""),
    ],
)
def test_browser_summary(agent, summary):
    assert browser_summary(agent) == summary
