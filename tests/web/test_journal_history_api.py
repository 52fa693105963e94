"""A home journal's history through the JSON API: every skin check and "things changed" kept, sealed, bounded."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from needlewise import bootstrap
from needlewise.api.journal_schemas import JournalOut
from needlewise.services import journal_change_history, journal_history
from needlewise.services.saved_results import digest
from web.journal_support import PROFILE, TODAY, post

pytestmark = pytest.mark.django_db


def journal_with_a_session(client: Client, on: str = "2026-12-06") -> str:
    key = post(client, "/api/v1/journals", {"profile": PROFILE}).json()["key"]
    log(client, key, on)
    return key


def log(client: Client, key: str, on: str) -> dict[str, Any]:
    body = {"on": on, "needle_mm": 0.25, "areas": ["cheeks"], "products": []}
    response = post(client, f"/api/v1/journals/{key}/sessions", body)
    assert response.status_code == 201
    return response.json()


def check(client: Client, key: str, yes: tuple[str, ...] = (), *, on: str = "2026-12-07", resolved: str = "") -> int:
    ids = [q["id"] for q in client.get(f"/api/v1/journals/{key}/checks?on={on}").json()["questions"]]
    body: dict[str, Any] = {"answers": {i: i in yes for i in ids}} | ({"resolved": resolved} if resolved else {})
    return post(client, f"/api/v1/journals/{key}/checks?on={on}", body).status_code


def state(client: Client, key: str, lang: str = "en") -> dict[str, Any]:
    data = client.get(f"/api/v1/journals/{key}?lang={lang}").json()
    JournalOut.model_validate(data)
    return data


@time_machine.travel(TODAY, tick=False)
def test_every_skin_check_is_kept_in_order_with_its_answers_and_triage(client: Client) -> None:
    key = journal_with_a_session(client)
    assert state(client, key)["checks"] == []
    assert check(client, key, ("fever_chills",)) == 200
    data = state(client, key)
    [kept] = data["checks"]
    assert (kept["on"], kept["session_on"], kept["day"], kept["triage"]) == (
        "2026-12-07",
        "2026-12-06",
        1,
        "seek_care_now",
    )
    assert kept["at"].startswith("2026-12-07T10:00:00")
    assert {a["id"]: a["yes"] for a in kept["answers"]}["fever_chills"] is True
    assert sum(a["yes"] for a in kept["answers"]) == 1
    assert kept["advice"].startswith("Seek medical care now")
    assert data["attention"] == kept
    assert data["next_session_on"] is None  # no day offered while care is due (page, calendar, reminders)
    calendar = client.get(f"/api/v1/journals/{key}/calendar.ics").content.decode()
    assert "next session" not in calendar
    assert "chu-2021-safety-sr" in data["sources"]  # the check-ins' sources
    spanish = state(client, key, "es")["checks"][0]
    assert spanish["advice"].startswith("Busca atención médica ahora")
    assert spanish["answers"][0]["text"].startswith("Desde el tratamiento")
    assert check(client, key) == 200
    calm = state(client, key)
    assert [c["triage"] for c in calm["checks"]] == ["seek_care_now", "expected"]
    assert calm["attention"]["triage"] == "seek_care_now"  # a later check the same day never clears it
    assert calm["next_session_on"] is None
    assert check(client, key, on="2026-12-08") == 422  # a later day asks whether it is resolved
    assert check(client, key, on="2026-12-08", resolved="not_sure") == 200
    assert state(client, key)["attention"]["triage"] == "seek_care_now"  # "not sure" is a no
    assert check(client, key, on="2026-12-08", resolved="yes") == 200
    resolved = state(client, key)
    assert (resolved["attention"], resolved["checks"][-1]["resolved"]) == (None, "yes")
    assert resolved["next_session_on"] is not None


@time_machine.travel(TODAY, tick=False)
def test_a_seek_care_now_check_stays_first_after_later_sessions_until_a_later_check(client: Client) -> None:
    key = journal_with_a_session(client, "2026-12-04")  # day 3: firm bumps are asked
    assert check(client, key, ("firm_bumps",)) == 200
    assert state(client, key)["attention"]["triage"] == "call_clinic"
    assert check(client, key, ("pus",)) == 200
    later = log(client, key, "2026-12-07")
    assert later["attention"]["triage"] == "seek_care_now"
    assert later["attention"]["sessions_since"] == 1
    assert [c["sessions_since"] for c in later["checks"]] == [1, 1]
    assert check(client, key, ("firm_bumps",), on="2026-12-07") == 200
    assert state(client, key)["attention"]["triage"] == "seek_care_now"  # the same day: it holds
    assert check(client, key, on="2026-12-08", resolved="yes") == 200
    assert state(client, key)["attention"] is None


@time_machine.travel(TODAY, tick=False)
def test_checks_and_changes_are_sealed_at_rest(client: Client) -> None:
    key = journal_with_a_session(client)
    check(client, key, ("spreading_redness",))
    post(client, f"/api/v1/journals/{key}/changes", {"profile": {**PROFILE, "skin_now": ["cold_sore"]}})
    with connection.cursor() as cursor:
        cursor.execute("SELECT state FROM journal")
        stored = str(cursor.fetchone()[0])
    assert "spreading_redness" not in stored
    assert "cold_sore" not in stored
    kept = bootstrap.journals().get(digest(key))
    assert kept is not None
    assert [c.triage.value for c in journal_history.checks_of(kept.state)] == ["seek_care_now"]


@time_machine.travel(TODAY, tick=False)
def test_a_logged_session_rewrites_only_the_state_and_a_change_the_answers_too(client: Client) -> None:
    key = journal_with_a_session(client, "2026-12-01")

    def journal_updates(path: str, body: object) -> list[str]:
        with CaptureQueriesContext(connection) as seen:
            assert post(client, path, body).status_code in {200, 201}
        return [q["sql"].split(" WHERE ")[0] for q in seen.captured_queries if q["sql"].startswith('UPDATE "journal"')]

    session = {"on": "2026-12-06", "needle_mm": 0.25, "areas": ["cheeks"], "products": []}
    (written,) = journal_updates(f"/api/v1/journals/{key}/sessions", session)
    assert '"state"' in written
    assert '"profile"' not in written  # the sealed answers, unchanged, are not encrypted and written again
    changed = {"profile": {**PROFILE, "skin_now": ["cold_sore"]}}
    (written,) = journal_updates(f"/api/v1/journals/{key}/changes", changed)
    assert '"profile"' in written
    assert '"state"' in written
    kept = bootstrap.journals().get(digest(key))
    assert kept is not None
    assert kept.profile["skin_now"] == ["cold_sore"]
    assert len(kept.state["sessions"]) == 2


@time_machine.travel(TODAY, tick=False)
def test_every_change_is_kept_with_its_result_and_when_to_come_back(client: Client) -> None:
    key = journal_with_a_session(client)
    post(client, f"/api/v1/journals/{key}/changes", {"profile": {**PROFILE, "skin_now": ["cold_sore"]}})
    post(client, f"/api/v1/journals/{key}/changes", {"profile": PROFILE})
    data = state(client, key, "es")
    paused, healed = data["changes"]
    assert (paused["changed"], paused["skin_now"], paused["tier"], paused["paused"]) == (
        ["skin_now"],
        ["cold_sore"],
        "stop",
        True,
    )
    assert paused["at"].startswith("2026-12-07T10:00:00")
    assert paused["reasons"]
    for reason in paused["reasons"]:
        assert reason["advice"]
        assert set(reason["citations"]) <= set(data["sources"])
    english = state(client, key)["changes"][0]["reasons"][0]
    assert english["title"] != paused["reasons"][0]["title"]  # kept in both languages
    assert (healed["changed"], healed["skin_now"], healed["paused"], healed["reasons"]) == (["skin_now"], [], False, [])
    assert healed["tier"] in {"home_ok", "home_caution"}
    assert data["paused"] is None


@time_machine.travel(TODAY, tick=False)
def test_a_full_history_is_a_conflict_and_keeps_the_journal_as_it_was(client: Client) -> None:
    key = journal_with_a_session(client)
    assert check(client, key) == 200
    store = bootstrap.journals()

    def fill(record: Any) -> Any:
        checks = record.state["checks"] * journal_history.MAX_CHECKS
        changes = [{"at": "2026-12-07T10:00:00+00:00", "changed": [], "pregnant_or_breastfeeding": False}]
        changes[0] |= {"skin_now": [], "medications": [], "tier": "home_ok", "reasons": []}
        return replace(
            record, state={**record.state, "checks": checks, "changes": changes * journal_change_history.MAX_CHANGES}
        )

    store.change(digest(key), fill)
    ids = [q["id"] for q in client.get(f"/api/v1/journals/{key}/checks").json()["questions"]]
    full = post(client, f"/api/v1/journals/{key}/checks", {"answers": dict.fromkeys(ids, False)})
    assert full.status_code == 409
    assert full.json()["message"] == "This journal's skin checks are full: start a new journal."
    changed = post(client, f"/api/v1/journals/{key}/changes", {"profile": {**PROFILE, "skin_now": ["cold_sore"]}})
    assert changed.status_code == 409
    assert changed.json()["message"] == "This journal's changes are full: start a new journal."
    data = state(client, key)
    assert (len(data["checks"]), len(data["changes"])) == (
        journal_history.MAX_CHECKS,
        journal_change_history.MAX_CHANGES,
    )
    assert data["paused"] is None  # the refused change was not kept
    assert post(client, "/api/v1/journals/nope/checks", {"answers": {}}).status_code == 404
