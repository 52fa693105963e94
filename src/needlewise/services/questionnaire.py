"""Walk the adaptive questionnaire: which question comes next, reading answers, stopping early.

Answers are kept as a Profile v2 document being filled in ("not sure" is an answer), so every
answer goes through the same validation as any other profile. After each answer, if the answers so
far already force ``stop``, the questionnaire can end early with that assessment: adding answers
can never lower a tier.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from needlewise.domain.assessment import Assessment
from needlewise.domain.profile import Profile
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.engine.compiler import interpret
from needlewise.engine.conditions import fields_read
from needlewise.engine.evaluate import assess, could_stop
from needlewise.engine.fields import facts_of
from needlewise.engine.knowledge import KnowledgeBase, Question
from needlewise.engine.unsure import PROCEDURE_FIELDS, PROCEDURES_FIELD
from needlewise.errors import N_, Problem, ProfileError
from needlewise.services.profiles import parse_profile

_REQUIRED = ("setting", "age")


@dataclass
class Interview:
    """A questionnaire in progress: the answers given so far, as a Profile v2 document.

    ``drafts`` keeps the answers of questions the person went back over, so going forward again
    shows them filled in, without them counting until they are answered again.
    """

    kb: KnowledgeBase
    document: dict[str, object] = field(default_factory=lambda: {"profile_version": 2})
    answered: list[str] = field(default_factory=list)
    drafts: dict[str, object] = field(default_factory=dict)
    _profile: Profile | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_state(cls, kb: KnowledgeBase, state: object) -> Interview:
        """Rebuild an interview from :meth:`to_state` output; raises ProfileError if it is not one."""
        problem = ProfileError(
            [Problem.worded("(state)", N_("The questionnaire state is damaged; please start again."))]
        )
        if not isinstance(state, dict) or set(state) != {"document", "answered", "drafts"}:
            raise problem
        document, answered, drafts = state["document"], state["answered"], state["drafts"]
        known = {q.question_id for q in kb.questions}
        if not (isinstance(document, dict) and isinstance(answered, list) and isinstance(drafts, dict)):
            raise problem
        if not set(answered) <= known or len(set(answered)) != len(answered):
            raise problem
        interview = cls(kb, {"profile_version": 2}, [], dict(drafts))
        by_id = {q.question_id: q for q in kb.questions}
        for question_id in answered:
            question = by_id[question_id]
            _put(interview.document, question.field, _field_value(document, question.field))
            interview.answered.append(question_id)
        interview._check([by_id[question_id] for question_id in answered])
        return interview

    def to_state(self) -> dict[str, object]:
        """Everything needed to continue later, as JSON-ready data."""
        return {"document": self.document, "answered": list(self.answered), "drafts": self.drafts}

    def back(self) -> Question | None:
        """Un-answer the last question (keeping its answer as a draft) and return it."""
        if not self.answered:
            return None
        question_id = self.answered.pop()
        question = next(q for q in self.kb.questions if q.question_id == question_id)
        value = _pop_field(self.document, question.field)
        self.drafts[question.field] = value
        self._profile = None
        return question

    def draft(self, question: Question) -> object:
        """The answer to show for ``question``: its earlier answer or draft, else None."""
        if question.field in self.drafts:
            return self.drafts[question.field]
        return _field_value(self.document, question.field)

    def progress(self) -> tuple[int, int]:
        """``(answered, expected total)``: questions answered, plus those still likely to be asked.

        A question whose condition reads only settled answers counts if the condition holds; one whose
        condition still depends on unanswered questions counts as likely.
        """
        facts = facts_of(self.profile) if self.ready else None
        asked_fields = {q.field for q in self.kb.questions if q.question_id in self.answered}
        remaining = 0
        for question in self.kb.questions:
            if question.question_id in self.answered:
                continue
            condition = question.ask_if
            settled = condition is not None and set(_question_fields(fields_read(condition))) <= asked_fields
            if condition is None or facts is None or not settled or interpret(condition, facts):
                remaining += 1
        return len(self.answered), len(self.answered) + remaining

    def next_question(self) -> Question | None:
        """The next question to ask, or None when the questionnaire is complete.

        A question with an ``ask_if`` is asked only once the required answers exist and the
        condition holds for the answers so far (unanswered fields read as "no" / "none").
        """
        facts = facts_of(self.profile) if self.ready else None
        for question in self.kb.questions:
            if question.question_id in self.answered:
                continue
            if question.ask_if is None or (facts is not None and interpret(question.ask_if, facts)):
                return question
        return None

    def answer(self, question: Question, value: object) -> None:
        """Record ``value`` for ``question``; raises ProfileError, keeping earlier answers, if invalid."""
        kept = self.document, self._profile
        self.document = copy.deepcopy(self.document)
        _put(self.document, question.field, value)
        try:
            self._check([question])
        except ProfileError:
            self.document, self._profile = kept
            raise
        self.answered.append(question.question_id)
        self.drafts.pop(question.field, None)

    def _check(self, questions: list[Question]) -> None:
        """Validate the document: whole, once, keeping its profile, when setting and age are in, else ``questions``."""
        self._profile = None
        if self.ready:
            self._profile = parse_profile(self.document)
            return
        for question in questions:
            _check_alone(question, _field_value(self.document, question.field))

    @property
    def ready(self) -> bool:
        """Whether the required answers (setting and age) are in."""
        return all(name in self.document for name in _REQUIRED)

    @property
    def profile(self) -> Profile:
        """The answers so far as a profile, parsed once per change (raises ProfileError before setting and age)."""
        if self._profile is None:
            self._profile = parse_profile(self.document)
        return self._profile

    def early_stop(self, lang: Lang = Lang.EN) -> Assessment | None:
        """The assessment if the answers so far already mean ``stop``, else None.

        Only findings that read nothing but settled fields count: fields of questions answered, or
        skipped as irrelevant, so far. A default standing in for a question not reached yet (say,
        "needles not sterile" before that question is asked) never ends the questionnaire.
        """
        if not self.ready or not could_stop(self.profile, self.kb):
            return None
        result = self.result(lang)
        settled = self._settled_fields()
        if any(f.tier is Tier.STOP and all(fact.field in settled for fact in f.facts) for f in result.findings):
            return result
        return None

    def _settled_fields(self) -> set[str]:
        last = max(i for i, q in enumerate(self.kb.questions) if q.question_id in self.answered)
        fields = {q.field for q in self.kb.questions[: last + 1]}
        if PROCEDURES_FIELD in fields:
            fields.update(PROCEDURE_FIELDS)
        return fields

    def result(self, lang: Lang = Lang.EN) -> Assessment:
        """The assessment of the answers given (raises ProfileError before setting and age)."""
        return assess(self.profile, self.kb, lang)


def _question_fields(fields: tuple[str, ...]) -> list[str]:
    """The questionnaire fields behind condition fields (``procedures.*`` come from one question)."""
    return [PROCEDURES_FIELD if name.startswith("procedures.") else name for name in fields]


def _field_value(document: dict[str, object], path: str) -> object:
    if path.startswith("device."):
        device = document.get("device")
        return device.get(path.removeprefix("device.")) if isinstance(device, dict) else None
    return document.get(path)


def _put(document: dict[str, object], path: str, value: object) -> None:
    if path.startswith("device."):
        device = document.setdefault("device", {})
        assert isinstance(device, dict)  # noqa: S101 - only this module writes it
        device[path.removeprefix("device.")] = value
    else:
        document[path] = value


def _pop_field(document: dict[str, object], path: str) -> object:
    if path.startswith("device."):
        device = document.get("device")
        value = device.pop(path.removeprefix("device."), None) if isinstance(device, dict) else None
        if device == {}:
            del document["device"]
        return value
    return document.pop(path, None)


def _check_alone(question: Question, value: object) -> None:
    """Validate setting or age given before the other (the loader makes them the first questions)."""
    parse_profile({"setting": "home", "age": 30, question.field: value})
