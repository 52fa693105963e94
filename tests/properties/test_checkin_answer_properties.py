"""Properties of the clinic check-in's answers: "not sure" is never milder than a yes (exactly its triage),
a missing answer is never read as "no" (refused, naming it), and a stored answer never reads back as a
"no" it was not."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from needlewise.clinic.followup.checkin_answers import answer_problems, stored_answers
from needlewise.domain.json_types import JsonValue
from needlewise.domain.treatment import Answer
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.treatment import triage_answers

FIXTURE_OK = settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
DAYS = st.sampled_from([1, 2, 3, 5, 7, 10, 14])


def _asked(kb: KnowledgeBase, day: int) -> list[str]:
    return [q.question_id for q in kb.treatment.checkin.questions_for(day)]


@FIXTURE_OK
@given(day=DAYS, data=st.data())
def test_not_sure_gives_exactly_the_triage_of_yes_and_never_milder(kb: KnowledgeBase, day: int, data) -> None:
    asked = _asked(kb, day)
    answers = {key: data.draw(st.sampled_from(Answer), label=key) for key in asked}
    as_yes = {key: Answer.YES if said is Answer.NOT_SURE else said for key, said in answers.items()}
    as_no = {key: Answer.NO if said is Answer.NOT_SURE else said for key, said in answers.items()}
    level = triage_answers(kb.treatment, day, answers)
    assert level is triage_answers(kb.treatment, day, as_yes)
    assert level.rank >= triage_answers(kb.treatment, day, as_no).rank


@FIXTURE_OK
@given(day=DAYS, data=st.data())
def test_a_missing_answer_is_refused_by_name_and_never_triaged_milder_than_yes(
    kb: KnowledgeBase, day: int, data
) -> None:
    asked = _asked(kb, day)
    answers = {key: data.draw(st.sampled_from(Answer), label=key) for key in asked}
    left_out = data.draw(st.sets(st.sampled_from(asked), min_size=1), label="left out")
    partial = {key: said for key, said in answers.items() if key not in left_out}
    problems = answer_problems(asked, partial)
    assert [p.where for p in problems] == [f"answers.{key}" for key in asked if key in left_out]
    full_yes = partial | dict.fromkeys(left_out, Answer.YES)
    assert triage_answers(kb.treatment, day, partial) is triage_answers(kb.treatment, day, full_yes)
    assert answer_problems(asked, answers) == []


@FIXTURE_OK
@given(day=DAYS, data=st.data())
def test_stored_answers_read_back_as_given(kb: KnowledgeBase, day: int, data) -> None:
    asked = _asked(kb, day)
    answers = {key: data.draw(st.sampled_from(Answer), label=key) for key in asked}
    stored: dict[str, JsonValue] = {said.value: sorted(key for key in asked if answers[key] is said) for said in Answer}
    assert stored_answers(stored, asked) == answers
    old = {"yes": stored["yes"], "no": stored["no"]}  # kept before "not sure" existed: never read as "no"
    assert all(stored_answers(old, asked)[key] is not Answer.NO for key in stored["not_sure"])  # type: ignore[union-attr]


JUNK = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5), st.lists)


@given(junk=st.dictionaries(st.sampled_from(["yes", "no", "not_sure", "other"]), JUNK) | JUNK)
@pytest.mark.parametrize("asked", [["pus", "fever_chills"]])
def test_a_damaged_stored_answer_is_never_read_as_no_unless_listed_so(asked: list[str], junk: JsonValue) -> None:
    for key, said in stored_answers(junk, asked).items():
        if said is Answer.NO:
            assert isinstance(junk, dict)
            assert key in junk["no"]
