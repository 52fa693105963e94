"""Unknown is never "no": what a "not sure" (or, in v2, missing) answer does to an assessment.

A question answered "not sure" could stand for any of its real answers. Its default value (no,
none, unknown) is never read as that answer; instead every condition that reads it is evaluated in
three-valued (Kleene) logic, where a comparison on an unsure field is *unknown*:

- a rule whose condition is *true* whatever the unsure answers are fires as usual;
- a rule whose condition is *unknown* could fire for some real answer. The verdict is then at least
  ``medical_review`` if such a rule forces ``medical_review`` or ``stop`` (find out first, or ask a
  clinician), and at least ``home_caution`` if it forces anything above ``home_ok``;
- an unsure device question (needle length, uses, shared, sterile) gives at least ``home_caution``,
  with what to check.

Kleene logic over-approximates: it may call a rule possible that no single answer fires, never the
reverse, so the floor is never below what some real answer would give (capped as above). Each unsure
question that raises the floor becomes one finding naming what to find out, with the sources of the
rules it could trigger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from needlewise.domain.assessment import OpenAnswer
from needlewise.domain.profile import DEVICE_FIELDS, Profile
from needlewise.domain.text import Text
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import ProcedureKind
from needlewise.engine.compiler import interpret_comparison
from needlewise.engine.conditions import AllOf, AnyOf, Comparison, Condition
from needlewise.engine.fields import FIELD_INDEX, FactValue
from needlewise.engine.knowledge import Question

PROCEDURES_FIELD = "recent_procedures"
PROCEDURE_FIELDS = tuple(f"procedures.{kind.value}.weeks_ago" for kind in ProcedureKind)

Truth = bool | None  # None: unknown


def engine_fields(question_field: str) -> tuple[str, ...]:
    """The engine fields behind a questionnaire field (``recent_procedures`` is several)."""
    return PROCEDURE_FIELDS if question_field == PROCEDURES_FIELD else (question_field,)


def evaluate(condition: Condition, facts: Sequence[FactValue], unknown: frozenset[int]) -> Truth:
    """``condition`` in Kleene logic: fields at the ``unknown`` positions could hold any value."""
    if isinstance(condition, Comparison):
        index = FIELD_INDEX[condition.field]
        return None if index in unknown else interpret_comparison(condition, facts[index])
    if isinstance(condition, AllOf):
        return _all(evaluate(item, facts, unknown) for item in condition.items)
    if isinstance(condition, AnyOf):
        return _any(evaluate(item, facts, unknown) for item in condition.items)
    inner = evaluate(condition.item, facts, unknown)
    return None if inner is None else not inner


def _all(values: Iterable[Truth]) -> Truth:
    result: Truth = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def _any(values: Iterable[Truth]) -> Truth:
    result: Truth = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """A question that applies to this person and was answered "not sure" or left out."""

    question: Question
    answer: str  # "unsure" or "unanswered"
    positions: frozenset[int]
    advice: Text  # what to find out


class Opened(NamedTuple):
    """The open questions of one profile, the fact positions they leave open, and a key naming them."""

    questions: tuple[OpenQuestion, ...]
    unknown: frozenset[int]
    key: tuple[int, ...]  # per open question: twice its place among the askable ones, plus 1 if left out


NOTHING_OPEN = Opened((), frozenset(), ())


@dataclass(frozen=True, slots=True)
class Askable:
    """The questions that take "not sure", each as an open question both ways it can be left open.

    ``only_unsure`` keeps what a set of "not sure" answers opens when no question is left out (it
    depends on nothing else), so that a profile pays for it once per such set.
    """

    order: dict[str, int]  # questionnaire field -> its place among these questions
    questions: tuple[tuple[OpenQuestion, OpenQuestion], ...]  # per question: answered "unsure", left out
    only_unsure: dict[frozenset[str], Opened] = field(default_factory=dict)


def askable(questions: Sequence[Question]) -> Askable:
    """The questions that take "not sure", in questionnaire order, with the fact positions they fill.

    A question without an ``unsure`` text does not take the answer (the loader pairs the two).
    """
    taken = [(q, advice) for q in questions if (advice := q.unsure_advice) is not None]
    return Askable(
        order={q.field: index for index, (q, _) in enumerate(taken)},
        questions=tuple(_both_ways(q, advice) for q, advice in taken),
    )


def _both_ways(question: Question, advice: Text) -> tuple[OpenQuestion, OpenQuestion]:
    positions = frozenset(FIELD_INDEX[name] for name in engine_fields(question.field))
    return (
        OpenQuestion(question, "unsure", positions, advice),
        OpenQuestion(question, "unanswered", positions, advice),
    )


def open_questions(profile: Profile, questions: Askable, facts: Sequence[FactValue]) -> list[OpenQuestion]:
    """The questions answered "not sure", or left unanswered where they apply, in questionnaire order.

    An explicit "not sure" always counts. An unanswered question (left out of a v2 document, or an
    owned device's ``null`` length or uses in v1) counts unless its ``ask_if`` is false for certain
    (it may read earlier open answers, which count as unknown).
    """
    return list(opened(profile, questions, facts).questions)


_ONLY_UNSURE_CACHE_SIZE = 1_024  # sets of "not sure" answers kept per knowledge base; emptied when full


def opened(profile: Profile, questions: Askable, facts: Sequence[FactValue]) -> Opened:
    """:func:`open_questions`, with the positions they leave open and their key."""
    unsure, unanswered = profile.unsure, profile.unanswered
    if unanswered:
        return _opened(unsure, unanswered, questions, facts)
    if not unsure:
        return NOTHING_OPEN
    known = questions.only_unsure.get(unsure)
    if known is None:
        if len(questions.only_unsure) >= _ONLY_UNSURE_CACHE_SIZE:
            questions.only_unsure.clear()
        known = questions.only_unsure[unsure] = _opened(unsure, unanswered, questions, facts)
    return known


def _opened(
    unsure: frozenset[str], unanswered: frozenset[str], questions: Askable, facts: Sequence[FactValue]
) -> Opened:
    order = questions.order
    unknown: frozenset[int] = frozenset()
    result: list[OpenQuestion] = []
    key: list[int] = []
    for index in sorted(order[name] for name in unsure | unanswered if name in order):
        as_unsure, left_out = questions.questions[index]
        if as_unsure.question.field in unsure:
            made = as_unsure
        elif left_out.question.ask_if is not None and evaluate(left_out.question.ask_if, facts, unknown) is False:
            continue  # left out, and the questionnaire would not have asked it
        else:
            made = left_out
        unknown |= made.positions
        result.append(made)
        key.append(2 * index + (made is left_out))
    return Opened(tuple(result), unknown, tuple(key))


def floor(worst: Tier, *, device: bool) -> Tier:
    """The least verdict an unsure answer gives, when some real answer to it would give ``worst``."""
    if worst.rank >= Tier.MEDICAL_REVIEW.rank:
        return Tier.MEDICAL_REVIEW
    if worst is not Tier.HOME_OK or device:
        return Tier.HOME_CAUTION
    return Tier.HOME_OK


def is_device_question(question: Question) -> bool:
    """Whether ``question`` is about the device itself (length, uses, sharing, sterility)."""
    return question.field in DEVICE_FIELDS


def open_answer(open_question: OpenQuestion, could_be: Tier, label: str) -> OpenAnswer:
    """The result's note of one open answer: which question, how it was answered, the worst it could mean."""
    return OpenAnswer(open_question.question.field, label, open_question.answer, could_be)
