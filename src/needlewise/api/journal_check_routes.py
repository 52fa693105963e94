"""The home journal's skin check and "things changed" (JSON API), beside :mod:`needlewise.api.journal_routes`.

The skin check asks the clinic check-ins' red-flag questions for the days since the latest session
and answers with their triage (``expected``: the expected course; ``call_clinic``: stop and watch,
see a doctor today; ``seek_care_now``) and what to do at home. A change replaces the journal's
profile and answers with the re-assessed journal, paused when the verdict is above home use.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field

from needlewise import bootstrap
from needlewise.api.journal_routes import ERRORS, state_response
from needlewise.api.journal_schemas import JournalOut, Key, LangParam, ProfileDocument
from needlewise.api.responses import json_response
from needlewise.domain.json_types import JsonValue
from needlewise.domain.treatment import Answer
from needlewise.domain.vocabulary import Lang
from needlewise.edge.journal_reminders import checked, reminded
from needlewise.services import journal_checks
from needlewise.services.journal_checks import RESOLVE_QUESTION, CheckQuestions
from needlewise.services.journal_entries import latest_today
from needlewise.services.journal_history import Hold

router = Router(tags=["journal"])
TriageName = Literal["expected", "call_clinic", "seek_care_now"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


AnswerName = Literal["yes", "no", "not_sure"]


class CheckIn(_Strict):
    """Each question of the day's check (its id) answered yes, no or not_sure; every one is required.

    "not_sure" is triaged as "yes" (the worst it could stand for). ``true``/``false`` still mean yes/no
    (deprecated); a question left out is refused (422 naming it), never read as "no".
    """

    answers: Annotated[
        dict[Annotated[str, Field(max_length=40)], AnswerName | bool],
        Field(
            max_length=40,
            description='Every question id of the day: "yes", "no" or "not_sure" (true/false: deprecated yes/no).',
        ),
    ]

    resolved: AnswerName | None = Field(
        default=None,
        description="Required when the questions ask it (resolve): has a doctor seen you / have the signs gone."
        ' "not_sure" counts as "no".',
    )

    def given(self) -> dict[str, Answer]:
        """The answers, a deprecated ``true``/``false`` read as yes/no."""
        return {
            key: Answer(said) if isinstance(said, str) else (Answer.YES if said else Answer.NO)
            for key, said in self.answers.items()
        }


class ChangeIn(_Strict):
    """The person's answers now (the questionnaire's Profile): pregnancy, a new medicine, a cold sore ..."""

    profile: ProfileDocument


class CheckQuestionOut(_Strict):
    """A yes/no red-flag question of the check."""

    id: str
    text: str


class HeldOut(_Strict):
    """A worrying outcome still in force: its triage and the latest day a worrying check was made."""

    triage: Literal["call_clinic", "seek_care_now"]
    since: date


class ResolveOut(HeldOut):
    """The question asked while a worrying outcome from an earlier day is in force (answer it as ``resolved``)."""

    question: str


class CheckQuestionsOut(_Strict):
    """The day's questions: the latest session's day and the days since it."""

    session_on: date
    day: int
    questions: list[CheckQuestionOut]
    resolve: ResolveOut | None = Field(
        description="Asked too (as resolved) while an earlier day's check said stop and watch or seek care now."
    )


class CheckOut(CheckQuestionsOut):
    """The triage of the answers and what to do, with the sources of the questions and their triage."""

    answers: dict[str, AnswerName] = Field(description="Each question's answer, as triaged.")
    yes: list[str] = Field(description='The questions answered "yes".')
    not_sure: list[str] = Field(description='The questions answered "not_sure": each was triaged as if "yes".')
    triage: TriageName
    advice: str
    citations: list[str]
    held: HeldOut | None = Field(
        description="A worrying outcome still in force after this check: no next session day while it holds."
    )


OnParam = Annotated[
    date | None,
    Field(description="Your calendar day today (default: today in the journal's time zone; UTC if none was chosen)."),
]


def _held(held: Hold | None) -> JsonValue:
    return {"triage": held.triage.value, "since": held.since.isoformat()} if held is not None else None


def _questions(asked: CheckQuestions, lang: Lang) -> dict[str, JsonValue]:
    resolve: JsonValue = None
    if asked.resolve is not None:
        with translation.override(lang.value):
            question = translation.gettext(RESOLVE_QUESTION[asked.resolve.triage])
        resolve = {"triage": asked.resolve.triage.value, "since": asked.resolve.since.isoformat(), "question": question}
    return {
        "session_on": asked.session_on.isoformat(),
        "day": asked.day,
        "questions": [{"id": q.question_id, "text": q.text.in_(lang)} for q in asked.questions],
        "resolve": resolve,
    }


@router.get("/journals/{key}/checks", response={200: CheckQuestionsOut, **ERRORS}, summary="The skin check's questions")
def questions(request: HttpRequest, key: Key, lang: LangParam = "en", on: OnParam = None) -> HttpResponse:
    """The red-flag questions for the days since the latest session (409 before the first session)."""
    del request
    asked = journal_checks.check_questions_for(
        bootstrap.journals(), key, bootstrap.knowledge_base(), on, latest_today()
    )
    return json_response(_questions(asked, Lang(lang)), headers={"Cache-Control": "no-store"})


@router.post("/journals/{key}/checks", response={200: CheckOut, **ERRORS}, summary="Check the skin after a session")
def check(request: HttpRequest, key: Key, body: CheckIn, lang: LangParam = "en", on: OnParam = None) -> HttpResponse:
    """Every question of the day answered: the clinic check-ins' triage and what to do at home."""
    kb, day = bootstrap.knowledge_base(), latest_today()
    resolved = Answer(body.resolved) if body.resolved is not None else None
    asked, found = checked(  # a worrying check takes the next session day away: its reminder too
        request,
        key,
        lambda: journal_checks.check_skin(
            bootstrap.journals(), key, body.given(), kb, Lang(lang), on, day, resolved=resolved
        ),
    )
    data = _questions(asked, Lang(lang))
    data |= {
        "answers": {key: said.value for key, said in found.answers.items()},
        "yes": list[JsonValue](sorted(found.yes)),
        "not_sure": list[JsonValue](found.not_sure),
        "triage": found.triage.value,
        "advice": found.advice,
        "citations": list(found.citations),
        "held": _held(asked.holds),
    }
    return json_response(data, headers={"Cache-Control": "no-store"})


@router.post("/journals/{key}/changes", response={200: JournalOut, **ERRORS}, by_alias=True, summary="Things changed")
def change(request: HttpRequest, key: Key, body: ChangeIn, lang: LangParam | None = None) -> HttpResponse:
    """The person's answers now replace the journal's profile; the re-assessed journal (paused above home use)."""
    kb, language = bootstrap.knowledge_base(), Lang(lang) if lang else None
    view = reminded(
        request, key, lambda: journal_checks.report_change(bootstrap.journals(), key, body.profile, kb, language)
    )
    return state_response(view)
