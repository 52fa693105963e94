"""The client's check-in form, declared once: each question's answer (yes, no, not sure) and the page's language.

:class:`CheckinFields` declares the fixed fields the check-in page posts; each question of the day is a
group of radio buttons named :func:`answer_field` (its id), read by :func:`read` into
:class:`CheckinAnswers`. A question left unanswered (or given another value) is simply absent: whether
every question of that day's check-in is answered, and only those, is checked by
:func:`needlewise.clinic.followup.checkins.answer`, against the knowledge base (never read as "no").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict

from needlewise.clinic import forms
from needlewise.clinic.forms import Posted, Reads
from needlewise.domain.treatment import Answer
from needlewise.domain.vocabulary import Lang

ANSWER_PREFIX = "answer-"
_ANSWERS = {said.value: said for said in Answer}


class PostedAnswers(Posted, Protocol):
    """A submitted form whose field names can be listed (Django's ``QueryDict``)."""

    def __iter__(self) -> Iterator[str]:
        """Every field name posted."""


def asked_lang(code: str) -> Lang | None:
    """The language a page was asked in (``?lang=`` or the form's hidden field), if it is one we speak."""
    return Lang(code) if code in {lang.value for lang in Lang} else None


def answer_field(question_id: str) -> str:
    """The form field (a group of radio buttons: yes, no, not sure) of a check-in's question."""
    return f"{ANSWER_PREFIX}{question_id}"


class CheckinFields(BaseModel):
    """The fixed fields the check-in page posts: the page's language (the answers: :func:`answer_field`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lang: Annotated[Lang | None, Reads(asked_lang)]


@dataclass(frozen=True, slots=True)
class CheckinAnswers:
    """The check-in as posted: each question answered yes, no or not sure (by its id), the page's language."""

    answers: dict[str, Answer]
    lang: Lang | None


def read(post: PostedAnswers) -> CheckinAnswers:
    """The answers as posted: each answer field with a known value (yes, no, not_sure), and the language."""
    values = forms.read(CheckinFields, post)
    answers = {
        name.removeprefix(ANSWER_PREFIX): _ANSWERS[said]
        for name in post
        if name.startswith(ANSWER_PREFIX) and (said := post.get(name, "")) in _ANSWERS
    }
    return CheckinAnswers(answers, values["lang"])
