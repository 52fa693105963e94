"""What every page view shares: the language, the knowledge base, rendering."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render as django_render
from django.utils import translation

from needlewise import bootstrap
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import Problem
from needlewise.reports.numbers import format_number
from needlewise.web.jinja import active_lang


def lang_of(request: HttpRequest) -> Lang:
    """The language Django chose for this request (browser preference or the switcher)."""
    del request
    code = translation.get_language() or "en"
    return Lang.ES if code.startswith("es") else Lang.EN


def knowledge() -> KnowledgeBase:
    """The knowledge base in use."""
    return bootstrap.knowledge_base()


def render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """Render ``template`` with the language and knowledge base available to every page."""
    kb = knowledge()
    base = {"lang": lang_of(request), "kb": kb, "kb_version": kb.version, "request_path": request.get_full_path()}
    return django_render(request, template, {**base, **context}, status=status)


def say(problem: Problem) -> str:
    """The problem's message in the request's language (its English text when none is translated).

    A fixed message (no template) is looked up as it is: the clinic marks those with ``N_``.
    """
    if problem.template is None:
        return translation.gettext(problem.message)
    lang = active_lang()  # numbers in the message as the page's language writes them (0,5 mm)
    return translation.gettext(problem.template) % {key: format_number(v, lang) for key, v in problem.params}
