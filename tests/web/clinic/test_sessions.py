"""Staff sessions (T6/T8/T9): time-outs, sign-out, sessions ended by the server, headers, CSRF."""

from __future__ import annotations

import importlib.util
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings

import needlewise.web.settings as settings_module
from needlewise.domain.permissions import Role
from needlewise.storage.models import AuditEntry, Clearance
from needlewise.storage.models import Client as ClientRow
from web.clinic.support import (
    PASSWORD,
    SESSION_COOKIE,
    Site,
    session_exists,
    session_key,
    staff_client,
)

pytestmark = pytest.mark.django_db

START = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)


def browser(**defaults) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", **defaults)


def sign_in_url(next_: str, *, timed_out: bool = False) -> str:
    query = {"next": next_, **({"timed_out": "1"} if timed_out else {})}
    return f"/clinic/sign-in/?{urlencode(query)}"


# --- time-outs ---


def test_an_idle_session_ends_on_the_server_and_says_why(site_a: Site):
    with time_machine.travel(START, tick=False) as clock:
        client = staff_client(site_a.members[Role.NURSE])
        key = session_key(client)
        clock.shift(timedelta(minutes=settings.IDLE_MINUTES, seconds=1))
        response = client.get("/clinic/clients/")
        assert (response.status_code, response["Location"]) == (302, sign_in_url("/clinic/clients/", timed_out=True))
        assert not session_exists(key)
        page = client.get(response["Location"]).content.decode()
    assert "You were signed out after a period of inactivity." in page
    assert 'name="next" value="/clinic/clients/"' in page


def test_a_session_used_just_within_the_idle_limit_goes_on(site_a: Site):
    with time_machine.travel(START, tick=False) as clock:
        client = staff_client(site_a.members[Role.NURSE])
        for _ in range(3):
            clock.shift(timedelta(minutes=settings.IDLE_MINUTES) - timedelta(seconds=1))
            assert client.get("/clinic/account/").status_code == 200


def test_regular_activity_still_ends_the_session_after_the_absolute_limit(site_a: Site):
    with time_machine.travel(START, tick=False) as clock:
        client = staff_client(site_a.members[Role.NURSE])
        key = session_key(client)
        steps = settings.SESSION_HOURS * 6  # one request every 10 minutes
        for _ in range(steps):
            clock.shift(timedelta(minutes=10))
            assert client.get("/clinic/account/").status_code == 200  # exactly SESSION_HOURS at the last one
        clock.shift(timedelta(minutes=10))
        response = client.get("/clinic/account/")
    assert (response.status_code, response["Location"]) == (302, sign_in_url("/clinic/account/", timed_out=True))
    assert not session_exists(key)
    assert not session_exists(session_key(client))


def test_public_pages_do_not_count_as_staff_activity(site_a: Site):
    with time_machine.travel(START, tick=False) as clock:
        client = staff_client(site_a.members[Role.NURSE])
        for _ in range(2):
            clock.shift(timedelta(minutes=settings.IDLE_MINUTES - 5))
            assert client.get("/clinics/").status_code == 200
        assert client.get("/clinic/")["Location"] == sign_in_url("/clinic/", timed_out=True)


# --- sign-out ---


def test_sign_out_is_post_only(site_a: Site):
    client = staff_client(site_a.members[Role.NURSE])
    assert client.get("/clinic/sign-out/").status_code == 405
    assert client.get("/clinic/").status_code == 200


def test_sign_out_ends_the_session_on_the_server(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    client = staff_client(nurse)
    key = session_key(client)
    response = client.post("/clinic/sign-out/")
    assert (response.status_code, response["Location"]) == (302, "/clinic/sign-in/?signed_out=1")
    assert "You are signed out." in client.get(response["Location"]).content.decode()
    assert not session_exists(key)
    last = AuditEntry.objects.filter(action="sign_out").get()
    assert last.actor == f"user:{nurse.user_id}"

    replay = browser()
    replay.cookies[SESSION_COOKIE] = key
    assert replay.get("/clinic/")["Location"] == sign_in_url("/clinic/")


def test_signing_out_without_a_session_just_goes_to_sign_in():
    response = browser().post("/clinic/sign-out/")
    assert (response.status_code, response["Location"]) == (302, "/clinic/sign-in/?signed_out=1")
    assert not AuditEntry.objects.filter(action="sign_out").exists()


def test_deactivating_a_colleague_ends_their_sessions(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    theirs = staff_client(nurse)
    assert theirs.get("/clinic/").status_code == 200
    owner = staff_client(site_a.owner)
    response = owner.post(f"/clinic/staff/{nurse.pk}/active/", {"active": "0"})
    assert (response.status_code, response["Location"]) == (302, "/clinic/staff/")
    assert theirs.get("/clinic/")["Location"] == sign_in_url("/clinic/")
    refused = browser().post("/clinic/sign-in/", {"email": nurse.user.username, "password": PASSWORD})
    assert refused.status_code == 401
    assert "Reactivate" in owner.get("/clinic/staff/").content.decode()


def test_a_session_ended_by_deactivation_stays_ended_after_reactivation(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    theirs = staff_client(nurse)
    key = session_key(theirs)
    owner = staff_client(site_a.owner)
    owner.post(f"/clinic/staff/{nurse.pk}/active/", {"active": "0"})
    owner.post(f"/clinic/staff/{nurse.pk}/active/", {"active": "1"})
    assert theirs.get("/clinic/")["Location"] == sign_in_url("/clinic/")
    assert not session_exists(key)


def test_an_owner_cannot_deactivate_themselves(site_a: Site):
    owner = staff_client(site_a.owner)
    response = owner.post(f"/clinic/staff/{site_a.owner.pk}/active/", {"active": "0"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "This cannot be done now" in page
    assert "you cannot deactivate your own account" in page
    assert owner.get("/clinic/").status_code == 200


# --- changing one's password ---


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("not it", "a brand new passphrase 77", "a brand new passphrase 77", "Your current password is not right."),
        (PASSWORD, "a brand new passphrase 77", "another passphrase 78", "The two new passwords are not the same."),
        (PASSWORD, "short 1", "short 1", "This password is too short. It must contain at least 12 characters."),
        (PASSWORD, "password1234", "password1234", "This password is too common."),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(site_a: Site, current, new, again, message):
    nurse = site_a.members[Role.NURSE]
    client = staff_client(nurse)
    response = client.post("/clinic/account/", {"current": current, "password": new, "password_again": again})
    assert response.status_code == 422
    assert message in response.content.decode()
    nurse.user.refresh_from_db()
    assert nurse.user.check_password(PASSWORD)


def test_changing_the_password_keeps_this_session_and_ends_the_others(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    this, other = staff_client(nurse), staff_client(nurse)
    new = "a brand new passphrase 77"
    response = this.post("/clinic/account/", {"current": PASSWORD, "password": new, "password_again": new})
    assert response.status_code == 200
    assert "Your password is changed. Your other sessions were signed out." in response.content.decode()
    assert this.get("/clinic/").status_code == 200
    assert other.get("/clinic/")["Location"] == sign_in_url("/clinic/")
    assert browser().post("/clinic/sign-in/", {"email": nurse.user.username, "password": new}).status_code == 302
    row = AuditEntry.objects.filter(action="update", object_type="staff").order_by("-pk").first()
    assert (row.object_id, row.detail) == (str(nurse.pk), {"password": "changed"})


# --- headers and cookies (T8) ---


@pytest.mark.parametrize("path", ["/clinic/", "/clinic/clients/", "/clinic/account/", "/clinic/sign-in/"])
def test_clinic_pages_are_not_stored_and_carry_the_security_headers(site_a: Site, path):
    client = staff_client(site_a.owner)
    first, second = client.get(path), client.get(path)
    assert first["Cache-Control"] == "no-store"
    assert "default-src 'self'" in first["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in first["Content-Security-Policy"]
    assert first["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"[0-9a-f]{16}", first["X-Request-Id"])
    assert first["X-Request-Id"] != second["X-Request-Id"]


def test_a_request_id_is_carried_into_the_audit_rows_it_writes(site_a: Site):
    response = staff_client(site_a.owner).get("/clinic/clients/")
    last = AuditEntry.objects.order_by("-pk").first()
    assert (last.action, last.request_id) == ("search", response["X-Request-Id"])


def test_the_session_cookie_is_http_only_and_same_site_lax(site_a: Site):
    client = browser()
    client.post("/clinic/sign-in/", {"email": site_a.members[Role.NURSE].user.username, "password": PASSWORD})
    cookie = client.cookies[SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["max-age"]  # ends with the browser; the server ends it sooner


def https_settings(monkeypatch) -> object:
    """The settings module as it reads the environment with NEEDLEWISE_HTTPS=1 (a separate copy)."""
    monkeypatch.setenv("NEEDLEWISE_HTTPS", "1")
    spec = importlib.util.spec_from_file_location("https_settings", settings_module.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_behind_https_the_cookies_are_secure_host_only_and_hsts_is_sent(site_a: Site, monkeypatch):
    https = https_settings(monkeypatch)
    assert (https.SESSION_COOKIE_NAME, https.CSRF_COOKIE_NAME) == ("__Host-nw-session", "__Host-nw-csrf")
    assert https.SESSION_COOKIE_SECURE
    assert https.CSRF_COOKIE_SECURE
    assert https.LANGUAGE_COOKIE_SECURE
    assert https.SECURE_HSTS_SECONDS >= 31_536_000
    names = ("SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE")
    with override_settings(
        **{name: getattr(https, name) for name in names}, SECURE_HSTS_SECONDS=https.SECURE_HSTS_SECONDS
    ):
        client = browser()
        form = client.get("/clinic/sign-in/", secure=True)
        assert form["Strict-Transport-Security"].startswith("max-age=31536000")
        csrf = client.cookies["__Host-nw-csrf"]
        email = site_a.members[Role.NURSE].user.username
        client.post("/clinic/sign-in/", {"email": email, "password": PASSWORD}, secure=True)
        session = client.cookies["__Host-nw-session"]
    for cookie in (session, csrf):  # __Host-: Secure, Path=/, no Domain
        assert (cookie["secure"], cookie["path"], cookie["domain"]) == (True, "/", "")
        assert cookie["httponly"] is True


# --- CSRF (T9) ---


def test_signing_in_without_the_csrf_token_is_refused(site_a: Site):
    client = browser(enforce_csrf_checks=True)
    data = {"email": site_a.members[Role.NURSE].user.username, "password": PASSWORD}
    assert client.post("/clinic/sign-in/", data).status_code == 403
    page = client.get("/clinic/sign-in/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post("/clinic/sign-in/", {**data, "csrfmiddlewaretoken": token}).status_code == 302


def test_adding_a_client_without_the_csrf_token_is_refused(site_a: Site):
    client = staff_client(site_a.members[Role.FRONT_DESK])
    client.handler.enforce_csrf_checks = True
    before = ClientRow.objects.count()
    data = {"given_name": "Newton", "family_name": "Figtree", "birth_date": "1985-01-02"}
    assert client.post("/clinic/clients/new/", data).status_code == 403
    assert ClientRow.objects.count() == before


def test_recording_a_clearance_without_the_csrf_token_is_refused(site_a: Site):
    client = staff_client(site_a.members[Role.PROVIDER])
    client.handler.enforce_csrf_checks = True
    reason = "Seen in person; the stop reason no longer applies."
    data = {"reason": reason, "cleared_on": "2031-01-01", "expires_on": "2031-02-01"}
    assert client.post(f"/clinic/screenings/{site_a.stop.pk}/clear/", data).status_code == 403
    assert not Clearance.objects.exists()
