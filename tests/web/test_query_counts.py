"""How many SQL statements each main page and API route runs, against a committed snapshot (issue 11).

The counts live in ``tests/snapshots/query_counts.json`` so that a change in them shows up in review:
this test fails when a count differs and says which. After checking that a new count is intended
(an N+1 is not), re-record with ``make query-counts`` (which runs this test with
``NEEDLEWISE_RECORD_QUERY_COUNTS=1``) and commit the snapshot with the change.

The data is one clinic as a working day leaves it: five staff members, several clients with
screenings, a cleared stop result, a consent template and a signed consent, an active plan with two
recorded sessions, a check-in alert, a booked appointment and an open consultation request. Every
request is made by a freshly signed-in browser (so no session write is due: one happens at most once a
minute), and counts every statement: SELECTs, the audit append, transaction statements (on PostgreSQL,
the audit append's row-and-hash statement counts as the two statements SQLite runs for it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.checkin_support import answer as answer_checkin
from clinic.followup_support import checkin_of, session_row
from clinic.treatment_support import consent_template, plan, signed_consent
from clinic_factories import request_form
from needlewise.bootstrap import journals, knowledge_base
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.clients import clients
from needlewise.clinic.clients.client_form import ClientDetails
from needlewise.clinic.intake import referral
from needlewise.clinic.records import screenings
from needlewise.clinic.scheduling import appointments
from needlewise.domain.json_types import JsonValue
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.messaging import journal_reminders
from needlewise.services.journal import start_journal
from needlewise.services.saved_results import digest
from needlewise.storage.models import Clinic, Consent, TreatmentPlan
from needlewise.web.views.journal_referral import sent_receipt
from web.clinic.support import CLINIC_OK, CLINIC_STOP, Site, actor_for, make_site, signed_in

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).resolve().parent.parent / "snapshots" / "query_counts.json"
RECORD = "NEEDLEWISE_RECORD_QUERY_COUNTS"
LOT = "LOT-COUNTS-1"
EXTRA_CLIENTS = (("Amaya", "Etxeberria"), ("Bao", "Nguyen"), ("Cosima", "Lindqvist"), ("Dario", "Ferreira"))
PROFILE = {"setting": "home", "age": 30}
JOURNAL: dict[str, JsonValue] = {"setting": "home", "age": 30, "goals": ["glow"]}


@dataclass(frozen=True)
class Day:
    """The clinic's records that the routes point at."""

    site: Site
    session_id: int
    consent_id: int
    plan_id: int
    template_id: int
    checkin_token: str
    appointment_id: int
    journal_key: str
    referral_id: int
    reminded_key: str  # a journal with an address for reminders


def _a_working_day() -> Day:
    site = make_site("Clinic Alpha", "alpha", "Zephyrine", "Quixotelle")
    kb = knowledge_base()
    nurse, provider = actor_for(site.members[Role.NURSE]), actor_for(site.members[Role.PROVIDER])
    for given, family in EXTRA_CLIENTS:  # other clients, each screened a few times
        other = clients.create(nurse, ClientDetails(given, family, timezone.localdate().replace(year=1985), "", ""))
        for profile in (CLINIC_OK, CLINIC_STOP, CLINIC_OK):
            screenings.record(nurse, client_id=other.pk, profile=profile, kb=kb, lang=Lang.EN)
    today = timezone.localdate()
    reason = "Seen in person; the stop reason no longer applies to this treatment."
    screenings.clear(provider, site.stop.pk, screenings.ClearanceForm(reason, today, today + timedelta(days=90)))
    template = consent_template(site, kb)
    consent = signed_consent(site, kb)
    active = plan(site, kb)
    session_row(site, kb, performed_at=timezone.now() - timedelta(days=30), lot=LOT)
    session = session_row(site, kb, performed_at=timezone.now() - timedelta(days=3), lot=LOT)
    answer_checkin(Actor.anonymous("198.51.100.7", "counts"), checkin_of(session, 3)[1], {"pus"}, kb)  # an alert
    _, token = checkin_of(session, 1)
    starts_at = timezone.now().replace(microsecond=0) + timedelta(days=30)  # the plan's interval after the last session
    booked = appointments.book(
        actor_for(site.members[Role.FRONT_DESK]), site.client.pk, nurse.staff_user_id, starts_at, 60
    )
    key, _ = start_journal(journals(), PROFILE, kb, Lang.EN)  # a home journal referred to the clinic
    sent = referral.refer(
        Actor.anonymous("198.51.100.8", "counts"),
        journals(),
        key,
        site.clinic.slug,
        form=request_form(),
        kb=kb,
        lang=None,
    )
    reminded, _ = start_journal(journals(), JOURNAL, kb, Lang.EN, "person@example.org")
    return Day(site, session.pk, consent.pk, active.pk, template.pk, token, booked.pk, key, sent.pk, reminded)


#: name -> (role signed in or None, method, path from the day's records, body)
Request = tuple[Role | None, str, Callable[[Day], str], dict[str, Any] | bytes | None]


def _client(day: Day) -> int:
    return day.site.client.pk


def _stop(day: Day) -> str:
    return f"/reminders/stop/{journal_reminders.stop_token(digest(day.reminded_key))}/"


def _session() -> bytes:
    return orjson.dumps({"on": timezone.localdate().isoformat(), "needle_mm": 0.25, "areas": ["cheeks"]})


ROUTES: dict[str, Request] = {
    # public pages
    "GET / (landing)": (None, "get", lambda _d: "/", None),
    "GET /assess/ (first question)": (None, "get", lambda _d: "/assess/", None),
    "GET /sources/": (None, "get", lambda _d: "/sources/", None),
    "GET /claims/": (None, "get", lambda _d: "/claims/", None),
    "GET /docs": (None, "get", lambda _d: "/docs", None),
    "GET /clinics/ (directory)": (None, "get", lambda _d: "/clinics/", None),
    "GET /clinics/<slug>/": (None, "get", lambda d: f"/clinics/{d.site.clinic.slug}/", None),
    "GET /clinic/sign-in/": (None, "get", lambda _d: "/clinic/sign-in/", None),
    "GET /checkin/<token>/": (None, "get", lambda d: f"/checkin/{d.checkin_token}/", None),
    "GET /journal/<key>/reminders/": (None, "get", lambda d: f"/journal/{d.reminded_key}/reminders/", None),
    "GET /reminders/stop/<token>/": (None, "get", _stop, None),
    "GET /journal/<key>/referral/ (clinics)": (None, "get", lambda d: f"/journal/{d.journal_key}/referral/", None),
    "GET /journal/<key>/referral/<slug>/ (what is sent)": (
        None,
        "get",
        lambda d: f"/journal/{d.journal_key}/referral/{d.site.clinic.slug}/",
        None,
    ),
    "GET /journal/<key>/?saved=session (after a form)": (
        None,
        "get",
        lambda d: f"/journal/{d.journal_key}/?saved=session",
        None,
    ),
    "GET /journal/<key>/?started=1 (its link)": (None, "get", lambda d: f"/journal/{d.journal_key}/?started=1", None),
    "GET /journal/<key>/referral/<slug>/sent/": (
        None,
        "get",
        lambda d: (
            f"/journal/{d.journal_key}/referral/{d.site.clinic.slug}/sent/?r="
            + sent_receipt(d.journal_key, d.site.clinic.slug, d.referral_id)
        ),
        None,
    ),
    # clinic pages
    "GET /clinic/ (workspace home, nurse)": (Role.NURSE, "get", lambda _d: "/clinic/", None),
    "GET /clinic/clients/ (list, nurse)": (Role.NURSE, "get", lambda _d: "/clinic/clients/", None),
    "GET /clinic/clients/?q= (search, nurse)": (Role.NURSE, "get", lambda _d: "/clinic/clients/?q=zeph", None),
    "GET /clinic/clients/?birth_date= (search, nurse)": (
        Role.NURSE,
        "get",
        lambda _d: "/clinic/clients/?birth_date=1990-05-17",
        None,
    ),
    "GET /clinic/clients/<id>/ (client page, nurse)": (
        Role.NURSE,
        "get",
        lambda d: f"/clinic/clients/{_client(d)}/",
        None,
    ),
    "GET /clinic/clients/<id>/ (client page, front desk)": (
        Role.FRONT_DESK,
        "get",
        lambda d: f"/clinic/clients/{_client(d)}/",
        None,
    ),
    "GET /clinic/clients/<id>/edit/": (Role.NURSE, "get", lambda d: f"/clinic/clients/{_client(d)}/edit/", None),
    "GET /clinic/clients/<id>/screen/ (screening)": (
        Role.NURSE,
        "get",
        lambda d: f"/clinic/clients/{_client(d)}/screen/",
        None,
    ),
    "GET /clinic/screenings/<id>/": (Role.NURSE, "get", lambda d: f"/clinic/screenings/{d.site.stop.pk}/", None),
    "GET /clinic/screenings/<id>/clear/ (provider)": (
        Role.PROVIDER,
        "get",
        lambda d: f"/clinic/screenings/{d.site.stop.pk}/clear/",
        None,
    ),
    "GET /clinic/intake/": (Role.NURSE, "get", lambda _d: "/clinic/intake/", None),
    "GET /clinic/intake/<id>/": (Role.NURSE, "get", lambda d: f"/clinic/intake/{d.site.request.pk}/", None),
    "GET /clinic/intake/<id>/ (journal referral, nurse)": (
        Role.NURSE,
        "get",
        lambda d: f"/clinic/intake/{d.referral_id}/",
        None,
    ),
    "GET /clinic/rescreen/": (Role.NURSE, "get", lambda _d: "/clinic/rescreen/", None),
    "GET /clinic/consent/ (templates, owner)": (Role.OWNER, "get", lambda _d: "/clinic/consent/", None),
    "GET /clinic/consent/<id>/ (owner)": (Role.OWNER, "get", lambda d: f"/clinic/consent/{d.template_id}/", None),
    "GET /clinic/clients/<id>/consent/ (signing)": (
        Role.NURSE,
        "get",
        lambda d: f"/clinic/clients/{_client(d)}/consent/",
        None,
    ),
    "GET /clinic/consents/<id>/": (Role.NURSE, "get", lambda d: f"/clinic/consents/{d.consent_id}/", None),
    "GET /clinic/clients/<id>/plans/new/": (
        Role.NURSE,
        "get",
        lambda d: f"/clinic/clients/{_client(d)}/plans/new/",
        None,
    ),
    "GET /clinic/plans/<id>/": (Role.NURSE, "get", lambda d: f"/clinic/plans/{d.plan_id}/", None),
    "GET /clinic/clients/<id>/sessions/new/": (
        Role.NURSE,
        "get",
        lambda d: f"/clinic/clients/{_client(d)}/sessions/new/",
        None,
    ),
    "GET /clinic/sessions/<id>/": (Role.NURSE, "get", lambda d: f"/clinic/sessions/{d.session_id}/", None),
    "GET /clinic/sessions/<id>/aftercare/": (
        Role.NURSE,
        "get",
        lambda d: f"/clinic/sessions/{d.session_id}/aftercare/",
        None,
    ),
    "GET /clinic/sessions/<id>/adverse-events/new/": (
        Role.NURSE,
        "get",
        lambda d: f"/clinic/sessions/{d.session_id}/adverse-events/new/",
        None,
    ),
    "GET /clinic/alerts/ (follow-up)": (Role.NURSE, "get", lambda _d: "/clinic/alerts/", None),
    "GET /clinic/schedule/": (Role.NURSE, "get", lambda _d: "/clinic/schedule/", None),
    "GET /clinic/clients/<id>/book/": (Role.NURSE, "get", lambda d: f"/clinic/clients/{_client(d)}/book/", None),
    "GET /clinic/recall/?kind=lot": (Role.NURSE, "get", lambda _d: f"/clinic/recall/?kind=lot&key={LOT}", None),
    "GET /clinic/recall/contacts/": (Role.NURSE, "get", lambda _d: "/clinic/recall/contacts/", None),
    "GET /clinic/staff/ (owner)": (Role.OWNER, "get", lambda _d: "/clinic/staff/", None),
    "GET /clinic/settings/ (owner)": (Role.OWNER, "get", lambda _d: "/clinic/settings/", None),
    "GET /clinic/audit/ (owner)": (Role.OWNER, "get", lambda _d: "/clinic/audit/", None),
    "GET /clinic/account/": (Role.NURSE, "get", lambda _d: "/clinic/account/", None),
    # API
    "GET /api/v1/health": (None, "get", lambda _d: "/api/v1/health", None),
    "GET /api/v1/questionnaire": (None, "get", lambda _d: "/api/v1/questionnaire", None),
    "GET /api/v1/knowledge": (None, "get", lambda _d: "/api/v1/knowledge", None),
    "POST /api/v1/assessments": (None, "post", lambda _d: "/api/v1/assessments", orjson.dumps(PROFILE)),
    "POST /api/v1/journals/<key>/sessions (a reminder queued)": (
        None,
        "post",
        lambda d: f"/api/v1/journals/{d.reminded_key}/sessions",
        _session(),
    ),
    "PUT /api/v1/journals/<key>/reminders": (
        None,
        "put",
        lambda d: f"/api/v1/journals/{d.reminded_key}/reminders",
        orjson.dumps({"email": "other@example.org"}),
    ),
    "GET /api/v1/clinic/clients (nurse)": (Role.NURSE, "get", lambda _d: "/api/v1/clinic/clients", None),
    "GET /api/v1/clinic/clients?q= (nurse)": (Role.NURSE, "get", lambda _d: "/api/v1/clinic/clients?q=zeph", None),
    "GET /api/v1/clinic/clients/<id> (nurse)": (
        Role.NURSE,
        "get",
        lambda d: f"/api/v1/clinic/clients/{_client(d)}",
        None,
    ),
    "GET /api/v1/clinic/recall?key= (nurse)": (Role.NURSE, "get", lambda _d: f"/api/v1/clinic/recall?key={LOT}", None),
    "POST /api/v1/clinic/clients (nurse)": (
        Role.NURSE,
        "post",
        lambda _d: "/api/v1/clinic/clients",
        orjson.dumps({"given_name": "Eliska", "family_name": "Novak", "birth_date": "1991-03-04"}),
    ),
    "POST /api/v1/clinic/clients/<id>/screenings (nurse)": (
        Role.NURSE,
        "post",
        lambda d: f"/api/v1/clinic/clients/{_client(d)}/screenings",
        orjson.dumps(CLINIC_OK),
    ),
}


def _count(day: Day, request: Request) -> int:
    role, method, path, data = request
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role is not None:
        signed_in(browser, day.site.members[role])
    kwargs: dict[str, Any] = {} if data is None else {"data": data, "content_type": "application/json"}
    with CaptureQueriesContext(connection) as captured:
        response = getattr(browser, method)(path(day), **kwargs)
    assert response.status_code in {200, 201}, (path(day), response.status_code)
    # PostgreSQL writes an audit row and its chain's new hash in one statement (SQLite in two): counted as
    # the two statements they stand for, so that both backends keep one snapshot.
    joined = sum(1 for query in captured.captured_queries if query["sql"].startswith("WITH added AS (INSERT"))
    return len(captured.captured_queries) + joined


def test_the_query_counts_of_the_main_pages_and_api_routes_match_the_snapshot():
    day = _a_working_day()
    assert Consent.objects.filter(pk=day.consent_id).exists()
    assert TreatmentPlan.objects.filter(pk=day.plan_id, status="active").exists()
    assert Clinic.objects.count() == 1
    _count(day, ROUTES["GET /clinic/ (workspace home, nurse)"])  # warm-up: nothing cached differs from here on
    counts = {name: _count(day, request) for name, request in ROUTES.items()}
    if os.environ.get(RECORD) == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_bytes(orjson.dumps(counts, option=orjson.OPT_INDENT_2) + b"\n")
        return
    recorded = orjson.loads(SNAPSHOT.read_bytes())
    changed = [
        f"  {name}: {recorded.get(name, 'not recorded')} -> {counts.get(name, 'not measured')}"
        for name in sorted(counts.keys() | recorded.keys())
        if counts.get(name) != recorded.get(name)
    ]
    assert not changed, (
        "SQL statements per request differ from tests/snapshots/query_counts.json:\n"
        + "\n".join(changed)
        + f"\nIf intended, re-record with `make query-counts` ({RECORD}=1) and commit the snapshot."
    )
