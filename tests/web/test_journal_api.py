"""The home journal's JSON API: start, read, log sessions and the device, the calendar file, delete."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from icalendar import Calendar

from needlewise import bootstrap
from needlewise.api.journal_schemas import JournalCreatedOut, JournalOut
from needlewise.api.schemas import ErrorOut
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import InvalidInputError
from needlewise.services import journal
from needlewise.services.journal_entries import SessionEntry
from needlewise.services.saved_results import digest
from needlewise.storage.models import Journal
from web.journal_support import PROFILE, TODAY, post

pytestmark = pytest.mark.django_db


def start(client: Client, profile: dict | None = None, **extra: object) -> str:
    response = post(client, "/api/v1/journals", {"profile": profile or PROFILE, **extra})
    assert response.status_code == 201, response.content
    JournalCreatedOut.model_validate(response.json())
    return response.json()["key"]


def session(on: str, mm: float = 0.25, areas: list[str] | None = None, products: list[str] | None = None) -> dict:
    return {"on": on, "needle_mm": mm, "areas": areas or ["cheeks"], "products": products or []}


@time_machine.travel(TODAY, tick=False)
def test_a_journal_is_kept_behind_a_key_stored_only_as_a_digest_and_sealed(client: Client) -> None:
    key = start(client, email="person@example.org")
    row = Journal.objects.get()
    assert row.token_digest == digest(key)
    assert len(key) >= 32
    assert row.email == "person@example.org"
    assert row.profile == PROFILE
    with connection.cursor() as cursor:
        cursor.execute("SELECT profile, state, email FROM journal")
        stored = " ".join(str(v) for v in cursor.fetchone())
    assert "glow" not in stored
    assert "person@example.org" not in stored
    data = client.get(f"/api/v1/journals/{key}").json()
    JournalOut.model_validate(data)
    assert (data["tier"], data["paused"], data["next_session_on"], data["sessions"]) == ("home_ok", None, None, [])


@time_machine.travel(TODAY, tick=False)
def test_logging_sessions_gives_the_next_day_and_a_session_too_soon_is_recorded_with_a_finding(client: Client) -> None:
    key = start(client)
    first = post(client, f"/api/v1/journals/{key}/sessions", session("2026-12-01"))
    assert first.status_code == 201
    assert first["Cache-Control"] == "no-store"
    state = first.json()
    JournalOut.model_validate(state)
    assert state["next_session_on"] == "2026-12-03"
    assert state["findings"] == []
    assert state["interval"]["days"] == 2
    assert state["interval"]["confidence"] == "low"
    assert set(state["interval"]["citations"]) <= set(state["sources"])
    again = post(client, f"/api/v1/journals/{key}/sessions?lang=es", session("2026-12-02")).json()
    JournalOut.model_validate(again)
    assert [f["rule_id"] for f in again["findings"]] == ["journal-session-too-soon"]
    assert again["findings"][0]["title"] == "Esta sesión llegó antes del intervalo más corto en uso"
    assert {c for f in again["findings"] for c in f["citations"]} <= set(again["sources"])
    assert len(again["sessions"]) == 2
    assert again["next_session_on"] == "2026-12-04"


@time_machine.travel(TODAY, tick=False)
def test_a_long_needle_an_area_limit_and_a_flagged_product_are_findings(client: Client) -> None:
    key = start(client)
    body = session("2026-12-06", 1.0, ["cheeks"], ["vitamin_c_serum"])
    state = post(client, f"/api/v1/journals/{key}/sessions", body).json()
    assert {"home-needle-clinic-only", "vitamin-c-into-channels"} <= {f["rule_id"] for f in state["findings"]}
    assert state["next_session_on"] == "2027-01-03"  # 28 days after a needle over 0.25 mm
    eye = post(client, f"/api/v1/journals/{key}/sessions", session("2026-12-07", 0.25, ["under_eye"])).json()
    assert "needle-longer-than-area-limit" in {f["rule_id"] for f in eye["findings"]}


@time_machine.travel(TODAY, tick=False)
def test_the_device_gives_the_replacement_figures_and_counts_uses(client: Client) -> None:
    key = start(client)
    device = {"kind": "roller", "needle_mm": 0.25, "bought_on": "2026-11-30", "uses": 8}
    response = post(client, f"/api/v1/journals/{key}/device", device)
    assert response.status_code == 200
    due = response.json()["replacement"]
    assert (due["after_uses"], due["uses_left"], due["replace_on"], due["confidence"]) == (10, 2, "2027-02-28", "low")
    assert "No study sets an interval" in due["note"]
    state = post(client, f"/api/v1/journals/{key}/sessions", session("2026-12-01")).json()
    assert (state["device"]["uses"], state["replacement"]["uses_left"]) == (9, 1)
    before_bought = post(client, f"/api/v1/journals/{key}/sessions", session("2026-11-01")).json()
    assert before_bought["device"]["uses"] == 9  # a session before the device was bought is not its use
    unknown_day = post(client, f"/api/v1/journals/{key}/device", {"kind": "stamp"}).json()
    assert (unknown_day["replacement"]["replace_on"], unknown_day["device"]["uses"]) == (None, 0)
    counted = post(client, f"/api/v1/journals/{key}/sessions", session("2026-12-06")).json()
    assert counted["device"]["uses"] == 1


@time_machine.travel(TODAY, tick=False)
def test_the_calendar_file_has_the_next_session_and_the_replacement_day(client: Client) -> None:
    key = start(client)
    empty = Calendar.from_ical(client.get(f"/api/v1/journals/{key}/calendar.ics").content)
    assert empty.walk("VEVENT") == []
    post(client, f"/api/v1/journals/{key}/sessions", session("2026-12-01"))
    post(client, f"/api/v1/journals/{key}/device", {"kind": "roller", "bought_on": "2026-12-01", "uses": 1})
    response = client.get(f"/api/v1/journals/{key}/calendar.ics?lang=es")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [(str(e["summary"]), e["dtstart"].dt) for e in events] == [
        ("Microneedling: la próxima sesión, no antes de este día", date(2026, 12, 3)),
        ("Microneedling: cambia el dispositivo", date(2027, 3, 1)),
    ]
    assert all(e["dtend"].dt - e["dtstart"].dt == timedelta(days=1) for e in events)
    assert [str(e["description"]) for e in events] == [
        (
            "A partir de este día, no antes, puedes hacer tu próxima sesión de microneedling en casa. "
            "Abre tu diario de needlewise (el enlace privado que guardaste) para anotarla."
        ),
        (
            "Cambia tu dispositivo de microneedling como muy tarde este día, o antes si llega a su número de usos. "
            "Abre tu diario de needlewise (el enlace privado que guardaste) para anotar el nuevo."
        ),
    ]
    english = Calendar.from_ical(client.get(f"/api/v1/journals/{key}/calendar.ics?lang=en").content)
    assert str(english.walk("VEVENT")[0]["description"]).startswith("From this day on, not before, you may do")
    assert "Open your needlewise journal" in str(english.walk("VEVENT")[1]["description"])
    assert key not in response.content.decode()
    assert "http" not in response.content.decode()  # the journal's link never goes into a calendar
    again = Calendar.from_ical(client.get(f"/api/v1/journals/{key}/calendar.ics").content).walk("VEVENT")
    assert [str(e["uid"]) for e in again] == [str(e["uid"]) for e in events]


@time_machine.travel(TODAY, tick=False)
def test_a_profile_above_home_use_starts_paused_with_its_reasons_and_no_next_day(client: Client) -> None:
    key = start(client, {**PROFILE, "skin_now": ["cold_sore"]})
    state = post(client, f"/api/v1/journals/{key}/sessions", session("2026-12-01")).json()
    assert state["paused"]["tier"] == "stop"
    assert state["paused"]["reasons"]
    assert state["next_session_on"] is None
    assert state["interval"]["days"] == 2
    assert Calendar.from_ical(client.get(f"/api/v1/journals/{key}/calendar.ics").content).walk("VEVENT") == []
    post(client, f"/api/v1/journals/{key}/device", {"kind": "roller", "bought_on": "2026-12-01", "uses": 1})
    paused = client.get(f"/api/v1/journals/{key}/calendar.ics").content.decode()
    events = Calendar.from_ical(paused).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Microneedling: replace the device"]  # only that day stays
    assert "pause" not in paused.lower()  # no note saying why: that would be health information


@time_machine.travel(TODAY, tick=False)
def test_the_journal_reads_a_profile_at_home_whatever_its_setting(client: Client) -> None:
    key = start(client, {**PROFILE, "setting": "clinic"})
    state = post(client, f"/api/v1/journals/{key}/sessions", session("2026-12-01", 1.0)).json()
    assert "home-needle-clinic-only" in {f["rule_id"] for f in state["findings"]}


@time_machine.travel(TODAY, tick=False)
def test_delete_removes_everything_in_one_step(client: Client) -> None:
    key = start(client)
    assert client.delete(f"/api/v1/journals/{key}").status_code == 204
    assert not Journal.objects.exists()
    for response in (
        client.delete(f"/api/v1/journals/{key}"),
        client.get(f"/api/v1/journals/{key}"),
        client.get(f"/api/v1/journals/{key}/calendar.ics"),
        post(client, f"/api/v1/journals/{key}/sessions", session("2026-12-01")),
        post(client, f"/api/v1/journals/{key}/device", {"kind": "roller"}),
    ):
        assert response.status_code == 404
        assert ErrorOut.model_validate(response.json()).error == "not_found"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("", {"profile": {**PROFILE, "age": "x"}}, "profile.age"),
        ("", {"profile": 5}, "profile"),
        ("", {"profile": PROFILE, "email": "not an address"}, "email"),
        ("/sessions", session("2026-12-09"), "on"),
        ("/sessions", {**session("2026-12-01"), "areas": []}, "areas"),
        ("/sessions", {**session("2026-12-01"), "needle_mm": 0}, "needle_mm"),
        ("/sessions", {**session("2026-12-01"), "products": ["glitter"]}, "products"),
        ("/device", {"kind": "roller", "bought_on": "2026-12-09"}, "bought_on"),
        ("/device", {"kind": "laser"}, "kind"),
    ],
)
@time_machine.travel(TODAY, tick=False)
def test_bad_input_is_422_naming_the_field(client: Client, path: str, body: dict, field: str) -> None:
    target = "/api/v1/journals" if not path else f"/api/v1/journals/{start(client)}{path}"
    response = post(client, target, body)
    assert response.status_code == 422, response.content
    problems = ErrorOut.model_validate(response.json()).problems
    named = {p.field.split(".0")[0] for p in problems}  # ninja names a body field body.<name>(.<index>)
    assert named & {field, f"body.{field}"}, problems


def test_starting_journals_is_limited_per_address(client: Client, settings) -> None:
    settings.PUBLIC_LIMITS = {**settings.PUBLIC_LIMITS, "journal": (2, 3600)}
    with time_machine.travel("2031-01-01 10:00Z", tick=False):
        statuses = [post(client, "/api/v1/journals", {"profile": PROFILE}).status_code for _ in range(3)]
    assert statuses[:2] == [201, 201]
    assert statuses[2] == 429


def test_a_full_journal_refuses_more_sessions(client: Client, monkeypatch) -> None:
    monkeypatch.setattr("needlewise.services.journal.MAX_SESSIONS", 1)
    with time_machine.travel(TODAY, tick=False):
        key = start(client)
        assert post(client, f"/api/v1/journals/{key}/sessions", session("2026-12-01")).status_code == 201
        full = post(client, f"/api/v1/journals/{key}/sessions", session("2026-12-05"))
    assert full.status_code == 409
    assert len(client.get(f"/api/v1/journals/{key}").json()["sessions"]) == 1


def test_the_use_case_refuses_a_session_without_an_area(kb: KnowledgeBase) -> None:
    store = bootstrap.journals()
    key, _ = journal.start_journal(store, PROFILE, kb, Lang.EN)
    with pytest.raises(InvalidInputError) as refused:
        journal.log_session(store, key, SessionEntry(date(2026, 12, 1), 0.25, frozenset()), kb, None, date(2026, 12, 7))
    assert refused.value.first.where == "areas"
    assert journal.open_journal(store, key, kb, None).sessions == ()


def test_the_use_case_refuses_an_address_that_is_not_one(kb: KnowledgeBase) -> None:
    with pytest.raises(InvalidInputError) as refused:
        journal.start_journal(bootstrap.journals(), PROFILE, kb, Lang.EN, "no address")
    assert refused.value.first.where == "email"
