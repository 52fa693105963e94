"""Every public page and PDF that carries someone's answers says ``Cache-Control: no-store`` (review L8)."""

from __future__ import annotations

import pytest
from django.test import Client

from web.questionnaire_support import state_of, walk

ANSWERS = {"setting": {"answer": "home"}, "age": {"answer": "30"}, "pregnant": {"answer": "unsure"}}


def test_the_questionnaire_its_steps_and_the_result_are_not_stored(client: Client) -> None:
    first = client.get("/assess/")
    assert first["Cache-Control"] == "no-store"
    answered = client.post("/assess/", {"state": state_of(first.content.decode()), "action": "next", "answer": "home"})
    assert answered["Cache-Control"] == "no-store"
    result = walk(client, ANSWERS)
    pdf = client.post("/result/pdf/", {"state": state_of(result)})
    assert (pdf.status_code, pdf["Content-Type"], pdf["Cache-Control"]) == (200, "application/pdf", "no-store")
    again = client.post("/assess/", {"state": state_of(result), "action": "back"}, follow=True)
    assert again["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_saving_a_result_and_the_clinic_pages_it_is_sent_to_are_not_stored(client: Client) -> None:
    result = walk(client, ANSWERS)
    saved = client.post("/save/", {"state": state_of(result)})
    assert (saved.status_code, saved["Cache-Control"]) == (303, "no-store")
    chosen = client.post("/clinics/send/", {"state": state_of(result)})
    assert chosen["Cache-Control"] == "no-store"


def test_pages_without_answers_keep_their_caching() -> None:
    landing = Client().get("/")
    assert "no-store" not in landing.headers.get("Cache-Control", "")
