"""What every page view shares: the language, the knowledge base, rendering."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render as django_render
from django.utils import translation

from needlewise import bootstrap
from needlewise.clinic.treatment.finding_words import label
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import CATALOGUE, WORD_SEPARATOR, Problem
from needlewise.reports.numbers import format_number
from needlewise.web.jinja import active_lang, page_gettext, request_url


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
    base = {
        "lang": lang_of(request),
        "kb": kb,
        "kb_version": kb.version,
        "request_path": request.get_full_path(),
        "url": request_url(),  # links worked out with this request's prefix, read once
        "_": page_gettext(),  # texts looked up in this request's language, found once
    }
    return django_render(request, template, {**base, **context}, status=status)


def say(problem: Problem) -> str:
    """The problem's message in the request's language (its English text when none is translated).

    A fixed message (no template) is looked up as it is: the clinic marks those with ``N_``. In a
    worded one, numbers are written as the page's language writes them (0,5 mm) and words are said
    in it (an action, a kind of record, a vocabulary value's label), never as identifiers.
    """
    if problem.template is None:
        return translation.gettext(problem.message)
    lang, sources = active_lang(), dict(problem.words)
    return translation.gettext(problem.template) % {
        key: _said(value, sources[key], lang) if key in sources else format_number(value, lang)
        for key, value in problem.params
    }


def _said(value: str, source: str, lang: Lang) -> str:
    """A word param (or a list of them) in ``lang``: from the catalogue, or a vocabulary's labels."""
    words = value.split(WORD_SEPARATOR)
    if source == CATALOGUE:
        return WORD_SEPARATOR.join(translation.gettext(word) for word in words)
    kb = knowledge()
    return WORD_SEPARATOR.join(label(kb, source, word, lang) for word in words)
