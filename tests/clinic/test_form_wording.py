"""A form's messages keep their English template and numbers, so a Spanish page words them in Spanish."""

from __future__ import annotations

from typing import Annotated

from django.utils import translation
from pydantic import BaseModel

from needlewise.clinic import forms
from needlewise.clinic.access.gate import ACTION_WORDS
from needlewise.domain.permissions import Action
from needlewise.errors import CATALOGUE, Problem
from needlewise.web.views.common import say


class _Form(BaseModel):
    pain: Annotated[int | None, forms.whole(0, 10)]
    note: Annotated[str, forms.text(5)]
    kind: Annotated[str, forms.text(5, required=True)]


def _problems(**values: object) -> list[Problem]:
    problems: list[Problem] = []
    assert forms.parse(_Form, {"pain": "", "note": "", "kind": "x", **values}, problems) is None
    return problems


def test_numbers_travel_with_the_template_and_read_in_spanish():
    pain, note, kind = _problems(pain="11", note="too long", kind=" ")
    assert (pain.where, pain.message, pain.template) == (
        "pain",
        "enter a whole number from 0 to 10",
        "enter a whole number from %(low)s to %(high)s",
    )
    assert (note.where, note.message, dict(note.params)) == ("note", "at most 5 characters", {"limit": "5"})
    assert (kind.where, kind.message, kind.template) == ("kind", "this field is required", None)
    with translation.override("es"):
        assert [say(p) for p in (pain, note, kind)] == [
            "escribe un número entero de 0 a 10",
            "como máximo 5 caracteres",
            "este campo es obligatorio",
        ]


def test_word_params_are_said_in_the_reader_s_language_and_never_as_identifiers():
    refusal = Problem.worded("(permission)", "your role may not %(action)s", action="view health")
    kinds = Problem.worded("device_kind", "choose one of: %(kinds)s", kinds="pen, gone_now")
    assert refusal.with_words(action=CATALOGUE).message == "your role may not view health"  # the API's English
    with translation.override("es"):
        assert say(refusal.with_words(action=CATALOGUE)) == "tu rol no te permite ver los datos de salud"
        # a value the knowledge base no longer has is shown as it is rather than dropped
        assert say(kinds.with_words(kinds="device_kind")) == "elige uno de estos: Dermapen / pluma motorizada, gone_now"
    with translation.override("en"):
        assert say(kinds.with_words(kinds="device_kind")) == "choose one of: Motorised pen, gone_now"


def test_every_action_has_words_and_the_api_message_keeps_its_name():
    assert set(ACTION_WORDS) == set(Action)
    assert all(words == action.value.replace("_", " ") for action, words in ACTION_WORDS.items())
