"""What every page view shares: the language, the knowledge base, rendering."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render as django_render
from django.utils import translation

from needlewise import bootstrap
from needlewise.domain.vocabulary import Lang
from needlewise.edge import problem_words
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.web.jinja import page_gettext, request_url

#: A problem's message in the page's language (the pages and the API word problems alike).
say = problem_words.say


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
