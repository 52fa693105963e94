"""The questionnaire without JavaScript: state in the form, back, errors, early stop, result, PDF."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from needlewise.services import questionnaire
from needlewise.storage.models import SavedResult
from web.questionnaire_support import DEFAULTS, question_of, state_of, step, walk


def test_healthy_person_reaches_home_ok(client: Client) -> None:
    page = walk(
        client,
        {
            "setting": {"answer": "home"},
            "age": {"answer": "34"},
            "goals": {"answer": ["glow"]},
            "device-kind": {"answer": "roller"},
            "needle-length": {"answer": "0.25"},
            "device-uses": {"answer": "1"},
        },
    )
    assert 'data-tier="home_ok"' in page
    assert "What the evidence does not show" in page


def test_cold_sore_stops_early(client: Client) -> None:
    page = walk(client, {"setting": {"answer": "home"}, "age": {"answer": "30"}, "skin-now": {"answer": ["cold_sore"]}})
    assert 'data-tier="stop"' in page
    assert "We stopped early" in page


def test_acne_scars_go_to_a_clinic(client: Client) -> None:
    page = walk(client, {"setting": {"answer": "home"}, "age": {"answer": "28"}, "goals": {"answer": ["acne_scars"]}})
    assert 'data-tier="clinic"' in page


def test_procedures_are_read_from_their_own_fields(client: Client) -> None:
    page = walk(
        client,
        {"setting": {"answer": "home"}, "age": {"answer": "40"}, "recent-procedures": {"weeks-filler": "2"}},
    )
    assert 'data-tier="stop"' in page
    assert "Filler in the last 4 weeks" in page


def test_invalid_answer_keeps_the_question_and_explains(client: Client) -> None:
    page = walk(client, {"setting": {"answer": "home"}}, until="age")
    response = client.post("/assess/", {"state": state_of(page), "action": "next", "answer": "abc"})
    assert response.status_code == 422
    again = response.content.decode()
    assert question_of(again) == "age"
    assert "“abc” is not a number" in again


def test_a_digit_python_counts_but_that_is_no_number_is_explained(client: Client) -> None:
    page = client.get("/assess/").content.decode()  # the first question: home or clinic, by word or number
    response = client.post("/assess/", {"state": state_of(page), "action": "next", "answer": "²"})  # was a 500
    assert response.status_code == 422
    assert "“²” is not an option (1=home, 2=clinic)" in response.content.decode()


def test_back_keeps_the_earlier_answer(client: Client) -> None:
    page = client.get("/assess/").content.decode()
    page = step(client, page, answer="home")
    page = step(client, page, answer="41")
    assert question_of(page) == "skin-now"
    page = step(client, page, action="back")
    assert question_of(page) == "age"
    assert 'value="41"' in page
    state = json.loads(state_of(page))
    assert "age" not in state["document"]
    assert state["drafts"] == {"age": 41}


def test_switching_language_keeps_the_answers(client: Client) -> None:
    page = walk(client, {"setting": {"answer": "home"}}, until="age")
    response = client.post("/assess/", {"state": state_of(page), "action": "stay", "language": "es"}, follow=True)
    switched = response.content.decode()
    assert question_of(switched) == "age"
    assert '<html lang="es">' in switched
    assert client.cookies["django_language"].value == "es"


def test_damaged_state_is_refused_plainly(client: Client) -> None:
    response = client.post("/assess/", {"state": "{not json", "action": "next"})
    assert response.status_code == 400
    assert "please start again" in response.content.decode()
    assert client.post("/result/", {"state": '{"document": {}}'}).status_code == 400
    assert client.post("/result/pdf/", {"state": "null"}).status_code == 400


def test_result_can_be_shown_again_in_another_language(client: Client) -> None:
    page = walk(client, {"setting": {"answer": "home"}, "age": {"answer": "30"}, "skin-now": {"answer": ["cold_sore"]}})
    again = client.post("/result/", {"state": state_of(page), "language": "es"}, follow=True).content.decode()
    assert "No te hagas microneedling ahora" in again


def test_result_pdf(client: Client) -> None:
    page = walk(client, {"setting": {"answer": "home"}, "age": {"answer": "30"}, "skin-now": {"answer": ["cold_sore"]}})
    response = client.post("/result/pdf/", {"state": state_of(page)})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
def test_save_open_and_delete_a_result(client: Client) -> None:
    page = walk(client, {"setting": {"answer": "home"}, "age": {"answer": "30"}, "goals": {"answer": ["acne_scars"]}})
    response = client.post("/save/", {"state": state_of(page)})
    assert response.status_code == 303
    link = response["Location"]
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{32}/", link)
    saved = client.get(link)
    assert saved.status_code == 200
    assert saved["Cache-Control"] == "no-store"
    assert saved["X-Robots-Tag"] == "noindex, nofollow"
    assert 'data-tier="clinic"' in saved.content.decode()
    assert client.get(link + "pdf/").content.startswith(b"%PDF")
    deleted = client.post(link + "delete/")
    assert "has been deleted" in deleted.content.decode()
    assert client.get(link).status_code == 404
    assert client.get(link + "pdf/").status_code == 404
    assert client.post(link + "delete/").status_code == 404


@pytest.mark.django_db
def test_saved_result_says_when_knowledge_changed(client: Client) -> None:
    page = walk(client, {"setting": {"answer": "home"}, "age": {"answer": "30"}, "goals": {"answer": ["acne_scars"]}})
    link = client.post("/save/", {"state": state_of(page)})["Location"]
    SavedResult.objects.update(kb_hash="sha256:older")
    assert "the verdict is the same" in client.get(link).content.decode()
    SavedResult.objects.update(tier="home_ok")
    assert "and so has the verdict" in client.get(link).content.decode()


@pytest.mark.django_db
def test_saving_a_damaged_state_is_refused(client: Client) -> None:
    assert client.post("/save/", {"state": "[]"}).status_code == 400


def test_errors_are_worded_in_the_person_s_language() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    page = walk(client, {"setting": {"answer": "home"}}, until="age")
    again = client.post("/assess/", {"state": state_of(page), "action": "next", "answer": "abc"}).content.decode()
    assert "«abc» no es un número." in again


def test_whole_numbers_come_back_without_a_decimal_point(client: Client) -> None:
    page = walk(
        client,
        {"setting": {"answer": "home"}, "age": {"answer": "40"}, "recent-procedures": {"weeks-laser": "8"}},
        until="goals",
    )
    page = step(client, page, action="back")
    assert 'name="weeks-laser"' in page
    assert 'value="8"' in page
    assert 'value="8.0"' not in page


def test_a_forged_state_is_refused_with_the_field_problem(client: Client) -> None:
    state = json.dumps({"document": {"setting": "home", "age": 500}, "answered": ["setting", "age"], "drafts": {}})
    response = client.post("/assess/", {"state": state, "action": "next"})
    assert response.status_code == 400
    assert "less than or equal to 120" in response.content.decode()


def test_an_answer_parses_the_answers_once_and_assesses_only_where_a_stop_is_possible(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sixth answer's request rebuilds the interview, records the answer and picks the next question.

    The POST parses the answers it was sent once and again with the new answer; the page it redirects
    to parses them once (before: once per earlier answer, and again for each question asked, ten in
    all). No whole assessment runs while no rule that forces stop holds.
    """
    answers = {**DEFAULTS, "setting": {"answer": "home"}, "age": {"answer": "34"}}
    page = client.get("/assess/").content.decode()
    for _ in range(5):
        page = step(client, page, **answers[question_of(page)])
    calls = {"parse": 0, "assess": 0}
    parse, assess = questionnaire.parse_profile, questionnaire.assess

    def counted_parse(document: object) -> object:
        calls["parse"] += 1
        return parse(document)  # type: ignore[arg-type]

    def counted_assess(*args: object) -> object:
        calls["assess"] += 1
        return assess(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(questionnaire, "parse_profile", counted_parse)
    monkeypatch.setattr(questionnaire, "assess", counted_assess)
    sixth = question_of(page)
    page = step(client, page, **DEFAULTS[sixth])
    assert question_of(page) not in (sixth, "result")
    assert calls == {"parse": 3, "assess": 0}
