"""Limits per address on the public pages, kept in the database so every worker shares them (review M3)."""

from __future__ import annotations

import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client, RequestFactory

from needlewise.storage.models import AuditEntry, LoginFailure
from needlewise.web.public_limits import PublicLimitMiddleware, rule_for

pytestmark = pytest.mark.django_db

LIMITED = [
    ("checkin", "get", "/checkin/not-a-real-token/"),
    ("checkin", "post", "/c/ABCD2345"),
    ("save", "post", "/save/"),
    ("journal", "post", "/journal/new/"),
    ("clinic_request", "post", "/clinics/no-such-clinic/request/"),
    ("clinic_request", "post", "/journal/not-a-token/referral/no-such-clinic/"),
    ("clinic_request", "post", "/api/v1/journals/not-a-token/referrals"),
    ("pdf", "get", "/result/pdf/"),
    ("pdf", "get", "/r/not-a-token/pdf/"),
    ("pdf", "get", "/journal/not-a-token/pdf/"),
    ("sign_in", "post", "/clinic/sign-in/"),
    ("sign_in", "post", "/clinic/sign-in/code/"),
    ("reset", "post", "/clinic/password-reset/"),
    ("reset", "post", "/clinic/password-reset/MQ/not-a-token/"),
]


@pytest.fixture
def limits(settings) -> dict[str, tuple[int, int]]:
    settings.PUBLIC_LIMITS = {name: (3, seconds) for name, (_, seconds) in settings.PUBLIC_LIMITS.items()}
    return settings.PUBLIC_LIMITS


@pytest.mark.parametrize(("name", "method", "path"), LIMITED)
def test_each_public_page_refuses_an_address_over_its_limit_with_a_page_and_retry_after(limits, name, method, path):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send = getattr(client, method)
    with time_machine.travel("2031-01-01 10:00Z", tick=False):
        statuses = [send(path, REMOTE_ADDR="198.51.100.40").status_code for _ in range(3)]
        refused = send(path, REMOTE_ADDR="198.51.100.40")
    assert 429 not in statuses
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == limits[name][1]
    assert refused["Cache-Control"] == "no-store"
    page = refused.content.decode()
    assert "Too many requests" in page
    assert f"Wait {limits[name][1] // 60} minutes, then try again." in page
    assert send(path, REMOTE_ADDR="198.51.100.41").status_code != 429  # another address has its own count
    assert LoginFailure.objects.filter(key=f"limit:{name}|198.51.100.40").count() == 3  # refusals are not counted


@pytest.mark.usefixtures("limits")
def test_the_page_speaks_spanish():
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    for _ in range(3):
        client.post("/save/", REMOTE_ADDR="198.51.100.42")
    page = client.post("/save/", REMOTE_ADDR="198.51.100.42").content.decode()
    assert "Demasiadas solicitudes" in page


def test_the_limit_lifts_when_its_window_has_passed(limits):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    with time_machine.travel("2031-01-01 10:00Z", tick=False) as clock:
        for _ in range(3):
            client.post("/save/", REMOTE_ADDR="198.51.100.43")
        clock.shift(limits["save"][1] - 1)
        assert client.post("/save/", REMOTE_ADDR="198.51.100.43")["Retry-After"] == "1"
        clock.shift(1)
        assert client.post("/save/", REMOTE_ADDR="198.51.100.43").status_code != 429


@pytest.mark.usefixtures("limits")
def test_workers_share_the_count_through_the_database():
    def answer(_request) -> HttpResponse:
        return HttpResponse("ok")

    workers = [PublicLimitMiddleware(answer), PublicLimitMiddleware(answer)]  # as two processes would
    factory = RequestFactory()
    statuses = [workers[n % 2](factory.post("/save/", REMOTE_ADDR="198.51.100.44")).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.usefixtures("limits")
def test_other_requests_and_methods_are_not_counted():
    factory = RequestFactory()
    assert rule_for(factory.get("/save/")) is None
    assert rule_for(factory.get("/clinic/sign-in/")) is None
    assert rule_for(factory.post("/assess/")) is None
    assert rule_for(factory.get("/clinics/")) is None
    for _ in range(5):
        assert Client().get("/sources/", REMOTE_ADDR="198.51.100.46").status_code == 200
    assert not LoginFailure.objects.exists()


def test_with_a_limit_of_zero_nothing_is_counted(settings):
    assert settings.PUBLIC_LIMITS["save"][0] == 0  # the web tests' default
    client = Client()
    for _ in range(5):
        assert client.post("/save/").status_code != 429
    assert not LoginFailure.objects.exists()


def test_five_hundred_guessed_check_in_links_add_one_audit_row(settings):
    settings.PUBLIC_LIMITS = {**settings.PUBLIC_LIMITS, "checkin": (1000, 600), "checkin_miss": (10, 600)}
    before = AuditEntry.objects.count()
    client = Client()
    statuses = [client.get(f"/checkin/guess-{n}/", REMOTE_ADDR="198.51.100.45").status_code for n in range(500)]
    assert (statuses.count(404), statuses.count(429)) == (10, 490)
    assert AuditEntry.objects.count() - before == 1
