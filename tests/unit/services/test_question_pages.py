"""The staff screening's pages ask exactly the questions the one-a-page questionnaire asks, in its order."""

from __future__ import annotations

import pytest

from factories import no_answer
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services.question_pages import next_page
from needlewise.services.questionnaire import Interview
from needlewise.services.typed_answers import read_answer

CASES = [
    {"setting": "clinic", "age": "34"},
    {"setting": "clinic", "age": "34", "device-kind": "pen", "needle-length": "1.0"},
    {"setting": "clinic", "age": "8", "device-kind": "roller", "needle-length": "unsure"},
    {"setting": "home", "age": "30", "device-kind": "roller", "needle-length": "0.25", "device-uses": "3"},
    {"setting": "home", "age": "30", "device-kind": "undecided"},
]


def _walk_one_a_page(kb: KnowledgeBase, answers: dict[str, str]) -> list[str]:
    interview = Interview(kb)
    while (question := interview.next_question()) is not None:
        interview.answer(question, read_answer(question, answers.get(question.question_id) or no_answer(question)))
    return interview.answered


def _walk_by_pages(kb: KnowledgeBase, answers: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    return _walk_by_pages_from(Interview(kb), answers)


@pytest.mark.parametrize("answers", CASES)
def test_pages_ask_what_one_a_page_asks(kb: KnowledgeBase, answers: dict[str, str]) -> None:
    one_a_page = _walk_one_a_page(kb, answers)
    by_pages, pages = _walk_by_pages(kb, answers)
    assert by_pages == one_a_page
    assert [q for page in pages for q in page] == one_a_page


def test_a_clinic_screening_is_two_pages_once_setting_and_age_are_known(kb: KnowledgeBase) -> None:
    interview = Interview(kb)
    by_id = {q.question_id: q for q in kb.questions}
    interview.answer(by_id["setting"], "clinic")
    interview.answer(by_id["age"], 40)
    _, pages = _walk_by_pages_from(interview, {"device-kind": "pen", "needle-length": "1.5"})
    assert len(pages) == 2
    assert pages[1][:2] == ["needle-length", "device-sterile"]
    assert "device-uses" not in pages[1]  # asked at home only
    assert "device-shared" not in pages[1]


def test_a_question_whose_condition_reads_an_answer_on_the_page_starts_the_next_page(kb: KnowledgeBase) -> None:
    interview = Interview(kb)
    page = [q.question_id for q in next_page(interview)]
    # Nothing is known yet: setting and age have no condition; the pregnancy question reads the age.
    assert page == ["setting", "age", "skin-now"]


def _walk_by_pages_from(interview: Interview, answers: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    pages = []
    while page := next_page(interview):
        pages.append([q.question_id for q in page])
        for question in page:
            interview.answer(question, read_answer(question, answers.get(question.question_id) or no_answer(question)))
    return interview.answered, pages
