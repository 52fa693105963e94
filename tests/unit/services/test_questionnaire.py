"""The adaptive questionnaire: order, skipping, typed answers and the early stop."""

from __future__ import annotations

import pytest

from factories import no_answer
from needlewise.domain.tier import Tier
from needlewise.engine.knowledge import KnowledgeBase, Question
from needlewise.errors import ProfileError
from needlewise.services.questionnaire import Interview
from needlewise.services.typed_answers import read_answer


def _by_id(kb: KnowledgeBase, question_id: str) -> Question:
    return next(q for q in kb.questions if q.question_id == question_id)


def _walk(kb: KnowledgeBase, answers: dict[str, str]) -> tuple[Interview, list[str]]:
    interview = Interview(kb)
    asked: list[str] = []
    while (question := interview.next_question()) is not None:
        asked.append(question.question_id)
        interview.answer(question, read_answer(question, answers.get(question.question_id) or no_answer(question)))
        if interview.early_stop() is not None:
            break
    return interview, asked


def test_most_dangerous_questions_come_right_after_the_basics(kb: KnowledgeBase) -> None:
    assert [q.field for q in kb.questions[:4]] == ["setting", "age", "skin_now", "pregnant_or_breastfeeding"]


def test_only_relevant_questions_are_asked(kb: KnowledgeBase) -> None:
    _, asked = _walk(kb, {"setting": "home", "age": "30", "device-kind": "undecided"})
    assert "needle-length" not in asked
    assert "device-sterile" not in asked
    assert "device-uses" not in asked
    _, asked = _walk(kb, {"setting": "clinic", "age": "30", "device-kind": "pen", "device-sterile": "yes"})
    assert "device-sterile" in asked
    assert "device-shared" not in asked


def test_a_stop_answer_ends_the_questionnaire_early(kb: KnowledgeBase) -> None:
    interview, asked = _walk(kb, {"setting": "home", "age": "30", "skin-now": "cold_sore"})
    assert asked == ["setting", "age", "skin-now"]
    stopped = interview.early_stop()
    assert stopped is not None
    assert stopped.tier is Tier.STOP


def test_full_walk_gives_the_same_result_as_the_profile(kb: KnowledgeBase) -> None:
    answers = {
        "setting": "1",
        "age": "34",
        "goals": "glow, texture",
        "areas": "cheeks",
        "device-kind": "roller",
        "needle-length": "0,25",
        "device-uses": "2",
        "device-shared": "no",
        "products": "",
        "fitzpatrick": "3",
        "recent-procedures": "filler=30",
    }
    interview, asked = _walk(kb, answers)
    assert asked[-1] == "fitzpatrick"
    assert interview.document["device"] == {"kind": "roller", "needle_mm": 0.25, "uses": 2, "shared": False}
    assert interview.document["recent_procedures"] == [{"kind": "filler", "weeks_ago": 30.0}]
    result = interview.result()
    assert result.tier is Tier.MEDICAL_REVIEW  # filler within 12 months


def test_invalid_answers_are_refused_and_earlier_answers_kept(kb: KnowledgeBase) -> None:
    interview = Interview(kb)
    setting = interview.next_question()
    assert setting is not None
    with pytest.raises(ProfileError):
        interview.answer(setting, "spa")
    assert interview.document == {"profile_version": 2}
    assert interview.early_stop() is None
    interview.answer(setting, "home")
    age = interview.next_question()
    assert age is not None
    assert age.field == "age"
    with pytest.raises(ProfileError):
        interview.answer(age, 400)
    assert interview.document == {"profile_version": 2, "setting": "home"}


@pytest.mark.parametrize(
    ("question_id", "text", "expected"),
    [
        ("pregnant", "yes", True),
        ("pregnant", "No", False),
        ("pregnant", "sí", True),
        ("pregnant", "not sure", "unsure"),
        ("pregnant", "?", "unsure"),
        ("skin-now", "none", []),
        ("skin-now", "No sé", "unsure"),
        ("skin-now", "2, warts, 2", ["cold_sore", "warts"]),
        ("setting", "clinic", "clinic"),
        ("fitzpatrick", "4", 4),
        ("fitzpatrick", "unsure", "unsure"),
        ("isotretinoin", "never", None),
        ("isotretinoin", "nunca", None),
        ("isotretinoin", "?", "unsure"),
        ("needle-length", "?", "unsure"),
        ("isotretinoin", "3.5", 3.5),
        ("age", "17", 17),
        ("recent-procedures", "ninguno", []),
        (
            "recent-procedures",
            "filler=6, 3=1",
            [{"kind": "filler", "weeks_ago": 6.0}, {"kind": "chemical_peel", "weeks_ago": 1.0}],
        ),
    ],
)
def test_read_answer(kb: KnowledgeBase, question_id: str, text: str, expected: object) -> None:
    assert read_answer(_by_id(kb, question_id), text) == expected


@pytest.mark.parametrize(
    ("question_id", "text", "message"),
    [
        ("pregnant", "maybe", "Answer yes or no"),
        ("pregnant", "", "give one, or choose “Not sure”"),
        ("skin-now", "", "“None of these” or “Not sure”"),
        ("recent-procedures", " ", "“None of these” or “Not sure”"),
        ("needle-length", "never", "is not a number"),
        ("age", "", "An answer is required"),
        ("age", "?", "is not a number"),
        ("setting", "none", "is not an option"),
        ("age", "old", "“old” is not a number"),
        ("age", "130", "outside the range 0 to 120"),
        ("setting", "home clinic", "Choose exactly one option"),
        ("setting", "9", "“9” is not an option (1=home, 2=clinic)"),
        ("fitzpatrick", "7", "“7” is not an option (1, 2, 3, 4, 5, 6)"),
        ("recent-procedures", "filler", "Write each treatment as kind=weeks"),
        ("recent-procedures", "filler=-2", "out of range"),
        ("recent-procedures", "tattoo=2", "“tattoo” is not an option"),
        ("setting", "²", "“²” is not an option (1=home, 2=clinic)"),  # a digit to isdigit(), none to int(): a 500
        ("isotretinoin", "nan", "“nan” is not a number"),
        ("needle-length", "inf", "“inf” is not a number"),
        ("needle-length", "1e309", "“1e309” is not a number"),
        ("recent-procedures", "filler=nan", "Write each treatment as kind=weeks"),
    ],
)
def test_read_answer_errors_name_the_field(kb: KnowledgeBase, question_id: str, text: str, message: str) -> None:
    question = _by_id(kb, question_id)
    with pytest.raises(ProfileError) as caught:
        read_answer(question, text)
    assert caught.value.first.where == question.field
    assert message in caught.value.first.message


def test_an_unanswered_default_never_ends_the_questionnaire(kb: KnowledgeBase) -> None:
    """In a clinic, 'sterile single-use' is asked after the device: its default must not stop early."""
    interview, asked = _walk(kb, {"setting": "clinic", "age": "30", "device-kind": "pen", "device-sterile": "no"})
    assert asked[-1] == "device-sterile"
    stopped = interview.early_stop()
    assert stopped is not None
    assert stopped.findings[0].rule_id == "clinic-non-sterile-needles"


@pytest.mark.parametrize(
    "state",
    [
        None,
        {"document": {}, "answered": []},
        {"document": [], "answered": [], "drafts": {}},
        {"document": {}, "answered": ["no-such-question"], "drafts": {}},
        {"document": {}, "answered": ["setting", "setting"], "drafts": {}},
    ],
)
def test_damaged_states_are_refused(kb: KnowledgeBase, state: object) -> None:
    with pytest.raises(ProfileError, match="damaged"):
        Interview.from_state(kb, state)


def test_state_round_trip_and_back_over_a_device_field(kb: KnowledgeBase) -> None:
    interview, _ = _walk(kb, {"setting": "home", "age": "30", "device-kind": "roller", "needle-length": "0.25"})
    again = Interview.from_state(kb, interview.to_state())
    assert again.document == interview.document
    while again.answered[-1] != "needle-length":
        again.back()
    question = again.back()
    assert question is not None
    assert question.question_id == "needle-length"
    assert again.draft(question) == 0.25
    assert again.document["device"] == {"kind": "roller"}
    again.back()
    assert "device" not in again.document
    assert Interview(kb).back() is None
