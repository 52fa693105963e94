"""Answering a check-in in tests: every question of its day answered (none is ever left out as "no").

:func:`answer` is :func:`needlewise.clinic.followup.checkins.answer` with the questions named in ``yes``
answered "yes", those in ``not_sure`` "not sure" and every other question of the check-in's day "no".
:func:`full_answers` builds such answers for a day; :func:`answered_form` the posted form of a check-in
page (its question fields read from the page itself).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from needlewise.clinic.followup import checkin_tokens, checkins, short_links
from needlewise.clinic.followup.checkin_form import answer_field
from needlewise.clinic.followup.checkins import CheckinView
from needlewise.domain.treatment import Answer
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.storage.models import CheckIn


def full_answers(
    kb: KnowledgeBase, day: int, yes: Iterable[str] = (), not_sure: Iterable[str] = ()
) -> dict[str, Answer]:
    """Every question of ``day``'s check-in answered: ``yes`` yes, ``not_sure`` not sure, the others no.

    An id in ``yes`` or ``not_sure`` that is not a question of the day is kept (to test refusals).
    """
    answers = dict.fromkeys((q.question_id for q in kb.treatment.checkin.questions_for(day)), Answer.NO)
    answers |= dict.fromkeys(yes, Answer.YES)
    answers |= dict.fromkeys(not_sure, Answer.NOT_SURE)
    return answers


def day_of(token: str) -> int | None:
    """The day of the check-in behind a full token or a short code (None: no such check-in)."""
    code = short_links.normalised(token)
    if code is not None:
        rows = CheckIn.objects.filter(short_digest=checkin_tokens.token_digest(code))
    else:
        rows = CheckIn.objects.filter(token_digest=checkin_tokens.token_digest(token))
    return rows.values_list("day", flat=True).first()


def answer(
    actor: Any, token: str, yes: Iterable[str], kb: KnowledgeBase, *, not_sure: Iterable[str] = (), **kw: Any
) -> CheckinView:
    """``checkins.answer`` with every question of the check-in's day answered (see the module)."""
    day = day_of(token)
    given = full_answers(kb, day, yes, not_sure) if day is not None else dict.fromkeys(yes, Answer.YES)
    return checkins.answer(actor, token, given, kb, **kw)


def answered_form(page: str, yes: Iterable[str] = (), not_sure: Iterable[str] = ()) -> dict[str, str]:
    """The posted answers of a check-in page: each question on it ``yes``, ``not_sure`` or else "no"."""
    said = dict.fromkeys(yes, Answer.YES.value) | dict.fromkeys(not_sure, Answer.NOT_SURE.value)
    asked = dict.fromkeys(re.findall(r'name="answer-([a-z0-9_]+)"', page))
    return {answer_field(key): said.get(key, Answer.NO.value) for key in asked} | {
        answer_field(key): value for key, value in said.items() if key not in asked
    }


def form_answers(kb: KnowledgeBase, day: int, yes: Iterable[str] = (), not_sure: Iterable[str] = ()) -> dict[str, str]:
    """The posted form of :func:`full_answers`: each question's field and its value."""
    return {answer_field(key): said.value for key, said in full_answers(kb, day, yes, not_sure).items()}
