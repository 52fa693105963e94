"""Every page's query parameters, fuzzed: bad input is a clear 4xx, never a 500 (review L2).

Each GET route of the URL map (staff pages, public pages, the JSON API) is asked with query
parameters drawn by Hypothesis (the names the views read and random ones; dates near the ends of
the calendar, huge and negative integers, non-ASCII digits, NUL and direction-changing characters),
by the owner of a small clinic with records of every kind and by someone not signed in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from urllib.parse import urlencode

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.followup_support import checkin_of, session_row
from needlewise.bootstrap import journals, knowledge_base
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.services.journal import start_journal
from needlewise.storage import models
from web.clinic.support import Site, staff_client

pytestmark = pytest.mark.django_db


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


ROUTES = sorted(set(_routes(get_resolver().url_patterns)))
#: The record each id in a route names (the first of the clinic's; a missing one is a 404, also fine).
RECORDS: dict[str, type[Model]] = {
    "client_id": models.Client,
    "screening_id": models.Screening,
    "request_id": models.ConsultationRequest,
    "staff_id": models.StaffMember,
    "template_id": models.ConsentTemplate,
    "consent_id": models.Consent,
    "plan_id": models.TreatmentPlan,
    "session_id": models.TreatmentSession,
    "photo_id": models.SessionPhoto,
    "contact_id": models.RecallContact,
    "checkin_id": models.CheckIn,
    "event_id": models.AdverseEvent,
    "appointment_id": models.Appointment,
    "message_id": models.QueuedMessage,
}
#: Every query parameter a view reads (``grep -rn request.GET src``), and the API's.
NAMES = [
    "action", "after", "archived", "before", "birth_date", "checkin", "client", "clinical_role", "closed", "day",
    "done", "enrolled",
    "from", "grade", "key", "kind", "lang", "limit", "marked", "next", "offset", "page", "person", "phone",
    "practitioner", "q", "r", "recorded", "recovery_used", "s", "saved", "since", "started", "status", "timed_out",
    "to",
]  # fmt: skip
NASTY = [
    "9999-12-31", "0001-01-01", "2031-02-30", "20310304", "2031-03-04T25:00", "99999999999999999999999999",
    "-1", "-99999999999999999999", "0", "00", "1e309", "nan", "²", "١٢", "\x00", "a\x00b", "\u202e1", "\u200b",
    "", " ", "%", "%00", "true", "lot", "device", "open", "closed", "all", "es", "en", "de", "//evil.example",
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.integers().map(str),
    st.dates().map(date.isoformat),
    st.text(max_size=24),
)
QUERIES = st.dictionaries(
    st.one_of(st.sampled_from(NAMES), st.text(min_size=1, max_size=6)),
    st.lists(VALUES, min_size=1, max_size=2),
    max_size=4,
)


@pytest.fixture
def clinic(site_a: Site) -> tuple[Client, dict[str, str]]:
    """The owner's browser, and what each route parameter stands for in this clinic."""
    session = session_row(site_a, knowledge_base())
    _, token = checkin_of(session, 1)
    values = {
        name: str(model.objects.order_by("pk").values_list("pk", flat=True).first() or 1)
        for name, model in RECORDS.items()
    }
    journal_key, _ = start_journal(journals(), {"setting": "home", "age": 30}, knowledge_base(), Lang.EN)
    values |= {"<str:token>": token, "<slug:slug>": site_a.clinic.slug, "<str:uid>": "MQ", "<key>": journal_key}
    return staff_client(site_a.members[Role.OWNER]), values


def _path(route: str, values: dict[str, str]) -> str:
    path = "/" + route
    for name, value in values.items():
        path = path.replace(f"<id:{name}>", value).replace(f"<{name}>", value).replace(name, value)
    return path


FUZZ = settings(max_examples=250, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


def test_every_route_is_fuzzed() -> None:
    assert len(ROUTES) > 80
    assert {"clinic/schedule/", "clinic/audit/", "result/", "api/v1/clinic/clients", "checkin/<str:token>/"} <= set(
        ROUTES
    )


@FUZZ
@given(route=st.sampled_from(ROUTES), query=QUERIES)
def test_no_query_makes_a_page_fail(clinic: tuple[Client, dict[str, str]], route: str, query: dict[str, list[str]]):
    owner, values = clinic
    url = f"{_path(route, values)}?{urlencode(query, doseq=True)}"
    assert "<" not in url.split("?", maxsplit=1)[0], url
    for browser in (owner, Client()):
        response = browser.get(url)
        assert response.status_code < 500, (url, response.status_code)


#: Routes with a record id in their path.
ID_ROUTES = [route for route in ROUTES if "<id:" in route]


@pytest.mark.parametrize("record_id", ["99999999999999999999", "9223372036854775808"])
def test_an_id_past_64_bits_in_a_path_is_not_found(clinic: tuple[Client, dict[str, str]], record_id: str):
    """Django's ``int`` converter took any number of digits, and the database overflowed (a 500)."""
    owner, values = clinic
    assert len(ID_ROUTES) > 30
    for route in ID_ROUTES:
        path = _path(route, values | dict.fromkeys(RECORDS, record_id))
        for browser in (owner, Client()):
            for method in (browser.get, browser.post):
                assert method(path).status_code == 404, (route, path)


@pytest.mark.parametrize(
    "url",
    [
        "/clinic/schedule/?day=9999-12-31",
        "/clinic/schedule/?day=0001-01-01",
        "/clinic/audit/?before=99999999999999999999999999",
        "/clinic/audit/?before=²",
        "/clinic/audit/?client=²&from=9999-12-31&to=0001-01-01",
        "/clinic/recall/?after=99999999999999999999999999&marked=-1",
        "/clinic/schedule/?practitioner=99999999999999999999999&day=2031-02-30",
    ],
)
def test_the_reviewed_crashes_are_clear_answers(clinic: tuple[Client, dict[str, str]], url: str):
    owner, _ = clinic
    response = owner.get(url)
    assert response.status_code in {200, 400, 422}, (url, response.status_code)
