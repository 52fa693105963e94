"""The API's error texts in the language asked: the ``lang`` query parameter, else Accept-Language, else English.

The ``error`` codes and each problem's ``field`` never change with the language; the top-level
``message`` and needlewise's own problem messages (those marked ``N_``) do. Details the framework or
pydantic wrote ("Input should be ...") stay as written.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import replace

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from needlewise.domain.vocabulary import Lang
from needlewise.edge.problem_words import say
from needlewise.errors import Problem

LANGS = frozenset(lang.value for lang in Lang)


def error_lang(request: HttpRequest) -> Lang:
    """The ``lang`` query parameter when it is a language, else Accept-Language (or the site's choice), else English."""
    asked = request.GET.get("lang")
    if asked in LANGS:
        return Lang(asked)
    code = translation.get_language_from_request(request)
    return Lang.ES if code.startswith("es") else Lang.EN


def in_error_lang(request: HttpRequest) -> AbstractContextManager[None]:
    """Answer the error texts written inside this block in :func:`error_lang`."""
    return translation.override(error_lang(request).value)


def framework_text(text: str) -> str:
    """A framework's refusal text in the active language where translated (an empty one stays empty)."""
    return _(text) if text else text


def said(problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
    """Each problem with its message in the active language (see :func:`needlewise.edge.problem_words.say`)."""
    return tuple(replace(p, message=say(p)) for p in problems)


def line(problem: Problem) -> str:
    """``field: message (did you mean 'x'?)`` in the active language (the problem already :func:`said`)."""
    if problem.suggestion is None:
        return f"{problem.where}: {problem.message}"
    message = _("%(message)s (did you mean %(suggestion)s?)") % {
        "message": problem.message,
        "suggestion": repr(problem.suggestion),
    }
    return f"{problem.where}: {message}"
