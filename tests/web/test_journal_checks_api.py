"""The home journal's skin check and "things changed" through the JSON API."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from needlewise.api.journal_check_routes import CheckOut, CheckQuestionsOut
from needlewise.api.journal_schemas import JournalOut
from needlewise.api.schemas import ErrorOut
from web.journal_support import PROFILE, TODAY, post

pytestmark = pytest.mark.django_db


def journal_with_a_session(client: Client, on: str | None = "2026-12-06") -> str:
    key = post(client, "/api/v1/journals", {"profile": PROFILE}).json()["key"]
    if on is not None:
        body = {"on": on, "needle_mm": 0.25, "areas": ["cheeks"], "products": []}
        assert post(client, f"/api/v1/journals/{key}/sessions", body).status_code == 201
    return key


@time_machine.travel(TODAY, tick=False)
def test_the_day_after_the_check_asks_the_check_in_questions_and_triages(client: Client) -> None:
    key = journal_with_a_session(client)
    later = client.get(f"/api/v1/journals/{key}/checks?on=2026-12-08").json()
    assert later["day"] == 2  # the person's day, east of UTC
    assert client.get(f"/api/v1/journals/{key}/checks?on=2026-12-09").json()["problems"][0]["field"] == "on"
    asked = client.get(f"/api/v1/journals/{key}/checks?lang=es")
    assert asked.status_code == 200
    questions = CheckQuestionsOut.model_validate(asked.json())
    assert (questions.day, str(questions.session_on)) == (1, "2026-12-06")
    ids = [q.id for q in questions.questions]
    assert "fever_chills" in ids
    assert "firm_bumps" not in ids  # asked from day 3
    assert questions.questions[0].text.startswith("Desde el tratamiento")
    calm = post(client, f"/api/v1/journals/{key}/checks", {"answers": dict.fromkeys(ids, False)})
    assert calm.status_code == 200
    assert CheckOut.model_validate(calm.json()).triage == "expected"
    urgent = {**dict.fromkeys(ids, False), "fever_chills": True}
    found = post(client, f"/api/v1/journals/{key}/checks?lang=es", {"answers": urgent}).json()
    assert (found["triage"], found["yes"], found["not_sure"]) == ("seek_care_now", ["fever_chills"], [])
    assert found["held"] == {"triage": "seek_care_now", "since": "2026-12-07"}
    assert found["advice"].startswith("Busca atención médica ahora")
    assert found["citations"]


@time_machine.travel(TODAY, tick=False)
def test_an_unanswered_question_is_never_read_as_no(client: Client) -> None:
    key = journal_with_a_session(client, "2026-12-03")
    ids = [q["id"] for q in client.get(f"/api/v1/journals/{key}/checks").json()["questions"]]
    assert "firm_bumps" in ids  # day 4
    answers = {**dict.fromkeys(ids, False), "glitter": True}
    del answers["firm_bumps"]
    refused = post(client, f"/api/v1/journals/{key}/checks", {"answers": answers})
    assert refused.status_code == 422
    fields = {p.field for p in ErrorOut.model_validate(refused.json()).problems}
    assert fields == {"answers.firm_bumps", "answers.glitter"}
    watch = post(
        client, f"/api/v1/journals/{key}/checks", {"answers": {**dict.fromkeys(ids, False), "firm_bumps": True}}
    )
    assert watch.json()["triage"] == "call_clinic"
    assert watch.json()["advice"].startswith("Stop and watch")


@time_machine.travel(TODAY, tick=False)
def test_a_check_needs_a_session_and_a_journal(client: Client) -> None:
    key = journal_with_a_session(client, None)
    for response in (
        client.get(f"/api/v1/journals/{key}/checks"),
        post(client, f"/api/v1/journals/{key}/checks", {"answers": {}}),
    ):
        assert response.status_code == 409
        assert response.json()["message"] == "Log the session first: the check is about the days after it."
    assert client.get("/api/v1/journals/nope/checks").status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_things_changed_re_assesses_and_pauses_with_the_reason(client: Client) -> None:
    key = journal_with_a_session(client)
    paused = post(client, f"/api/v1/journals/{key}/changes", {"profile": {**PROFILE, "skin_now": ["cold_sore"]}})
    assert paused.status_code == 200
    state = JournalOut.model_validate(paused.json())
    assert state.paused is not None
    assert state.paused.tier == "stop"
    assert any("cold" in r.rule_id or "herpes" in r.rule_id for r in state.paused.reasons), state.paused.reasons
    assert state.next_session_on is None
    assert len(state.sessions) == 1
    assert client.get(f"/api/v1/journals/{key}").json()["paused"]["tier"] == "stop"
    healed = post(client, f"/api/v1/journals/{key}/changes?lang=es", {"profile": PROFILE}).json()
    assert (healed["paused"], healed["next_session_on"], healed["lang"]) == (None, "2026-12-08", "es")
    bad = post(client, f"/api/v1/journals/{key}/changes", {"profile": {**PROFILE, "age": "x"}})
    assert bad.status_code == 422
    assert bad.json()["problems"][0]["field"] == "profile.age"
    assert client.get(f"/api/v1/journals/{key}").json()["paused"] is None
    assert post(client, "/api/v1/journals/nope/changes", {"profile": PROFILE}).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_answers_are_yes_no_or_not_sure_and_not_sure_is_triaged_as_yes(client: Client) -> None:
    key = journal_with_a_session(client)
    ids = [q["id"] for q in client.get(f"/api/v1/journals/{key}/checks").json()["questions"]]
    answers = {**dict.fromkeys(ids, "no"), "pus": "not_sure"}
    found = post(client, f"/api/v1/journals/{key}/checks", {"answers": answers})
    assert found.status_code == 200
    out = CheckOut.model_validate(found.json())
    assert (out.triage, out.yes, out.not_sure, out.answers["pus"]) == ("seek_care_now", [], ["pus"], "not_sure")
    kept = client.get(f"/api/v1/journals/{key}").json()["checks"][-1]["answers"]
    assert {a["id"]: (a["answer"], a["yes"]) for a in kept}["pus"] == ("not_sure", True)
    missing = post(client, f"/api/v1/journals/{key}/checks", {"answers": {"pus": "no", "glitter": "yes"}})
    assert missing.status_code == 422
    problems = ErrorOut.model_validate(missing.json()).problems
    assert {p.field for p in problems} == {f"answers.{i}" for i in ids if i != "pus"} | {"answers.glitter"}
    assert "Answer this question: yes, no or not sure." in {p.message for p in problems}
    bad = post(client, f"/api/v1/journals/{key}/checks", {"answers": {**answers, "pus": "maybe"}})
    assert bad.status_code == 422


@time_machine.travel(TODAY, tick=False)
def test_an_earlier_day_s_worrying_check_is_asked_about_and_holds_until_resolved(client: Client) -> None:
    key = journal_with_a_session(client)
    ids = [q["id"] for q in client.get(f"/api/v1/journals/{key}/checks").json()["questions"]]
    calm = dict.fromkeys(ids, "no")
    assert post(client, f"/api/v1/journals/{key}/checks", {"answers": {**calm, "fever_chills": "yes"}}).json()["held"]
    same_day = client.get(f"/api/v1/journals/{key}/checks").json()
    assert same_day["resolve"] is None  # asked only on a later day
    refused = post(client, f"/api/v1/journals/{key}/checks", {"answers": calm, "resolved": "yes"})
    assert [p["field"] for p in refused.json()["problems"]] == ["resolved"]
    held = post(client, f"/api/v1/journals/{key}/checks", {"answers": calm}).json()
    assert (held["triage"], held["held"]) == ("expected", {"triage": "seek_care_now", "since": "2026-12-07"})
    later = CheckQuestionsOut.model_validate(client.get(f"/api/v1/journals/{key}/checks?on=2026-12-08&lang=es").json())
    assert later.resolve is not None
    assert (later.resolve.triage, str(later.resolve.since)) == ("seek_care_now", "2026-12-07")
    assert later.resolve.question.startswith("Una revisión de la piel anterior indicó: busca atención médica ahora.")
    unanswered = post(client, f"/api/v1/journals/{key}/checks?on=2026-12-08", {"answers": calm})
    assert [p["field"] for p in unanswered.json()["problems"]] == ["resolved"]
    done = post(client, f"/api/v1/journals/{key}/checks?on=2026-12-08", {"answers": calm, "resolved": "yes"}).json()
    assert done["held"] is None
    assert client.get(f"/api/v1/journals/{key}").json()["next_session_on"] is not None
