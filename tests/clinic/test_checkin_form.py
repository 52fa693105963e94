"""The check-in form's one declaration: what it reads from a post."""

from __future__ import annotations

import re
from pathlib import Path

from django.http import QueryDict

from needlewise.clinic.followup import checkin_form
from needlewise.clinic.followup.checkin_form import CheckinAnswers, CheckinFields
from needlewise.domain.treatment import Answer
from needlewise.domain.vocabulary import Lang

TEMPLATE = Path(checkin_form.__file__).parents[2] / "web" / "templates" / "checkin.html"


def test_the_answers_are_read_by_the_declaration() -> None:
    post = QueryDict("answer-fever=yes&answer-pus=not_sure&answer-dark=no&lang=es&csrfmiddlewaretoken=t")
    expected = {"fever": Answer.YES, "pus": Answer.NOT_SURE, "dark": Answer.NO}
    assert checkin_form.read(post) == CheckinAnswers(expected, Lang.ES)


def test_an_answer_left_out_or_not_yes_no_or_not_sure_is_absent_never_no() -> None:
    post = QueryDict("answer-fever=maybe&answer-pus=&yes=dark&answer-=yes")
    assert checkin_form.read(post) == CheckinAnswers({"": Answer.YES}, None)
    assert checkin_form.answer_field("pus") == "answer-pus"


def test_no_answer_and_a_language_we_do_not_speak_are_read_as_none() -> None:
    assert checkin_form.read(QueryDict("lang=fr")) == CheckinAnswers({}, None)
    assert checkin_form.asked_lang("") is None
    assert checkin_form.asked_lang("en") is Lang.EN


def test_every_declared_field_is_on_the_page_and_every_field_on_the_page_is_declared() -> None:
    page = TEMPLATE.read_text(encoding="utf-8")
    assert set(re.findall(r'name="([a-z_]+)"', page)) == set(CheckinFields.model_fields)
    assert 'name="{{ name }}"' in page  # each question's radio buttons: answer_field(its id)
    assert "{% set name = answer_field(q.question_id) %}" in page
