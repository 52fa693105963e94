"""A problem's message in the language being answered: one wording for the pages and the JSON API."""

from __future__ import annotations

from django.utils import translation

from needlewise import bootstrap
from needlewise.clinic.treatment.finding_words import label
from needlewise.domain.vocabulary import Lang
from needlewise.errors import CATALOGUE, WORD_SEPARATOR, Problem
from needlewise.reports.numbers import format_number


def active_lang() -> Lang:
    """The language active for the request being answered."""
    return Lang.ES if (translation.get_language() or "en").startswith("es") else Lang.EN


def say(problem: Problem) -> str:
    """The problem's message in the active language (its English text when none is translated).

    A fixed message (no template) is looked up as it is: the clinic marks those with ``N_``. In a
    worded one, numbers are written as the language writes them (0,5 mm) and words are said in it
    (an action, a kind of record, a vocabulary value's label), never as identifiers.
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
    kb = bootstrap.knowledge_base()
    return WORD_SEPARATOR.join(label(kb, source, word, lang) for word in words)
