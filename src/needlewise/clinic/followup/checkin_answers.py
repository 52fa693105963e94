"""A check-in's answers: each red-flag question of the day answered yes, no or not sure.

Stored as ``{"yes": [...], "no": [...], "not_sure": [...]}`` (question ids); those stored before "not
sure" existed have only ``yes`` and ``no``. Nothing here ever reads a missing or damaged answer as "no".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from needlewise.domain.json_types import JsonValue
from needlewise.domain.treatment import Answer
from needlewise.errors import N_, Problem


def _ids(stored: Mapping[str, JsonValue], key: str) -> list[str]:
    listed = stored.get(key)
    return [str(item) for item in listed if isinstance(item, str)] if isinstance(listed, list) else []


def stored_answers(stored: JsonValue, asked: Sequence[str]) -> dict[str, Answer]:
    """A check-in's stored answers read back: each question asked, and any other id stored as yes or not sure.

    Those stored before "not sure" existed (only ``yes`` and ``no``) read as before. A question asked
    but found in no list, or a damaged value, reads as "not sure": never as "no".
    """
    found = stored if isinstance(stored, dict) else {}
    yes, not_sure, no = (_ids(found, key) for key in (Answer.YES.value, Answer.NOT_SURE.value, Answer.NO.value))
    answers = dict.fromkeys(yes, Answer.YES)
    for key in not_sure:
        answers.setdefault(key, Answer.NOT_SURE)
    for key in asked:
        answers.setdefault(key, Answer.NO if key in no else Answer.NOT_SURE)
    return answers


def answer_problems(asked: Sequence[str], answers: Mapping[str, Answer]) -> list[Problem]:
    """Each question of the day left unanswered (``answers.<id>``), and any answer to another question."""
    unanswered = N_("Answer this question: yes, no or not sure.")
    problems = [Problem(f"answers.{key}", unanswered) for key in asked if key not in answers]
    if not set(answers) <= set(asked):
        problems.append(Problem("answers", N_("only answer the questions shown on this page")))
    return problems
