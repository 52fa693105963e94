"""The idle and absolute session limits hold on the clinic JSON API as on the staff pages (review M1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest
import time_machine
from django.conf import settings
from django.test import override_settings

from needlewise.domain.permissions import Role
from web.clinic.support import Site, session_exists, session_key, staff_client

pytestmark = pytest.mark.django_db

START = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
CLIENTS = "/api/v1/clinic/clients"
SIGNED_OUT = {
    "error": "not_signed_in",
    "message": "Sign in at /clinic/sign-in/ first (staff, with two-step sign-in).",
    "problems": [],
}


@override_settings(IDLE_MINUTES=1)
def test_an_idle_api_session_ends_on_the_server_with_401(site_a: Site):
    with time_machine.travel(START, tick=False) as clock:
        client = staff_client(site_a.members[Role.PROVIDER])
        key = session_key(client)
        assert client.get(CLIENTS).status_code == 200
        clock.shift(timedelta(minutes=1, seconds=1))
        response = client.get(CLIENTS)
        assert (response.status_code, response.json()) == (401, SIGNED_OUT)
        assert not session_exists(key)
        written = client.post(CLIENTS, orjson.dumps({"given_name": "A", "family_name": "B"}), "application/json")
    assert written.status_code in {401, 403}  # no session: refused (403 when the CSRF check comes first)


@override_settings(IDLE_MINUTES=2)
def test_an_api_session_used_within_the_idle_limit_goes_on_and_counts_as_activity(site_a: Site):
    with time_machine.travel(START, tick=False) as clock:
        client = staff_client(site_a.members[Role.PROVIDER])
        for _ in range(4):
            clock.shift(timedelta(seconds=100))  # activity is noted once a minute at most
            assert client.get(CLIENTS).status_code == 200
        assert client.get("/clinic/account/").status_code == 200  # the API kept the page session alive too


def test_the_absolute_limit_ends_an_api_session_used_all_along(site_a: Site):
    with time_machine.travel(START, tick=False) as clock:
        client = staff_client(site_a.members[Role.PROVIDER])
        key = session_key(client)
        for _ in range(settings.SESSION_HOURS * 6):  # one request every 10 minutes
            clock.shift(timedelta(minutes=10))
            assert client.get(CLIENTS).status_code == 200
        clock.shift(timedelta(minutes=10))
        response = client.get(CLIENTS)
    assert (response.status_code, response.json()) == (401, SIGNED_OUT)
    assert not session_exists(key)
