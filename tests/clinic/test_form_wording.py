"""A form's messages keep their English template and numbers, so a Spanish page words them in Spanish."""

from __future__ import annotations

from typing import Annotated

from django.utils import translation
from pydantic import BaseModel

from needlewise.clinic import forms
from needlewise.errors import Problem
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
