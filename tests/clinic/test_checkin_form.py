"""The check-in form's one declaration: what it reads from a post."""

from __future__ import annotations

import re
from pathlib import Path

from django.http import QueryDict

from needlewise.clinic.followup import checkin_form
from needlewise.clinic.followup.checkin_form import CheckinAnswers, CheckinFields
from needlewise.domain.vocabulary import Lang

TEMPLATE = Path(checkin_form.__file__).parents[2] / "web" / "templates" / "checkin.html"


def test_the_answers_are_read_by_the_declaration() -> None:
    post = QueryDict("yes=fever&yes=pus&yes=fever&lang=es&csrfmiddlewaretoken=t")
    assert checkin_form.read(post) == CheckinAnswers({"fever", "pus"}, Lang.ES)


def test_no_answer_and_a_language_we_do_not_speak_are_read_as_none() -> None:
    assert checkin_form.read(QueryDict("lang=fr")) == CheckinAnswers(set(), None)
    assert checkin_form.asked_lang("") is None
    assert checkin_form.asked_lang("en") is Lang.EN


def test_every_declared_field_is_on_the_page_and_every_field_on_the_page_is_declared() -> None:
    page = TEMPLATE.read_text(encoding="utf-8")
    assert set(re.findall(r'name="([a-z_]+)"', page)) == set(CheckinFields.model_fields)
