"""The answers a result rests on, in words: each question asked and the answer given, in one language.

A doctor reading a result (on the page, in its PDF or a saved link) sees what it was based on, with
the questionnaire's own wording and option labels, never the profile's codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase, Question
from needlewise.reports.labels import label
from needlewise.reports.numbers import format_number, local_decimals

# The answer "not sure" as a profile stores it (Profile v2), and a fact's value for a question left out.
UNSURE = "unsure"
UNANSWERED = "unanswered"
PROCEDURE_PREFIX = "procedures."
_ABSENT = object()


class AnswerLine(NamedTuple):
    """One question and its answer, both in words."""

    question: str
    answer: str


def answer_lines(document: Mapping[str, object], kb: KnowledgeBase, lang: Lang) -> list[AnswerLine]:
    """The questions ``document`` answers, in questionnaire order, with the answers in words."""
    lines = []
    for question in kb.questions:
        value = _field_value(document, question.field)
        if value is not _ABSENT:
            lines.append(AnswerLine(local_decimals(question.text.in_(lang), lang), _words(question, value, lang)))
    return lines


def fact_lines(facts: Sequence[tuple[str, object]], kb: KnowledgeBase, lang: Lang) -> list[AnswerLine]:
    """The answers a finding rests on (its facts: engine fields and values), in words, in questionnaire order.

    A recent procedure's fact (``procedures.laser.weeks_ago``) is an answer to the procedures question;
    one that is null (that procedure not had) says nothing and is left out.
    """
    document: dict[str, object] = {}
    procedures: list[object] = []
    for field, value in facts:
        if field.startswith(PROCEDURE_PREFIX):
            if value is not None:
                kind = field.removeprefix(PROCEDURE_PREFIX).split(".")[0]
                procedures.append({"kind": kind, "weeks_ago": value})
        elif field.startswith("device."):
            device = document.setdefault("device", {})
            assert isinstance(device, dict)  # noqa: S101 - only this function writes it
            device[field.removeprefix("device.")] = value
        else:
            document[field] = value
    if procedures:
        document["recent_procedures"] = procedures
    return answer_lines(document, kb, lang)


def question_text(field: str, kb: KnowledgeBase, lang: Lang) -> str:
    """The question that asks for ``field``, in ``lang`` (the field's name if no question does)."""
    for question in kb.questions:
        if question.field == field:
            return local_decimals(question.text.in_(lang), lang)
    return field


def _field_value(document: Mapping[str, object], path: str) -> object:
    if path.startswith("device."):
        device = document.get("device")
        return device.get(path.removeprefix("device."), _ABSENT) if isinstance(device, dict) else _ABSENT
    return document.get(path, _ABSENT)


def _words(question: Question, value: object, lang: Lang) -> str:
    if value == UNSURE:
        words = label("not_sure", lang)
    elif value == UNANSWERED:
        words = label("no_answer", lang)
    elif value is None:
        words = _unknown(question, lang)
    elif isinstance(value, bool):
        words = label("yes" if value else "no", lang)
    elif isinstance(value, int | float) and question.kind != "scale":
        words = format_number(value, lang)
    elif isinstance(value, list):
        words = ", ".join(_item(question, item, lang) for item in value) or label("none_of_these", lang)
    else:
        words = _option(question, value, lang)
    return words


def _unknown(question: Question, lang: Lang) -> str:
    """No value: "never" where the question says so, "not sure" for a choice, else no answer."""
    none_label = getattr(question, "none_label", None)
    if none_label is not None:
        return str(none_label.in_(lang))
    return label("not_sure" if question.kind in ("single", "scale") else "no_answer", lang)


def _item(question: Question, item: object, lang: Lang) -> str:
    if isinstance(item, dict):  # a recent procedure: its kind and how long ago
        weeks = item.get("weeks_ago")
        kind = _option(question, item.get("kind"), lang)
        if not isinstance(weeks, int | float):
            return kind
        key = "week_ago" if weeks == 1 else "weeks_ago"
        return f"{kind}: {label(key, lang).format(weeks=format_number(weeks, lang))}"
    return _option(question, item, lang)


def _option(question: Question, value: object, lang: Lang) -> str:
    """The label of the option ``value`` (by its code); the value itself when no option has it."""
    for option in question.options:
        if option.value == str(value):
            return local_decimals(option.label.in_(lang), lang)
    return str(value)
